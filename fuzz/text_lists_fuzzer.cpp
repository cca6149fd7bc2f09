// Fuzz target: ids, text and labels files (one line per datum) and the metrics table.
#include "datakernel/io/text_lists.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = dk::fuzz::as_file(data, size, ".txt");
  const std::int64_t n = size > 0 ? data[0] % 16 : 3;
  dk::fuzz::accept_input_errors([&] { dk::read_ids(path, n); });
  dk::fuzz::accept_input_errors([&] { dk::read_lines(path, n, "text"); });
  dk::fuzz::accept_input_errors([&] { dk::read_metrics(path, {"a", "b", "model"}); });
  return 0;
}
