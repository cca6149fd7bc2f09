// Fuzz target: .csv and .tsv embeddings (the RFC 4180 parser, --header auto|yes|no, ragged rows, numbers).
#include "datakernel/io/array_readers.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = dk::fuzz::as_file(data, size, ".csv");
  for (dk::HeaderMode header : {dk::HeaderMode::automatic, dk::HeaderMode::yes, dk::HeaderMode::no})
    dk::fuzz::accept_input_errors([&] { dk::read_delimited(path, ',', header); });
  dk::fuzz::accept_input_errors([&] { dk::read_delimited(path, '\t'); });
  return 0;
}
