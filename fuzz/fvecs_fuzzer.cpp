// Fuzz target: .fvecs (per-row dimensions, truncation).
#include "datakernel/io/array_readers.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = dk::fuzz::as_file(data, size, ".fvecs");
  dk::fuzz::accept_input_errors([&] { dk::read_fvecs(path); });
  return 0;
}
