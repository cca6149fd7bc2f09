// A symmetric linear operator applied matrix-free, in Spectra's operator concept: rows(), cols() and
// perform_op(x_in, y_out) computing y = M x. Solvers take it by reference; the matrix is never formed.
#pragma once

#include <Eigen/Core>

namespace dk {

class SymmetricOperator {
 public:
  using Scalar = double;
  virtual ~SymmetricOperator() = default;
  virtual Eigen::Index rows() const = 0;
  Eigen::Index cols() const { return rows(); }
  virtual void perform_op(const double* x_in, double* y_out) const = 0;
};

}  // namespace dk
