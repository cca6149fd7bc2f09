// Dense products of tall blocks (N × p, row-major) for the block eigen-solver: threaded over fixed chunks of
// rows, each chunk one single-threaded BLAS call, so that the result has the same bytes for any thread count.
#pragma once

#include <Eigen/Core>

#include "embed/block_operator.hpp"

namespace dk {

// aᵀ b (a: N × p, b: N × r) as a p × r matrix; the partial products of the row chunks are added in order.
Eigen::MatrixXd transposed_product(const ConstBlockView& a, const ConstBlockView& b);

// out = beta · out + a · s (a: N × p, s: p × r, out: N × r).
void block_times_small(const ConstBlockView& a, const Eigen::MatrixXd& s, BlockView out, double beta = 0.0);

// out -= a · s.
void subtract_block_times_small(const ConstBlockView& a, const Eigen::MatrixXd& s, BlockView out);

}  // namespace dk
