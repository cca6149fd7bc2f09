// Fuzz target: `datakernel report DIR` on an output directory of arbitrary content. The bytes are split at
// "\n====\n" into summary.json, latent_2d.csv, datum_tests.csv and annotations.csv (a missing part: no file);
// render_report must render or throw InputError, never crash, abort or read out of bounds.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "datakernel/report/html_report.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  static const fs::path dir = fs::temp_directory_path() / ("datakernel-fuzz-report-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const char* files[] = {"summary.json", "latent_2d.csv", "datum_tests.csv", "annotations.csv"};
  std::size_t start = 0;
  for (const char* name : files) {
    if (start > bytes.size()) break;
    const std::size_t end = std::min(bytes.find("\n====\n", start), bytes.size());
    std::ofstream(dir / name, std::ios::binary) << bytes.substr(start, end - start);
    start = end + 6;
  }
  dk::fuzz::accept_input_errors([&] { dk::render_report(dir.string()); });
  return 0;
}
