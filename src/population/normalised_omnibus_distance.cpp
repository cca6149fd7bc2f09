// The normalised omnibus distance (pair_measures.hpp): the omnibus distance of the degree-normalised kernels
// N_g = D_g^-1/2 (A_g + I) D_g^-1/2, D_g = diag of the row sums of A_g + I, embedded by embed_omnibus with
// GraphKernel::normalised at a fixed d.
#include <algorithm>
#include <cstdint>
#include <string>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/error.hpp"
#include "datakernel/population/model_distance.hpp"
#include "datakernel/population/pair_measures.hpp"

namespace dk {

int normalised_omnibus_dim(const std::vector<const Graph*>& graphs, int dim) {
  if (dim < 1) throw InputError("{normalised_dim} must be a positive integer, got " + std::to_string(dim));
  const std::int64_t size = static_cast<std::int64_t>(graphs.size()) * graphs.front()->n;
  return static_cast<int>(std::min<std::int64_t>(dim, size - 1));
}

NormalisedOmnibus normalised_omnibus(const std::vector<const Graph*>& graphs, const NormalisedOmnibusConfig& config) {
  if (graphs.empty()) throw InputError("normalised omnibus distance needs at least one graph");
  const std::int64_t n = graphs.front()->n;
  for (const Graph* graph : graphs)
    if (graph->n != n) throw InputError("normalised omnibus distance: graphs have different numbers of vertices");
  if (!(config.tolerance > 0)) throw InputError("normalised omnibus: the eigen-solver tolerance must be positive");
  if (config.max_cycles < 1) throw InputError("normalised omnibus: max_cycles must be at least 1");
  OmnibusConfig omnibus;
  omnibus.dim = normalised_omnibus_dim(graphs, config.dim);
  omnibus.kernel = GraphKernel::normalised;
  omnibus.solver = OmnibusSolver::block_reduced;
  omnibus.seed = config.seed;
  omnibus.tolerance = config.tolerance;
  omnibus.max_cycles = config.max_cycles;
  omnibus.accept_unconverged = true;
  omnibus.communicator = config.communicator;
  omnibus.cancelled = config.cancelled;
  omnibus.progress = config.progress;
  if (config.distance_tolerance < 0 || config.stable_restarts < 1)
    throw InputError("normalised omnibus: distance_tolerance must be >= 0 and stable_restarts >= 1");
  Eigen::MatrixXd previous;
  int stable = 0;
  if (config.distance_tolerance > 0)
    omnibus.stop_early = [&](const OmnibusEmbedding& current) {
      Eigen::MatrixXd distances = model_distances(current);
      const bool settled = previous.size() > 0 && (distances - previous).cwiseAbs().maxCoeff() <= config.distance_tolerance;
      stable = settled ? stable + 1 : 0;
      previous = std::move(distances);
      return stable >= config.stable_restarts;
    };
  const OmnibusEmbedding embedding = embed_omnibus(graphs, omnibus);

  NormalisedOmnibus out;
  out.dim = embedding.dim;
  out.eigenvalues = embedding.eigenvalues;
  out.relative_gap = relative_eigengap(embedding.eigenvalues, embedding.dim);
  out.converged = embedding.converged;
  out.stopped_early = embedding.stopped_early;
  out.worst_residual = embedding.worst_residual;
  out.cycles = embedding.cycles;
  out.operator_applications = embedding.operator_applications;
  out.distances = model_distances(embedding);
  return out;
}

}  // namespace dk
