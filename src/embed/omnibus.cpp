#include "datakernel/embed/omnibus.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "datakernel/embed/dimension.hpp"
#include "embed/block_eigensolve.hpp"
#include "embed/eigensolve.hpp"
#include "embed/omnibus_operators.hpp"
#include "datakernel/error.hpp"
#include "runtime/ordered_sum.hpp"

namespace dk {

void augmented_product(const Graph& graph, const double* x, double* y) {
  const std::int64_t n = graph.n;
  const double scale = 1.0 / static_cast<double>(n - 1);
  // Threads only pay off for large graphs; inside parallel bootstrap replicates this runs serially.
#pragma omp parallel for schedule(static) if (graph.columns.size() > 200000)
  for (std::int64_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (std::int64_t p = graph.row_offsets[i]; p < graph.row_offsets[i + 1]; ++p) sum += x[graph.columns[p]];
    y[i] = sum + static_cast<double>(graph.degree(i)) * scale * x[i];
  }
}

Eigen::Index OmnibusOperator::rows() const {
  return static_cast<Eigen::Index>(graphs_.size()) * graphs_.front()->n;
}

// y1 = Ã x1 and y2 = Ã x2 in one pass over the graph (the index traffic is shared).
void augmented_product_pair(const Graph& graph, const double* x1, const double* x2, double* y1, double* y2) {
  const std::int64_t n = graph.n;
  const double scale = 1.0 / static_cast<double>(n - 1);
#pragma omp parallel for schedule(static) if (graph.columns.size() > 200000)
  for (std::int64_t i = 0; i < n; ++i) {
    // Two partial sums per vector break the floating-point add dependency chain (fixed order: deterministic).
    double a1 = 0.0, b1 = 0.0, a2 = 0.0, b2 = 0.0;
    std::int64_t p = graph.row_offsets[i];
    const std::int64_t end = graph.row_offsets[i + 1];
    for (; p + 1 < end; p += 2) {
      const std::int32_t j = graph.columns[p], k = graph.columns[p + 1];
      a1 += x1[j];
      b1 += x1[k];
      a2 += x2[j];
      b2 += x2[k];
    }
    if (p < end) {
      a1 += x1[graph.columns[p]];
      a2 += x2[graph.columns[p]];
    }
    const double diagonal = static_cast<double>(graph.degree(i)) * scale;
    y1[i] = (a1 + b1) + diagonal * x1[i];
    y2[i] = (a2 + b2) + diagonal * x2[i];
  }
}

void OmnibusOperator::perform_op(const double* x_in, double* y_out) const {
  if (kernel_ != GraphKernel::augmented) {
    perform_op_with_kernel(x_in, y_out);
    return;
  }
  const std::int64_t n = graphs_.front()->n;
  const int m = static_cast<int>(graphs_.size());
  if (m == 1) {
    augmented_product(*graphs_[0], x_in, y_out);
    return;
  }
  // (Ωx)_g = ½ Ã_g s + ½ t with s = Σ_h x_h, t = Σ_h Ã_h x_h: one two-column product per graph.
  Eigen::Map<const Eigen::VectorXd> x(x_in, m * n);
  Eigen::Map<Eigen::VectorXd> y(y_out, m * n);
  Eigen::VectorXd s = Eigen::VectorXd::Zero(n), t = Eigen::VectorXd::Zero(n), own(n);
  for (int h = 0; h < m; ++h) s += x.segment(h * n, n);
  if (communicator_ != nullptr && communicator_->size() > 1) {
    // This rank's graphs: Ã_g x_g (summed over g in graph order along the ranks) and Ã_g s (shared).
    const ModelPartition partition{m, communicator_->size()};
    const int first = partition.first(communicator_->rank()), end = partition.end(communicator_->rank());
    std::vector<Eigen::VectorXd> owns(static_cast<std::size_t>(end - first), Eigen::VectorXd(n));
    std::vector<const double*> local;
    for (int g = first; g < end; ++g) {
      Eigen::VectorXd& mine = owns[static_cast<std::size_t>(g - first)];
      augmented_product_pair(*graphs_[g], x_in + g * n, s.data(), mine.data(), y_out + g * n);
      local.push_back(mine.data());
    }
    ordered_model_sum(*communicator_, t.data(), static_cast<std::size_t>(n), local);
    share_model_parts(*communicator_, partition, y_out, static_cast<std::size_t>(n));
    for (int g = 0; g < m; ++g) y.segment(g * n, n) = 0.5 * (y.segment(g * n, n) + t);
    return;
  }
  for (int g = 0; g < m; ++g) {
    augmented_product_pair(*graphs_[g], x_in + g * n, s.data(), own.data(), y_out + g * n);
    t += own;
  }
  for (int g = 0; g < m; ++g) y.segment(g * n, n) = 0.5 * (y.segment(g * n, n) + t);
}

// Any kernel, through the explicit block operator (omnibus_operators.hpp) on one column, every graph on this rank.
// Only the dense solve of small operators comes here (the block solver takes large ones, split over ranks).
void OmnibusOperator::perform_op_with_kernel(const double* x_in, double* y_out) const {
  const Eigen::Index size = rows();
  const Eigen::Map<const Block> x(x_in, size, 1);
  Eigen::Map<Block> y(y_out, size, 1);
  Block gram(size, 1);
  ExplicitOmnibusOperator(graphs_, kernel_).apply(x, gram, y);
}

Eigen::VectorXd OmnibusEmbedding::warm_start() const {
  Eigen::VectorXd start = Eigen::VectorXd::Zero(latent.rows());
  for (Eigen::Index c = 0; c < latent.cols(); ++c) {
    const double norm = latent.col(c).norm();
    if (norm > 0) start += latent.col(c) / norm;
  }
  return start;
}

double relative_eigengap(const Eigen::VectorXd& values, int d) {
  if (d < 1 || d >= values.size()) return 1.0;
  const double here = std::abs(values[d - 1]), next = std::abs(values[d]);
  return here > 0 ? (here - next) / here : 0.0;
}

int default_search_count(std::int64_t operator_size) {
  return static_cast<int>(std::min<std::int64_t>(64, operator_size - 1));
}

OmnibusSolver omnibus_solver_for(int graphs) {
  // Measured at n = 10⁴, d = 10 (bench/omnibus_scaling.sh): for two graphs the Lanczos solver and the reduced
  // block solver cost the same CPU time; from three graphs on the reduction is faster and its memory does not
  // grow with m.
  return graphs <= 2 ? OmnibusSolver::lanczos : OmnibusSolver::block_reduced;
}

namespace {

constexpr Eigen::Index kDenseThreshold = 400;  // operators up to this size are formed and solved densely

// Eigenpairs of Ω by |λ|: values, the unit eigenvectors (m·n rows, sign fixed) and, for the block solvers,
// the solver's own vectors (to warm-start a larger solve). The rank-2n reduction leaves `vectors` empty: its
// m·n-row vectors are expanded from `solver_vectors` by leading_vectors, for the d columns the embedding keeps
// (at m·n = 10⁷ all 64 searched columns would take 5 GB).
struct OmnibusPairs {
  Eigen::VectorXd values;
  Eigen::MatrixXd vectors;
  Block solver_vectors;
  bool reduced = false;
  long applications = 0;
  std::string solver;
  bool converged = true;
  bool stopped_early = false;
  double worst_residual = 0.0;
  int cycles = 0;
};

// The embedding Ẑ = U |Λ|^½ (first d columns) of unit eigenvectors and their values, for stop_early.
OmnibusEmbedding partial_embedding(const Eigen::MatrixXd& vectors, const Eigen::VectorXd& values, int graphs, int d) {
  OmnibusEmbedding out;
  out.graphs = graphs;
  out.n = vectors.rows() / graphs;
  out.dim = std::min<int>(d, static_cast<int>(values.size()));
  out.eigenvalues = values;
  out.latent.resize(vectors.rows(), out.dim);
  for (int c = 0; c < out.dim; ++c) out.latent.col(c) = vectors.col(c) * std::sqrt(std::abs(values[c]));
  return out;
}

// A symmetric operator that polls a cancellation flag before each application (for the Lanczos solver, which
// offers no hook of its own).
class CancellableOperator final : public SymmetricOperator {
 public:
  CancellableOperator(const SymmetricOperator& inner, const std::function<bool()>& cancelled)
      : inner_(inner), cancelled_(cancelled) {}
  Eigen::Index rows() const override { return inner_.rows(); }
  void perform_op(const double* x_in, double* y_out) const override {
    if (cancelled_ && cancelled_()) throw Cancelled("eigen-solve cancelled");
    inner_.perform_op(x_in, y_out);
  }

