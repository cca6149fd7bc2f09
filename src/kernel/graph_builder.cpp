#include "datakernel/kernel/graph_builder.hpp"

#include <algorithm>

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

}  // namespace dk
