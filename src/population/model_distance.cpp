#include "datakernel/population/model_distance.hpp"

#include <algorithm>
#include <numeric>

namespace dk {

double model_distance(const Eigen::Ref<const Eigen::MatrixXd>& zg, const Eigen::Ref<const Eigen::MatrixXd>& zh) {
  const double mean_norm = (0.5 * (zg + zh)).norm();
  return mean_norm > 0 ? (zg - zh).norm() / mean_norm : 0.0;
}

Eigen::MatrixXd model_distances(const OmnibusEmbedding& joint) {
  const int m = joint.graphs;
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(m, m);
  for (int g = 0; g < m; ++g)
    for (int h = g + 1; h < m; ++h) d(g, h) = d(h, g) = model_distance(joint.block(g), joint.block(h));
  return d;
}

Eigen::MatrixXd pairwise_model_distances(const std::vector<const Graph*>& graphs, int dim, std::uint64_t seed) {
  const int m = static_cast<int>(graphs.size());
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(m, m);
  OmnibusConfig config;
  config.dim = dim;
  config.seed = seed;
  for (int g = 0; g < m; ++g)
    for (int h = g + 1; h < m; ++h) {
      const OmnibusEmbedding pair = embed_omnibus({graphs[g], graphs[h]}, config);
      d(g, h) = d(h, g) = model_distance(pair.block(0), pair.block(1));
    }
  return d;
}

Eigen::VectorXd datum_shift(const OmnibusEmbedding& joint, int g, int h) {
  return (joint.block(g) - joint.block(h)).rowwise().norm();
}

std::vector<std::int64_t> descending_ranks(const Eigen::VectorXd& values) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(values.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return values[a] > values[b]; });
  std::vector<std::int64_t> rank(order.size());
  for (std::size_t r = 0; r < order.size(); ++r) rank[order[r]] = static_cast<std::int64_t>(r) + 1;
  return rank;
}

}  // namespace dk