 private:
  const SymmetricOperator& inner_;
  const std::function<bool()>& cancelled_;
};

struct DimensionChoice {
  int dim = 1;
  std::vector<int> elbows;
  std::string rule;
};

// The Zhu–Ghodsi choice on the computed eigenvalues (README "Choosing d").
DimensionChoice choose_dimension(const Eigen::VectorXd& values, const OmnibusConfig& config) {
  DimensionChoice out;
  std::vector<double> magnitudes(static_cast<std::size_t>(values.size()));
  for (Eigen::Index r = 0; r < values.size(); ++r) magnitudes[r] = std::abs(values[r]);
  const ElbowResult elbow = zhu_ghodsi_elbows(magnitudes, config.elbows);
  out.elbows = elbow.elbows;
  const int largest = static_cast<int>(magnitudes.size()) - 1;  // keep λ_{d+1} for the gap
  std::vector<int> candidates;
  for (int e : elbow.elbows) candidates.push_back(std::clamp(e, 1, std::max(1, largest)));
  if (candidates.empty()) candidates.push_back(1);
  // The requested elbow, unless its subspace ends inside a near-degenerate eigenspace: then the latest
  // earlier elbow that ends at a clear gap.
  std::size_t chosen = candidates.size() - 1;
  while (chosen > 0 && relative_eigengap(values, candidates[chosen]) < config.degenerate_gap) --chosen;
  if (relative_eigengap(values, candidates[chosen]) < config.degenerate_gap) chosen = candidates.size() - 1;
  out.dim = candidates[chosen];
  out.rule = "zhu-ghodsi elbow " + std::to_string(chosen + 1) + " of " + std::to_string(values.size()) + " eigenvalues";
  if (chosen + 1 < candidates.size()) {
    char text[200];
    std::snprintf(text, sizeof text, " (elbow %zu, d = %d, ends inside a near-degenerate eigenspace: gap %.2g%%)",
                  candidates.size(), candidates.back(), 100.0 * relative_eigengap(values, candidates.back()));
    out.rule += text;
  }
  return out;
}

OmnibusPairs solve_omnibus(const std::vector<const Graph*>& graphs, int count, const OmnibusConfig& config,
                           const Block* warm) {
  OmnibusOperator op(graphs, config.communicator, config.kernel);
  OmnibusPairs out;
  OmnibusSolver solver = config.solver == OmnibusSolver::automatic ? omnibus_solver_for(static_cast<int>(graphs.size()))
                                                                    : config.solver;
  // The normalised kernels' spectrum is flat near its top (many eigenvalues close to m): Lanczos on Ω needed
  // hundreds of restarts at n = 10⁵; the block solver on the reduction converges (docs/method.md, section 7).
  if (config.kernel != GraphKernel::augmented && solver == OmnibusSolver::lanczos) solver = OmnibusSolver::block_reduced;
  if (op.rows() <= kDenseThreshold || solver == OmnibusSolver::lanczos) {
    EigenSolveConfig solve;
    solve.count = count;
    solve.seed = config.seed;
    solve.start = config.start;
    solve.tolerance = config.tolerance;
    solve.dense_threshold = kDenseThreshold;
    const CancellableOperator cancellable(op, config.cancelled);
    EigenPairs pairs = top_eigenpairs(cancellable, solve);
    out.values = std::move(pairs.values);
    out.vectors = std::move(pairs.vectors);
    out.applications = pairs.operator_applications;
    out.solver = op.rows() <= kDenseThreshold ? "dense" : "lanczos";
    return out;
  }
  BlockEigenConfig solve;
  solve.count = count;
  solve.seed = config.seed;
  solve.tolerance = config.tolerance;
  // Only the d kept pairs' vectors are used; the other eigenvalues serve the elbow and the gap (d as the current
  // Ritz values choose it, or the fixed d).
  solve.loose_tolerance = config.loose_tolerance;
  solve.tight_count = [&](const Eigen::VectorXd& values) {
    return config.dim > 0 ? config.dim : choose_dimension(values, config).dim;
  };
  solve.max_cycles = config.max_cycles;
  solve.accept_unconverged = config.accept_unconverged;
  solve.block = config.block;
  solve.cancelled = config.cancelled;
  if (config.progress)
    solve.on_check = [&](int, double worst) {
      const double fraction = worst > 0 ? std::log(worst) / std::log(config.tolerance) : 1.0;
      config.progress(std::clamp(fraction, 0.0, 1.0));
    };
  const int graph_count = static_cast<int>(graphs.size());
  const int early_dim = config.dim > 0 ? config.dim : count;
  Block start;
  const bool usable_start = config.start != nullptr && config.start->size() == op.rows() && config.start->norm() > 0;
  BlockEigenPairs pairs;
  if (solver == OmnibusSolver::block_explicit) {
    ExplicitOmnibusOperator block_op(graphs, config.kernel);
    if (config.stop_early)
      solve.stop_early = [&](const ConstBlockView& vectors, const Eigen::VectorXd& values) {
        return config.stop_early(partial_embedding(vectors, values, graph_count, early_dim));
      };
    if (warm != nullptr) solve.start = warm;
    else if (usable_start) start = *config.start, solve.start = &start;
    pairs = block_top_eigenpairs(block_op, solve);
    out.vectors = pairs.vectors;
    out.solver = "block";
  } else {
    ReducedOmnibusOperator block_op(graphs, config.communicator, config.kernel);
    if (config.stop_early)
      solve.stop_early = [&](const ConstBlockView& vectors, const Eigen::VectorXd& values) {
        return config.stop_early(partial_embedding(block_op.expand(vectors), values, graph_count, early_dim));
      };
    if (warm != nullptr) solve.start = warm;
    else if (usable_start) start = block_op.coefficients_of_image(*config.start), solve.start = &start;
    pairs = block_top_eigenpairs(block_op, solve);
    out.reduced = true;
    out.solver = "block, rank-2n reduction";
  }
  out.values = pairs.values;
  out.applications = pairs.operator_applications;
  out.converged = pairs.converged;
  out.stopped_early = pairs.stopped_early;
  out.worst_residual = pairs.worst_residual;
  out.cycles = pairs.cycles;
  out.solver_vectors = std::move(pairs.vectors);
  fix_signs(out.vectors);
  return out;
}

// The first `columns` unit eigenvectors (m·n rows, sign fixed), expanded from the reduction's coefficients when
// the solve left them there.
Eigen::MatrixXd leading_vectors(const OmnibusPairs& pairs, const std::vector<const Graph*>& graphs,
                                const OmnibusConfig& config, int columns) {
  if (!pairs.reduced) return pairs.vectors.leftCols(columns);
  Eigen::MatrixXd vectors = ReducedOmnibusOperator(graphs, config.communicator, config.kernel)
                                .expand(pairs.solver_vectors.leftCols(columns));
  fix_signs(vectors);
  return vectors;
}

}  // namespace

OmnibusEmbedding embed_omnibus(const std::vector<const Graph*>& graphs, const OmnibusConfig& config) {
  if (graphs.empty()) throw InputError("omnibus embedding needs at least one graph");
  const std::int64_t n = graphs.front()->n;
  for (const Graph* g : graphs)
    if (g->n != n) throw InputError("omnibus embedding: graphs have different numbers of vertices");
  const std::int64_t size = static_cast<std::int64_t>(graphs.size()) * n;
  if (config.dim < 0 || config.dim >= size)
    throw InputError("embedding dimension " + std::to_string(config.dim) + " must be in 1.." +
                     std::to_string(size - 1));

  OmnibusEmbedding out;
  out.graphs = static_cast<int>(graphs.size());
  out.n = n;
  OmnibusPairs pairs;
  if (config.dim > 0) {
    pairs = solve_omnibus(graphs, static_cast<int>(std::min<std::int64_t>(config.dim + 1, size - 1)), config, nullptr);
    out.dim = config.dim;
    out.dim_rule = "fixed";
    out.operator_applications = pairs.applications;
  } else {
    // Only as many eigenvalues as the elbow needs: 16, doubled (each solve warm-started from the last one's
    // vectors) until two successive counts choose the same d, or the cap is reached.
    const int cap = config.search > 0 ? static_cast<int>(std::min<std::int64_t>(config.search, size - 1))
                                      : default_search_count(size);
    int count = std::min(kFirstSearchCount, cap);
    int previous = -1;
    DimensionChoice choice;
    while (true) {
      OmnibusPairs next = solve_omnibus(graphs, count, config, pairs.solver_vectors.cols() > 0 ? &pairs.solver_vectors : nullptr);
      next.applications += pairs.applications;
      pairs = std::move(next);
      choice = choose_dimension(pairs.values, config);
      if (count >= cap || choice.dim == previous) break;
      previous = choice.dim;
      count = std::min(2 * count, cap);
    }
    out.dim = choice.dim;
    out.elbows = choice.elbows;
    out.dim_rule = choice.rule;
    out.operator_applications = pairs.applications;
  }
  out.eigenvalues = pairs.values;
  out.solver = pairs.solver;
  out.converged = pairs.converged;
  out.stopped_early = pairs.stopped_early;
  out.worst_residual = pairs.worst_residual;
  out.cycles = pairs.cycles;
  const int d = out.dim;
  if (pairs.values.size() > d) {
    out.relative_gap = relative_eigengap(pairs.values, d);
    out.near_degenerate = out.relative_gap < config.degenerate_gap;
  }
  out.latent = leading_vectors(pairs, graphs, config, d);
  pairs = OmnibusPairs{};  // the solver's basis vectors are no longer needed
  for (int c = 0; c < d; ++c) {
    out.latent.col(c) *= std::sqrt(std::abs(out.eigenvalues[c]));
    if (out.eigenvalues[c] < 0) ++out.negative_selected;
  }
  return out;
}

}  // namespace dk
