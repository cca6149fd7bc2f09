# cmake -DDATAKERNEL=<path of the datakernel binary> -DOUT_DIR=<dir> -P GenerateShellFiles.cmake
# Writes OUT_DIR/datakernel.bash (bash completion) and OUT_DIR/datakernel.1 (man page), both printed by the CLI.
file(MAKE_DIRECTORY "${OUT_DIR}")
function(datakernel_print file)
  execute_process(COMMAND "${DATAKERNEL}" ${ARGN} OUTPUT_FILE "${OUT_DIR}/${file}.tmp" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "datakernel ${ARGN} failed: ${status}")
  endif()
  file(RENAME "${OUT_DIR}/${file}.tmp" "${OUT_DIR}/${file}")
endfunction()
datakernel_print(datakernel.bash completion bash)
datakernel_print(datakernel.1 manpage)
