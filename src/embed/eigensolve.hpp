// Top eigenpairs of a symmetric operator by magnitude |λ| (Lanczos, Spectra's SymEigsSolver), with a
// seeded start vector and a deterministic sign convention; small problems are solved densely.
#pragma once

#include <cstdint>

#include <Eigen/Core>

#include "datakernel/embed/symmetric_operator.hpp"

namespace dk {

struct EigenSolveConfig {
  int count = 1;                     // eigenpairs wanted (clamped to the operator size)
  std::uint64_t seed = 0;            // start vector of the Lanczos iteration
  double tolerance = 1e-10;          // Spectra's relative tolerance on Ritz values
  int max_iterations = 1000;         // restarts
  Eigen::Index dense_threshold = 400;  // operators up to this size are formed and solved densely
  const Eigen::VectorXd* start = nullptr;  // warm start (e.g. a sum of known eigenvectors); else seeded random
};

struct EigenPairs {
  Eigen::VectorXd values;   // by descending |λ|
  Eigen::MatrixXd vectors;  // columns, unit norm, sign fixed
  long operator_applications = 0;
};

EigenPairs top_eigenpairs(const SymmetricOperator& op, const EigenSolveConfig& config);

// The seeded start vector of the Lanczos iteration: n values uniform on [-0.5, 0.5), the same bytes for any
// standard library (src/runtime/random.hpp).
Eigen::VectorXd random_start_vector(Eigen::Index n, std::uint64_t seed);

// Sign convention: each column's entry of largest magnitude (first such, by index) is made positive.
void fix_signs(Eigen::MatrixXd& vectors);

}  // namespace dk
