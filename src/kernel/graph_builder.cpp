#include "datakernel/kernel/graph_builder.hpp"

#include <algorithm>
#include <limits>

#include "datakernel/error.hpp"

namespace dk {

bool Graph::has_edge(std::int64_t i, std::int64_t j) const {
  const auto first = columns.begin() + row_offsets[i];
  const auto last = columns.begin() + row_offsets[i + 1];
  return std::binary_search(first, last, static_cast<std::int32_t>(j));
}

Graph EdgeList::build(Symmetrize rule) const {
  std::vector<std::pair<std::int32_t, std::int32_t>> directed = edges_;
  std::sort(directed.begin(), directed.end());
  directed.erase(std::unique(directed.begin(), directed.end()), directed.end());
  std::vector<std::pair<std::int32_t, std::int32_t>> kept;
  if (rule == Symmetrize::union_of_both) {
    kept.reserve(directed.size() * 2);
    for (const auto& [i, j] : directed) {
      kept.emplace_back(i, j);
      kept.emplace_back(j, i);
    }
    std::sort(kept.begin(), kept.end());
    kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  } else if (rule == Symmetrize::mutual) {
    for (const auto& [i, j] : directed)
      if (std::binary_search(directed.begin(), directed.end(), std::make_pair(j, i))) kept.emplace_back(i, j);
  } else {
    kept = std::move(directed);
  }
  Graph g;
  g.n = n_;
  g.row_offsets.assign(static_cast<std::size_t>(n_) + 1, 0);
  g.columns.reserve(kept.size());
  for (const auto& [i, j] : kept) {
    if (i == j) continue;
    ++g.row_offsets[static_cast<std::size_t>(i) + 1];
    g.columns.push_back(j);
  }
  for (std::int64_t i = 0; i < n_; ++i) g.row_offsets[i + 1] += g.row_offsets[i];
  return g;
}

Graph graph_from_lists(std::int64_t n, int k, const std::int64_t* ids, Symmetrize rule) {
  // Straight into CSR, sized exactly: every entry is decided before it is written (a list's repeated id counts
  // once; under the union rule, j -> i adds j to row i only when i does not list j itself), so rows need no
  // deduplication and the columns array is allocated once at its final size. Besides the result, only a cursor
  // per datum; sorting edge pairs took about five times the result.
  const auto list = [&](std::int64_t i) { return ids + i * k; };
  const auto lists_it = [&](std::int64_t i, std::int64_t j) { return std::find(list(i), list(i) + k, j) != list(i) + k; };
  // Entry r of list i as an edge i -> j: a vertex other than i, and the first time list i names it.
  const auto edge = [&](std::int64_t i, int r) {
    const std::int64_t j = list(i)[r];
    return j != i && j >= 0 && j < n && std::find(list(i), list(i) + r, j) == list(i) + r;
  };
  const bool mutual = rule == Symmetrize::mutual, both = rule == Symmetrize::union_of_both;
  Graph g;
  g.n = n;
  g.row_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  const auto visit = [&](auto&& add) {
    for (std::int64_t i = 0; i < n; ++i)
      for (int r = 0; r < k; ++r) {
        if (!edge(i, r)) continue;
        const std::int64_t j = list(i)[r];
        if (mutual) {
          if (lists_it(j, i)) add(i, j);
        } else {
          add(i, j);
          if (both && !lists_it(j, i)) add(j, i);
        }
      }
  };
  visit([&](std::int64_t row, std::int64_t) { ++g.row_offsets[static_cast<std::size_t>(row) + 1]; });
  for (std::int64_t i = 0; i < n; ++i) g.row_offsets[i + 1] += g.row_offsets[i];
  g.columns.resize(static_cast<std::size_t>(g.row_offsets[n]));
  std::vector<std::int64_t> cursor(g.row_offsets.begin(), g.row_offsets.end() - 1);
  visit([&](std::int64_t row, std::int64_t column) { g.columns[cursor[row]++] = static_cast<std::int32_t>(column); });
  for (std::int64_t i = 0; i < n; ++i) std::sort(g.columns.begin() + g.row_offsets[i], g.columns.begin() + g.row_offsets[i + 1]);
  return g;
}

Graph graph_from_csr(std::int64_t n, const std::int64_t* indptr, const std::int64_t* indices, std::int64_t nnz,
                     const std::string& what) {
  // Every bound is checked before any array is read past what its length allows: indptr (n + 1 entries) spans
  // [0, nnz] monotonically, every index is a vertex, and only then are rows sorted and symmetry checked.
  if (n < 2) throw InputError(what + ": a graph needs at least 2 vertices");
  if (n > std::numeric_limits<std::int32_t>::max())
    throw InputError(what + ": " + std::to_string(n) + " vertices; at most " +
                     std::to_string(std::numeric_limits<std::int32_t>::max()) + " are supported");
  if (nnz < 0) throw InputError(what + ": malformed CSR (negative number of indices)");
  if (indptr[0] != 0)
    throw InputError(what + ": malformed CSR (indptr[0] = " + std::to_string(indptr[0]) + ", must be 0)");
  for (std::int64_t i = 0; i < n; ++i) {
    if (indptr[i + 1] < indptr[i])
      throw InputError(what + ": malformed CSR (indptr decreases at row " + std::to_string(i) + ")");
    if (indptr[i + 1] > nnz)
      throw InputError(what + ": malformed CSR (indptr[" + std::to_string(i + 1) + "] = " +
                       std::to_string(indptr[i + 1]) + " runs past the " + std::to_string(nnz) + " indices)");
  }
  if (indptr[n] != nnz)
    throw InputError(what + ": malformed CSR (indptr ends at " + std::to_string(indptr[n]) + " but there are " +
                     std::to_string(nnz) + " indices)");
  Graph g;
  g.n = n;
  g.row_offsets.assign(indptr, indptr + n + 1);
  g.columns.resize(static_cast<std::size_t>(nnz));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t p = indptr[i]; p < indptr[i + 1]; ++p) {
      const std::int64_t j = indices[p];
      if (j < 0 || j >= n)
        throw InputError(what + ": row " + std::to_string(i) + " has column " + std::to_string(j) +
                         " out of range [0, " + std::to_string(n) + ")");
      if (j == i) throw InputError(what + ": self loop at vertex " + std::to_string(i) + " (a data kernel is hollow)");
      g.columns[static_cast<std::size_t>(p)] = static_cast<std::int32_t>(j);
    }
  for (std::int64_t i = 0; i < n; ++i) {
    const auto first = g.columns.begin() + indptr[i], last = g.columns.begin() + indptr[i + 1];
    std::sort(first, last);
    if (std::adjacent_find(first, last) != last)
      throw InputError(what + ": row " + std::to_string(i) + " lists a neighbour twice");
  }
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t p = g.row_offsets[i]; p < g.row_offsets[i + 1]; ++p)
      if (!g.has_edge(g.columns[p], i))
        throw InputError(what + ": not symmetric (edge " + std::to_string(i) + "-" + std::to_string(g.columns[p]) +
                         " has no mirror)");
  return g;
}

