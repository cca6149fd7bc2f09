// Fuzz target: .npy parsing (header dict, versions, dtypes, shapes against the payload).
#include "io/npy_format.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dk::fuzz::accept_input_errors([&] { dk::parse_npy(std::string(reinterpret_cast<const char*>(data), size), "fuzz.npy"); });
  return 0;
}
