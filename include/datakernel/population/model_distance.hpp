// Distances between models from their aligned omnibus latent positions:
//     D_gh = ‖Ẑ_g − Ẑ_h‖_F / ‖(Ẑ_g + Ẑ_h)/2‖_F
// and the per-datum shift ‖Ẑ_g[a] − Ẑ_h[a]‖ behind it.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "datakernel/embed/omnibus.hpp"

namespace dk {

double model_distance(const Eigen::Ref<const Eigen::MatrixXd>& zg, const Eigen::Ref<const Eigen::MatrixXd>& zh);

// m×m symmetric, zero diagonal, from one joint omnibus embedding.
Eigen::MatrixXd model_distances(const OmnibusEmbedding& joint);

// m×m from a separate two-graph omnibus per pair at dimension `dim` (the authors' procedure).
Eigen::MatrixXd pairwise_model_distances(const std::vector<const Graph*>& graphs, int dim, std::uint64_t seed);

// ‖Ẑ_g[a] − Ẑ_h[a]‖ for every datum a.
Eigen::VectorXd datum_shift(const OmnibusEmbedding& joint, int g, int h);

// 1-based ranks by descending value (rank 1 = largest); ties take the lower index first.
std::vector<std::int64_t> descending_ranks(const Eigen::VectorXd& values);

}  // namespace dk
