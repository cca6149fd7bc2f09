// The normalised omnibus distance (pair_measures.hpp): the omnibus distance of the degree-normalised kernels
// N_g = D_g^-1/2 (A_g + I) D_g^-1/2, D_g = diag of the row sums of A_g + I.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/error.hpp"
#include "datakernel/population/model_distance.hpp"
#include "datakernel/population/pair_measures.hpp"
#include "embed/eigensolve.hpp"

namespace dk {
namespace {

// Ω_N with blocks (N_g + N_h)/2, applied matrix-free like the omnibus operator: (Ω_N x)_g = ½ N_g s + ½ t with
// s = Σ_h x_h and t = Σ_h N_h x_h.
class NormalisedOmnibusOperator final : public SymmetricOperator {
 public:
  explicit NormalisedOmnibusOperator(const std::vector<const Graph*>& graphs) : graphs_(graphs) {
    for (const Graph* graph : graphs_) {
      Eigen::VectorXd scale(graph->n);
      for (std::int64_t i = 0; i < graph->n; ++i) scale[i] = 1.0 / std::sqrt(static_cast<double>(graph->degree(i) + 1));
      inverse_sqrt_degree_.push_back(std::move(scale));
    }
  }
  Eigen::Index rows() const override {
    return static_cast<Eigen::Index>(graphs_.size()) * graphs_.front()->n;
  }
  void perform_op(const double* x_in, double* y_out) const override {
    const Eigen::Index m = static_cast<Eigen::Index>(graphs_.size()), n = graphs_.front()->n;
    Eigen::Map<const Eigen::MatrixXd> x(x_in, n, m);  // column g = block g
    Eigen::Map<Eigen::MatrixXd> y(y_out, n, m);
    const Eigen::VectorXd s = x.rowwise().sum();
    Eigen::VectorXd t = Eigen::VectorXd::Zero(n), ns(n), nx(n);
    for (Eigen::Index g = 0; g < m; ++g) {
      apply_kernel(static_cast<int>(g), x.col(g).data(), nx.data());
      t += nx;
    }
    for (Eigen::Index g = 0; g < m; ++g) {
      apply_kernel(static_cast<int>(g), s.data(), ns.data());
      y.col(g) = 0.5 * (ns + t);
    }
  }

 private:
  // y = N_g x = r ∘ ((A_g + I)(r ∘ x)), r = D_g^-1/2; the neighbours are summed in index order (deterministic).
  void apply_kernel(int g, const double* x, double* y) const {
    const Graph& graph = *graphs_[static_cast<std::size_t>(g)];
    const Eigen::VectorXd& r = inverse_sqrt_degree_[static_cast<std::size_t>(g)];
#pragma omp parallel for schedule(static) if (graph.columns.size() > 200000)
    for (std::int64_t i = 0; i < graph.n; ++i) {
      double sum = r[i] * x[i];
      for (std::int64_t p = graph.row_offsets[i]; p < graph.row_offsets[i + 1]; ++p) {
        const std::int32_t j = graph.columns[p];
        sum += r[j] * x[j];
      }
      y[i] = r[i] * sum;
    }
  }

  std::vector<const Graph*> graphs_;
  std::vector<Eigen::VectorXd> inverse_sqrt_degree_;
};

}  // namespace

int normalised_omnibus_dim(const std::vector<const Graph*>& graphs, int dim) {
  if (dim < 1) throw InputError("{normalised_dim} must be a positive integer, got " + std::to_string(dim));
  const std::int64_t size = static_cast<std::int64_t>(graphs.size()) * graphs.front()->n;
  return static_cast<int>(std::min<std::int64_t>(dim, size - 1));
}

NormalisedOmnibus normalised_omnibus(const std::vector<const Graph*>& graphs, int dim, std::uint64_t seed) {
  if (graphs.empty()) throw InputError("normalised omnibus distance needs at least one graph");
  const std::int64_t n = graphs.front()->n;
  for (const Graph* graph : graphs)
    if (graph->n != n) throw InputError("normalised omnibus distance: graphs have different numbers of vertices");
  const int m = static_cast<int>(graphs.size());
  const int d = normalised_omnibus_dim(graphs, dim);
  const NormalisedOmnibusOperator op(graphs);
  EigenSolveConfig solve;
  solve.count = static_cast<int>(std::min<std::int64_t>(d + 1, static_cast<std::int64_t>(m) * n));
  solve.seed = seed;
  const EigenPairs pairs = top_eigenpairs(op, solve);

  NormalisedOmnibus out;
  out.dim = d;
  out.eigenvalues = pairs.values;
  out.relative_gap = relative_eigengap(pairs.values, d);
  OmnibusEmbedding embedding;  // Ẑ_N = U |Λ|^½, to reuse the omnibus distance
  embedding.graphs = m;
  embedding.n = n;
  embedding.dim = d;
  embedding.latent.resize(static_cast<Eigen::Index>(m) * n, d);
  for (int c = 0; c < d; ++c) embedding.latent.col(c) = pairs.vectors.col(c) * std::sqrt(std::abs(pairs.values[c]));
  out.distances = model_distances(embedding);
  return out;
}

}  // namespace dk
