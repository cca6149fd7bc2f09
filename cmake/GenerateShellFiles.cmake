# cmake -DDATAKERNEL=<path of the datakernel binary> -DOUT_DIR=<dir> -P GenerateShellFiles.cmake
# Writes OUT_DIR/datakernel.bash (bash completion) and OUT_DIR/datakernel.1 (man page), both printed by the CLI.
file(MAKE_DIRECTORY "${OUT_DIR}")
foreach(pair "completion;bash;datakernel.bash" "manpage;;datakernel.1")
  list(GET pair 0 command)
  list(GET pair 1 argument)
  list(GET pair 2 file)
  execute_process(COMMAND "${DATAKERNEL}" ${command} ${argument} OUTPUT_FILE "${OUT_DIR}/${file}.tmp"
                  RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "datakernel ${command} ${argument} failed: ${status}")
  endif()
  file(RENAME "${OUT_DIR}/${file}.tmp" "${OUT_DIR}/${file}")
endforeach()
