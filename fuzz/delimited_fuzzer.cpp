// Fuzz target: .csv and .tsv embeddings (header detection, ragged rows, number parsing).
#include "datakernel/io/array_readers.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = dk::fuzz::as_file(data, size, ".csv");
  dk::fuzz::accept_input_errors([&] { dk::read_delimited(path, ','); });
  dk::fuzz::accept_input_errors([&] { dk::read_delimited(path, '\t'); });
  return 0;
}