Graph graph_from_upper_triangle(std::int64_t n, const std::vector<std::pair<std::int32_t, std::int32_t>>& upper) {
  // Counting sort by row keeps each row's ascending order; then rows are emitted in ascending i, so every
  // row j receives its lower neighbours i < j in ascending order before its own upper ones.
  std::vector<std::int64_t> upper_offsets(static_cast<std::size_t>(n) + 1, 0);
  for (const auto& [i, j] : upper) ++upper_offsets[static_cast<std::size_t>(i) + 1];
  for (std::int64_t i = 0; i < n; ++i) upper_offsets[i + 1] += upper_offsets[i];
  std::vector<std::int32_t> by_row(upper.size());
  {
    std::vector<std::int64_t> cursor(upper_offsets.begin(), upper_offsets.end() - 1);
    for (const auto& [i, j] : upper) by_row[cursor[i]++] = j;
  }
  Graph g;
  g.n = n;
  g.row_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (const auto& [i, j] : upper) {
    ++g.row_offsets[static_cast<std::size_t>(i) + 1];
    ++g.row_offsets[static_cast<std::size_t>(j) + 1];
  }
  for (std::int64_t i = 0; i < n; ++i) g.row_offsets[i + 1] += g.row_offsets[i];
  g.columns.resize(2 * upper.size());
  std::vector<std::int64_t> cursor(g.row_offsets.begin(), g.row_offsets.end() - 1);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t p = upper_offsets[i]; p < upper_offsets[i + 1]; ++p) {
      const std::int32_t j = by_row[p];
      g.columns[cursor[i]++] = j;
      g.columns[cursor[j]++] = static_cast<std::int32_t>(i);
    }
  return g;
}

}  // namespace dk
