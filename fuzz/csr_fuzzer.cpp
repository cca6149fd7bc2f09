// Fuzz target: graphs handed over as CSR arrays (the Python package's (indptr, indices) path, graph_from_csr).
// The bytes encode n, indptr and indices; both arrays are allocated at exactly the length the caller claims,
// so any read past them (e.g. a row that is sorted before indptr is checked) is an ASan report.
//   byte 0: n = byte % 24;  byte 1: bit 0 set = 8-byte little-endian values (any int64: huge, negative,
//   ≥ 2^31), clear = 1-byte signed values (small graphs that often pass the checks); then n + 1 indptr values,
//   and every remaining value is an index (nnz = their count).
#include <cstring>
#include <memory>

#include "datakernel/kernel/graph_builder.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::int64_t n = data[0] % 24;
  const bool wide = (data[1] & 1) != 0;
  const std::size_t width = wide ? 8 : 1;
  const std::uint8_t* p = data + 2;
  const std::size_t values = (size - 2) / width;
  auto value = [&](std::size_t i) -> std::int64_t {
    if (i >= values) return 0;
    if (!wide) return static_cast<std::int8_t>(p[i]);
    std::int64_t v;
    std::memcpy(&v, p + 8 * i, 8);
    return v;
  };
  const auto rows = static_cast<std::size_t>(n) + 1;
  const std::size_t nnz = values > rows ? values - rows : 0;
  std::unique_ptr<std::int64_t[]> indptr(new std::int64_t[rows]);
  std::unique_ptr<std::int64_t[]> indices(new std::int64_t[nnz]);
  for (std::size_t i = 0; i < rows; ++i) indptr[i] = value(i);
  for (std::size_t i = 0; i < nnz; ++i) indices[i] = value(rows + i);
  dk::fuzz::accept_input_errors([&] {
    const dk::Graph g = dk::graph_from_csr(n, indptr.get(), indices.get(), static_cast<std::int64_t>(nnz), "fuzz");
    // Accepted: a well-formed, hollow, symmetric graph over n vertices.
    if (g.n != n || g.row_offsets.size() != rows || g.columns.size() != nnz) __builtin_trap();
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t q = g.row_offsets[i]; q < g.row_offsets[i + 1]; ++q)
        if (g.columns[q] < 0 || g.columns[q] >= n || g.columns[q] == i || !g.has_edge(g.columns[q], i))
          __builtin_trap();
  });
  return 0;
}
