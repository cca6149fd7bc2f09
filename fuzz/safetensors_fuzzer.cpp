// Fuzz target: .safetensors (JSON header, dtypes, shapes against data offsets).
#include "datakernel/io/array_readers.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = dk::fuzz::as_file(data, size, ".safetensors");
  dk::fuzz::accept_input_errors([&] { dk::read_safetensors(path, ""); });
  dk::fuzz::accept_input_errors([&] { dk::read_safetensors(path, "t"); });
  return 0;
}
