#include <algorithm>
#include <string>

#include "datakernel/error.hpp"
#include "datakernel/population/pair_measures.hpp"

namespace dk {

NeighbourSets neighbour_sets(const NeighbourLists& lists) {
  NeighbourSets out;
  out.n = lists.n;
  out.k = lists.k;
  out.offsets.resize(static_cast<std::size_t>(lists.n) + 1);
  out.ids.resize(static_cast<std::size_t>(lists.n) * lists.k);
  for (std::int64_t i = 0; i <= lists.n; ++i) out.offsets[i] = i * lists.k;
  for (std::size_t slot = 0; slot < out.ids.size(); ++slot) out.ids[slot] = static_cast<std::int32_t>(lists.ids[slot]);
  for (std::int64_t i = 0; i < lists.n; ++i) std::sort(out.ids.begin() + out.offsets[i], out.ids.begin() + out.offsets[i + 1]);
  return out;
}

NeighbourSets neighbour_sets(const Graph& graph) {
  NeighbourSets out;
  out.n = graph.n;
  out.k = 0;
  out.offsets = graph.row_offsets;
  out.ids = graph.columns;  // sorted within a row by the Graph contract
  return out;
}

std::int64_t sorted_intersection_size(const std::int32_t* a, std::int64_t a_size, const std::int32_t* b,
                                      std::int64_t b_size) {
  std::int64_t common = 0, x = 0, y = 0;
  while (x < a_size && y < b_size) {
    if (a[x] < b[y]) ++x;
    else if (b[y] < a[x]) ++y;
    else ++common, ++x, ++y;
  }
  return common;
}

NeighbourOverlapDistances neighbour_overlap_distances(const std::vector<const NeighbourSets*>& sets) {
  const int m = static_cast<int>(sets.size());
  NeighbourOverlapDistances out;
  out.jaccard = Eigen::MatrixXd::Zero(m, m);
  if (m == 0) return out;
  const std::int64_t n = sets.front()->n;
  bool lists = true;
  for (const NeighbourSets* s : sets) {
    if (s->n != n) throw InputError("neighbour sets of different sizes (" + std::to_string(s->n) + " and " + std::to_string(n) + ")");
    lists = lists && s->k > 0 && s->k == sets.front()->k;
  }
  if (lists) out.mutual = Eigen::MatrixXd::Zero(m, m);
  for (int g = 0; g < m; ++g)
    for (int h = g + 1; h < m; ++h) {
      const NeighbourSets& a = *sets[g];
      const NeighbourSets& b = *sets[h];
      double jaccard_sum = 0.0, shared_sum = 0.0;
      for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t a_size = a.offsets[i + 1] - a.offsets[i], b_size = b.offsets[i + 1] - b.offsets[i];
        const std::int64_t common =
            sorted_intersection_size(a.ids.data() + a.offsets[i], a_size, b.ids.data() + b.offsets[i], b_size);
        const std::int64_t either = a_size + b_size - common;
        jaccard_sum += either > 0 ? static_cast<double>(common) / static_cast<double>(either) : 1.0;
        shared_sum += static_cast<double>(common);
      }
      out.jaccard(g, h) = out.jaccard(h, g) = 1.0 - jaccard_sum / static_cast<double>(n);
      if (lists) out.mutual(g, h) = out.mutual(h, g) = 1.0 - shared_sum / (static_cast<double>(n) * a.k);
    }
  return out;
}

}  // namespace dk
