// Fuzz target: .npy parsing (header dict, versions, dtypes, shapes against the payload), by both paths of the
// reader: the whole-image decoder (parse_npy, which also converts dtypes and orders in pieces) and the in-place
// view the memory-mapped reader uses (npy_in_place). They must agree: both fail, or both succeed with the same
// values where the view applies. The same bytes as a file go through the mapped reader itself (open_npy), which
// must agree with them too.
#include <cstring>
#include <optional>

#include "datakernel/error.hpp"
#include "io/npy_format.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);  // heap copy: aligned like a mapping's start
  std::optional<dk::LoadedEmbeddings> whole;
  std::optional<std::optional<dk::EmbeddingsView>> view;
  dk::fuzz::accept_input_errors([&] { whole = dk::parse_npy(bytes, "fuzz.npy"); });
  dk::fuzz::accept_input_errors([&] { view = dk::npy_in_place(bytes.data(), bytes.size(), "fuzz.npy"); });
  if (whole.has_value() != view.has_value()) __builtin_trap();
  if (view && *view) {
    const dk::EmbeddingsView& v = **view;
    const auto& values = whole->embeddings.values;
    if (v.n != whole->embeddings.n || v.dim != whole->embeddings.dim ||
        std::memcmp(v.f32, values.data(), values.size() * sizeof(float)) != 0)
      __builtin_trap();
  }
  std::optional<dk::NpyInput> mapped;
  dk::fuzz::accept_input_errors([&] { mapped = dk::open_npy(dk::fuzz::as_file(data, size, ".npy")); });
  if (mapped.has_value() != whole.has_value()) __builtin_trap();
  if (mapped) {
    const dk::EmbeddingsView v = mapped->mapped ? mapped->mapped->view : mapped->loaded->embeddings.view();
    const auto& values = whole->embeddings.values;
    if (v.n != whole->embeddings.n || v.dim != whole->embeddings.dim ||
        std::memcmp(v.f32, values.data(), values.size() * sizeof(float)) != 0)
      __builtin_trap();
  }
  return 0;
}
