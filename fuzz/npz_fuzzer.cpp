// Fuzz target: .npz archives (zip directory, zip64 fields, stored and deflated members).
#include "datakernel/io/array_readers.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = dk::fuzz::as_file(data, size, ".npz");
  dk::fuzz::accept_input_errors([&] { dk::read_npz(path, ""); });
  dk::fuzz::accept_input_errors([&] { dk::read_npz(path, "a"); });
  return 0;
}
