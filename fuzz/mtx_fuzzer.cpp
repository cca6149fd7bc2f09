// Fuzz target: Matrix Market data kernels (banner, sizes, entries, symmetry).
#include "io/matrix_market.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = dk::fuzz::as_file(data, size, ".mtx");
  dk::fuzz::accept_input_errors([&] { dk::read_matrix_market_graph(path); });
  return 0;
}
