// Dense references for the omnibus tests: a graph's augmented adjacency (diagonal = degree / (n − 1)) and the
// omnibus matrix of m graphs (block (g, h) = ½ (A_g + A_h)), formed explicitly for Eigen's dense solvers.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "datakernel/embeddings.hpp"

namespace dk::test {

inline Eigen::MatrixXd dense_augmented(const Graph& g) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(g.n, g.n);
  for (std::int64_t i = 0; i < g.n; ++i) {
    for (std::int64_t p = g.row_offsets[i]; p < g.row_offsets[i + 1]; ++p) a(i, g.columns[p]) = 1.0;
    a(i, i) = static_cast<double>(g.degree(i)) / static_cast<double>(g.n - 1);
  }
  return a;
}

inline Eigen::MatrixXd dense_omnibus(const std::vector<const Graph*>& graphs) {
  const std::int64_t n = graphs.front()->n;
  const int m = static_cast<int>(graphs.size());
  std::vector<Eigen::MatrixXd> a;
  for (const Graph* g : graphs) a.push_back(dense_augmented(*g));
  Eigen::MatrixXd omni(m * n, m * n);
  for (int g = 0; g < m; ++g)
    for (int h = 0; h < m; ++h) omni.block(g * n, h * n, n, n) = 0.5 * (a[g] + a[h]);
  return omni;
}

}  // namespace dk::test
