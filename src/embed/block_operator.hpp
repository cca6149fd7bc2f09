// Blocks of vectors and the operator concept of the block eigen-solver (block_eigensolve.hpp).
//
// A block is N × b, row-major (row i holds the i-th coordinate of all b vectors), so that a sparse product
// gathers whole rows and the dense work runs as matrix-matrix products (BLAS-3).
//
// The solver finds eigenpairs of an operator M that is self-adjoint in the inner product <x, y>_G = xᵀ G y of
// a symmetric positive semi-definite G. For an ordinary symmetric matrix G = I. The omnibus matrix's rank-2n
// reduction (omnibus_operators.hpp) has G = WᵀW and M = ½ J G. One call returns G X and M X for a block X.
#pragma once

#include <Eigen/Core>

namespace dk {

using Block = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using BlockView = Eigen::Ref<Block, 0, Eigen::OuterStride<>>;
using ConstBlockView = Eigen::Ref<const Block, 0, Eigen::OuterStride<>>;

class BlockOperator {
 public:
  virtual ~BlockOperator() = default;
  virtual Eigen::Index rows() const = 0;
  // gram = G x and image = M x for the block x (rows() × b); gram and image are rows() × b.
  virtual void apply(const ConstBlockView& x, BlockView gram, BlockView image) const = 0;
};

}  // namespace dk
