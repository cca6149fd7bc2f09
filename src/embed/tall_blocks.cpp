#include "embed/tall_blocks.hpp"

#include <cblas.h>

#include <algorithm>
#include <vector>

#include "datakernel/runtime/blas.hpp"

namespace dk {

namespace {

// Rows per chunk: a fixed number, not a share of the threads, so that the chunks (and the order in which
// their partial sums are added) do not depend on the thread count. Inside the parallel loop OpenBLAS (its
// OpenMP build) runs single-threaded. The team is openmp_threads(): the block solver calls these inside a
// BlasSingleThreaded scope, where omp_get_max_threads() is 1.
constexpr Eigen::Index kChunkRows = 2048;

Eigen::Index chunk_count(Eigen::Index rows) { return (rows + kChunkRows - 1) / kChunkRows; }

// Threads only for products worth a parallel region (about a millisecond of work): on a shared machine every
// region is a barrier that waits for the slowest thread. The chunks, and so the result, are the same either way.
bool worth_threads(Eigen::Index rows, Eigen::Index inner, Eigen::Index cols) {
  return rows > kChunkRows && static_cast<double>(rows) * static_cast<double>(inner) * static_cast<double>(cols) > 2e6;
}

// Row-major matrix of doubles in a column-major Eigen matrix's storage: the transposed view's leading dim.
void gemm_rows(const ConstBlockView& a, const Eigen::MatrixXd& s, BlockView out, double alpha, double beta) {
  const Eigen::Index rows = a.rows(), inner = a.cols(), cols = out.cols();
  if (rows == 0 || cols == 0) return;
  if (inner == 0) {
    out *= beta;
    return;
  }
  // s is column-major p × r: as row-major it is sᵀ, hence CblasTrans on it.
  const std::int64_t chunks = chunk_count(rows);
#pragma omp parallel for schedule(static) num_threads(openmp_threads()) if (worth_threads(rows, inner, cols))
  for (std::int64_t c = 0; c < chunks; ++c) {
    const Eigen::Index first = c * kChunkRows, count = std::min(kChunkRows, rows - first);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(count), static_cast<int>(cols),
                static_cast<int>(inner), alpha, a.data() + first * a.outerStride(), static_cast<int>(a.outerStride()),
                s.data(), static_cast<int>(s.rows()), beta, out.data() + first * out.outerStride(),
                static_cast<int>(out.outerStride()));
  }
}

}  // namespace

Eigen::MatrixXd transposed_product(const ConstBlockView& a, const ConstBlockView& b) {
  const Eigen::Index rows = a.rows(), p = a.cols(), r = b.cols();
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(p, r);
  if (rows == 0 || p == 0 || r == 0) return out;
  const std::int64_t chunks = chunk_count(rows);
  std::vector<Eigen::MatrixXd> partial(static_cast<std::size_t>(chunks));
#pragma omp parallel for schedule(static) num_threads(openmp_threads()) if (worth_threads(rows, p, r))
  for (std::int64_t c = 0; c < chunks; ++c) {
    const Eigen::Index first = c * kChunkRows, count = std::min(kChunkRows, rows - first);
    Eigen::MatrixXd& part = partial[static_cast<std::size_t>(c)];
    part.resize(p, r);
    // Column-major p × r = row-major r × p: computed as bᵀ a in row-major terms.
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(r), static_cast<int>(p),
                static_cast<int>(count), 1.0, b.data() + first * b.outerStride(), static_cast<int>(b.outerStride()),
                a.data() + first * a.outerStride(), static_cast<int>(a.outerStride()), 0.0, part.data(),
                static_cast<int>(p));
  }
  for (const Eigen::MatrixXd& part : partial) out += part;
  return out;
}

void block_times_small(const ConstBlockView& a, const Eigen::MatrixXd& s, BlockView out, double beta) {
  gemm_rows(a, s, out, 1.0, beta);
}

void subtract_block_times_small(const ConstBlockView& a, const Eigen::MatrixXd& s, BlockView out) {
  gemm_rows(a, s, out, -1.0, 1.0);
}

}  // namespace dk
