#include <algorithm>
#include <cmath>

#include "datakernel/error.hpp"
#include "datakernel/population/pair_measures.hpp"

namespace dk {

int direction_dim(const OmnibusEmbedding& joint, int cap) {
  if (cap < 1) throw InputError("{direction_dim} must be a positive integer, got " + std::to_string(cap));
  return std::min(joint.dim, cap);
}

Eigen::MatrixXd direction_distances(const OmnibusEmbedding& joint, int cap) {
  const int m = joint.graphs, d = direction_dim(joint, cap);
  const Eigen::Index n = joint.n;
  // Unit rows of the leading d columns of every block (a zero row stays zero).
  Eigen::MatrixXd unit = joint.latent.leftCols(d);
  for (Eigen::Index r = 0; r < unit.rows(); ++r) {
    const double length = unit.row(r).norm();
    if (length > 0) unit.row(r) /= length;
  }
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(m, m);
  for (int g = 0; g < m; ++g)
    for (int h = g + 1; h < m; ++h) {
      const double squared = (unit.middleRows(g * n, n) - unit.middleRows(h * n, n)).squaredNorm();
      out(g, h) = out(h, g) = std::sqrt(squared / static_cast<double>(n));
    }
  return out;
}

}  // namespace dk
