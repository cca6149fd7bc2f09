#include "datakernel/embed/omnibus.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "datakernel/embed/dimension.hpp"
#include "embed/eigensolve.hpp"
#include "datakernel/error.hpp"

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
  for (int g = 0; g < m; ++g) {
    augmented_product_pair(*graphs_[g], x_in + g * n, s.data(), own.data(), y_out + g * n);
    t += own;
  }
  for (int g = 0; g < m; ++g) y.segment(g * n, n) = 0.5 * (y.segment(g * n, n) + t);
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

OmnibusEmbedding embed_omnibus(const std::vector<const Graph*>& graphs, const OmnibusConfig& config) {
  if (graphs.empty()) throw InputError("omnibus embedding needs at least one graph");
  const std::int64_t n = graphs.front()->n;
  for (const Graph* g : graphs)
    if (g->n != n) throw InputError("omnibus embedding: graphs have different numbers of vertices");
  OmnibusOperator op(graphs);
  const std::int64_t size = op.rows();
  if (config.dim < 0 || config.dim >= size)
    throw InputError("embedding dimension " + std::to_string(config.dim) + " must be in 1.." +
                     std::to_string(size - 1));

  EigenSolveConfig solve;
  solve.seed = config.seed;
  solve.start = config.start;
  solve.tolerance = config.tolerance;
  if (config.dim > 0) {
    solve.count = static_cast<int>(std::min<std::int64_t>(config.dim + 1, size));
  } else {
    solve.count = config.search > 0 ? static_cast<int>(std::min<std::int64_t>(config.search, size))
                                    : default_search_count(size);
  }
  const EigenPairs pairs = top_eigenpairs(op, solve);

  OmnibusEmbedding out;
  out.graphs = static_cast<int>(graphs.size());
  out.n = n;
  out.eigenvalues = pairs.values;
  out.operator_applications = pairs.operator_applications;
  if (config.dim > 0) {
    out.dim = config.dim;
    out.dim_rule = "fixed";
  } else {
    std::vector<double> magnitudes(static_cast<std::size_t>(pairs.values.size()));
    for (Eigen::Index r = 0; r < pairs.values.size(); ++r) magnitudes[r] = std::abs(pairs.values[r]);
    const ElbowResult elbow = zhu_ghodsi_elbows(magnitudes, config.elbows);
    out.elbows = elbow.elbows;
    const int largest = static_cast<int>(magnitudes.size()) - 1;  // keep λ_{d+1} for the gap
    std::vector<int> candidates;
    for (int e : elbow.elbows) candidates.push_back(std::clamp(e, 1, std::max(1, largest)));
    if (candidates.empty()) candidates.push_back(1);
    // The requested elbow, unless its subspace ends inside a near-degenerate eigenspace: then the latest
    // earlier elbow that ends at a clear gap (README "Choosing d").
    std::size_t chosen = candidates.size() - 1;
    while (chosen > 0 && relative_eigengap(pairs.values, candidates[chosen]) < config.degenerate_gap) --chosen;
    if (relative_eigengap(pairs.values, candidates[chosen]) < config.degenerate_gap) chosen = candidates.size() - 1;
    out.dim = candidates[chosen];
    out.dim_rule = "zhu-ghodsi elbow " + std::to_string(chosen + 1) + " of " + std::to_string(pairs.values.size()) +
                   " eigenvalues";
    if (chosen + 1 < candidates.size()) {
      char text[200];
      std::snprintf(text, sizeof text, " (elbow %zu, d = %d, ends inside a near-degenerate eigenspace: gap %.2g%%)",
                    candidates.size(), candidates.back(),
                    100.0 * relative_eigengap(pairs.values, candidates.back()));
      out.dim_rule += text;
    }
  }
  const int d = out.dim;
  if (pairs.values.size() > d) {
    out.relative_gap = relative_eigengap(pairs.values, d);
    out.near_degenerate = out.relative_gap < config.degenerate_gap;
  }
  out.latent.resize(size, d);
  for (int c = 0; c < d; ++c) {
    out.latent.col(c) = pairs.vectors.col(c) * std::sqrt(std::abs(pairs.values[c]));
    if (pairs.values[c] < 0) ++out.negative_selected;
  }
  return out;
}

}  // namespace dk
