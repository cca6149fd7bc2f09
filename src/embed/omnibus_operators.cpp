#include "embed/omnibus_operators.hpp"

#include <omp.h>

#include <cmath>
#include <vector>

#include "datakernel/runtime/blas.hpp"
#include "runtime/ordered_sum.hpp"

namespace dk {

namespace {

// One row of neighbour_sums: out_i (+)= scale_i · (diagonal_i · in_i + Σ_{j ∈ N(i)} in_j). For a width known at
// compile time (Width > 0) the sums stay in registers; for Width = 0 (the run-time `width`) they go through
// `buffer`, where each edge's addition waits on the previous one's store (about 10 cycles per edge at width 1, the
// Krylov steps' width: bench/results/omnibus_products.txt). Either way the same additions in the same order.
template <int Width, class Diagonal, class Scale>
inline void neighbour_sums_row(const Graph& graph, std::int64_t i, const double* in, Eigen::Index in_stride,
                               double* out, Eigen::Index width, double* buffer, Diagonal& diagonal_of, Scale& scale_of,
                               bool accumulate) {
  double registers[Width > 0 ? Width : 1];
  double* const sum = Width > 0 ? registers : buffer;
  const Eigen::Index w = Width > 0 ? Width : width;
  const double diagonal = diagonal_of(i);
  const double* own = in + i * in_stride;
  for (Eigen::Index c = 0; c < w; ++c) sum[c] = diagonal * own[c];
  for (std::int64_t p = graph.row_offsets[i]; p < graph.row_offsets[i + 1]; ++p) {
    const double* neighbour = in + static_cast<std::int64_t>(graph.columns[p]) * in_stride;
    for (Eigen::Index c = 0; c < w; ++c) sum[c] += neighbour[c];
  }
  const double scale = scale_of(i);
  if (accumulate)
    for (Eigen::Index c = 0; c < w; ++c) out[c] += scale * sum[c];
  else
    for (Eigen::Index c = 0; c < w; ++c) out[c] = scale * sum[c];
}

// out_i (+)= scale_i · (diagonal_i · in_i + Σ_{j ∈ N(i)} in_j) for every row i of n × b blocks.
template <class Diagonal, class Scale>
void neighbour_sums(const Graph& graph, const double* in, Eigen::Index in_stride, double* out, Eigen::Index out_stride,
                    Eigen::Index width, Diagonal diagonal_of, Scale scale_of, bool accumulate) {
  const std::int64_t n = graph.n;
  // Rows are independent and each is summed in a fixed order: the same bytes for any thread count. Small
  // products (and products inside parallel bootstrap replicates) run serially.
#pragma omp parallel num_threads(openmp_threads()) if (static_cast<double>(graph.columns.size()) * static_cast<double>(width) > 1e6 && !omp_in_parallel())
  {
    const auto rows = [&]<int Width>() {
      std::vector<double> buffer(static_cast<std::size_t>(Width > 0 ? 0 : width));
#pragma omp for schedule(static)
      for (std::int64_t i = 0; i < n; ++i)
        neighbour_sums_row<Width>(graph, i, in, in_stride, out + i * out_stride, width, buffer.data(), diagonal_of,
                                  scale_of, accumulate);
    };
    switch (width) {
      case 1: rows.template operator()<1>(); break;
      case 2: rows.template operator()<2>(); break;
      case 3: rows.template operator()<3>(); break;
      case 4: rows.template operator()<4>(); break;
      default: rows.template operator()<0>();
    }
  }
}

}  // namespace

void kernel_block_product(const Graph& graph, GraphKernel kernel, const ConstBlockView& x, BlockView y,
                          bool accumulate) {
  const std::int64_t n = graph.n;
  const Eigen::Index width = x.cols();
  if (kernel == GraphKernel::augmented) {
    const double scale = 1.0 / static_cast<double>(n - 1);
    neighbour_sums(
        graph, x.data(), x.outerStride(), y.data(), y.outerStride(), width,
        [&](std::int64_t i) { return static_cast<double>(graph.degree(i)) * scale; },
        [](std::int64_t) { return 1.0; }, accumulate);
    return;
  }
  // N x = r ∘ ((A + I)(r ∘ x)), r = (deg + 1)^-½: the rows of x scaled once, then unit-diagonal sums.
  Eigen::VectorXd r(n);
  for (std::int64_t i = 0; i < n; ++i) r[i] = 1.0 / std::sqrt(static_cast<double>(graph.degree(i) + 1));
  Block scaled(n, width);
  for (std::int64_t i = 0; i < n; ++i) scaled.row(i) = r[i] * x.row(i);
  neighbour_sums(
      graph, scaled.data(), scaled.outerStride(), y.data(), y.outerStride(), width, [](std::int64_t) { return 1.0; },
      [&](std::int64_t i) { return r[i]; }, accumulate);
}

Eigen::Index ExplicitOmnibusOperator::rows() const {
  return static_cast<Eigen::Index>(graphs_.size()) * graphs_.front()->n;
}

void ExplicitOmnibusOperator::apply(const ConstBlockView& x, BlockView gram, BlockView image) const {
  const Eigen::Index n = graphs_.front()->n, width = x.cols();
  const int m = static_cast<int>(graphs_.size());
  gram = x;
  if (m == 1) {
    kernel_block_product(*graphs_[0], kernel_, x, image, false);
    return;
  }
  Block sum = x.topRows(n), total = Block::Zero(n, width);
  for (int h = 1; h < m; ++h) sum += x.middleRows(h * n, n);
  for (int g = 0; g < m; ++g) {
    kernel_block_product(*graphs_[g], kernel_, x.middleRows(g * n, n), total, true);
    kernel_block_product(*graphs_[g], kernel_, sum, image.middleRows(g * n, n), false);
  }
  for (int g = 0; g < m; ++g) image.middleRows(g * n, n) = 0.5 * (image.middleRows(g * n, n) + total);
}

Eigen::Index ReducedOmnibusOperator::rows() const { return 2 * graphs_.front()->n; }

void ReducedOmnibusOperator::apply(const ConstBlockView& x, BlockView gram, BlockView image) const {
  if (communicator_ != nullptr && communicator_->size() > 1) {
    apply_distributed(x, gram, image);
    return;
  }
  const Eigen::Index n = graphs_.front()->n, width = x.cols();
  const int m = static_cast<int>(graphs_.size());
  const auto a = x.topRows(n), b = x.bottomRows(n);
  auto top = gram.topRows(n), bottom = gram.bottomRows(n);  // Σ Ã_g (Ã_g a + b) and Σ Ã_g a + m b
  top.setZero();
  bottom = static_cast<double>(m) * b;
  // Narrow blocks (the Krylov steps): rounds of one graph per thread, each graph's two products serial into that
  // thread's buffers; then the graphs left over, and every graph of a wide block (the restart's residual block,
  // whose products are long enough), with their rows in parallel. Either way the terms are added in graph
  // order: the same bits as one graph after another, for any thread count. Per graph, rows in parallel left a
  // thread idle at n = 10⁵ (measured at m = 100); per-thread buffers of a wide block would cost 3·team·n·b doubles (here 2·n·b).
  constexpr Eigen::Index kWidestRound = 4;
  const int team = omp_in_parallel() || width > kWidestRound ? 1 : openmp_threads();
  const int rounds = team > 1 ? m / team : 0;
  const std::size_t buffers = static_cast<std::size_t>(rounds > 0 ? team : 1);
  std::vector<Block> products(buffers, Block(n, width)), terms(buffers, Block(n, width));
  std::vector<Block> shifted(rounds > 0 ? buffers : 0, Block(n, width));
  for (int round = 0; round < rounds; ++round) {
#pragma omp parallel num_threads(team)
    {
      const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
      const int g = round * team + static_cast<int>(t);
      kernel_block_product(*graphs_[g], kernel_, a, products[t], false);
      shifted[t] = products[t] + b;
      kernel_block_product(*graphs_[g], kernel_, shifted[t], terms[t], false);
    }
    for (std::size_t t = 0; t < buffers; ++t) {
      bottom += products[t];
      top += terms[t];
    }
  }
  for (int g = rounds * team; g < m; ++g) {
    Block& product = products.front();
    kernel_block_product(*graphs_[g], kernel_, a, product, false);
    bottom += product;
    product += b;  // now Ã_g a + b
    kernel_block_product(*graphs_[g], kernel_, product, terms.front(), false);
    top += terms.front();
  }
  image.topRows(n) = 0.5 * bottom;  // M = ½ J G: the halves of G x swapped
  image.bottomRows(n) = 0.5 * top;
}

// The serial apply()'s two sums as one n × 2b block [Σ Ã_g a + m b | Σ Ã_g (Ã_g a + b)], each rank's graphs'
// terms computed locally and added in graph order along the ranks: element by element the additions of apply().
void ReducedOmnibusOperator::apply_distributed(const ConstBlockView& x, BlockView gram, BlockView image) const {
  const Eigen::Index n = graphs_.front()->n, width = x.cols();
  const int m = static_cast<int>(graphs_.size());
  const ModelPartition partition{m, communicator_->size()};
  const int first = partition.first(communicator_->rank()), end = partition.end(communicator_->rank());
  const auto a = x.topRows(n), b = x.bottomRows(n);
  std::vector<Block> terms(static_cast<std::size_t>(end - first), Block(n, 2 * width));
  Block shifted(n, width);
  for (int g = first; g < end; ++g) {
    Block& term = terms[static_cast<std::size_t>(g - first)];
    kernel_block_product(*graphs_[g], kernel_, a, term.leftCols(width), false);
    shifted = term.leftCols(width) + b;
    kernel_block_product(*graphs_[g], kernel_, shifted, term.rightCols(width), false);
  }
  Block sums(n, 2 * width);
  sums.leftCols(width) = static_cast<double>(m) * b;
  sums.rightCols(width).setZero();
  std::vector<const double*> local;
  for (const Block& term : terms) local.push_back(term.data());
  ordered_model_sum(*communicator_, sums.data(), static_cast<std::size_t>(sums.size()), local);
  gram.topRows(n) = sums.rightCols(width);
  gram.bottomRows(n) = sums.leftCols(width);
  image.topRows(n) = 0.5 * sums.leftCols(width);
  image.bottomRows(n) = 0.5 * sums.rightCols(width);
}

Block ReducedOmnibusOperator::expand(const ConstBlockView& coefficients) const {
  const Eigen::Index n = graphs_.front()->n;
  const int m = static_cast<int>(graphs_.size());
  Block out(m * n, coefficients.cols());
  for (int g = 0; g < m; ++g) {
    auto part = out.middleRows(g * n, n);
    part = coefficients.bottomRows(n);
    kernel_block_product(*graphs_[g], kernel_, coefficients.topRows(n), part, true);
  }
  return out;
}

Block ReducedOmnibusOperator::coefficients_of_image(const Eigen::VectorXd& u) const {
  const Eigen::Index n = graphs_.front()->n;
  const int m = static_cast<int>(graphs_.size());
  Block out = Block::Zero(2 * n, 1);  // ½ J Wᵀ u = ½ (Σ u_g, Σ Ã_g u_g)
  for (int g = 0; g < m; ++g) {
    Block part = u.segment(g * n, n);
    out.topRows(n) += 0.5 * part;
    Block image(n, 1);
    kernel_block_product(*graphs_[g], kernel_, part, image, false);
    out.bottomRows(n) += 0.5 * image;
  }
  return out;
}

}  // namespace dk
