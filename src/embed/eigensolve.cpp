#include "embed/eigensolve.hpp"

#include <Eigen/Eigenvalues>
#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <numeric>

#include "datakernel/error.hpp"

namespace dk {

void fix_signs(Eigen::MatrixXd& vectors) {
  for (Eigen::Index c = 0; c < vectors.cols(); ++c) {
    Eigen::Index at = 0;
    vectors.col(c).cwiseAbs().maxCoeff(&at);
    if (vectors(at, c) < 0) vectors.col(c) *= -1.0;
  }
}

namespace {

EigenPairs sorted_by_magnitude(const Eigen::VectorXd& values, const Eigen::MatrixXd& vectors, int count) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(values.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return std::abs(values[a]) > std::abs(values[b]); });
  EigenPairs out;
  out.values.resize(count);
  out.vectors.resize(vectors.rows(), count);
  for (int c = 0; c < count; ++c) {
    out.values[c] = values[order[c]];
    out.vectors.col(c) = vectors.col(order[c]);
  }
  fix_signs(out.vectors);
  return out;
}

EigenPairs dense_solve(const SymmetricOperator& op, int count) {
  const Eigen::Index n = op.rows();
  Eigen::MatrixXd matrix(n, n);
  Eigen::VectorXd unit = Eigen::VectorXd::Zero(n);
  for (Eigen::Index c = 0; c < n; ++c) {
    unit[c] = 1.0;
    op.perform_op(unit.data(), matrix.col(c).data());
    unit[c] = 0.0;
  }
  const Eigen::MatrixXd symmetric = 0.5 * (matrix + matrix.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(symmetric);
  if (solver.info() != Eigen::Success) throw ComputeError("dense eigen-solver failed");
  EigenPairs out = sorted_by_magnitude(solver.eigenvalues(), solver.eigenvectors(), count);
  out.operator_applications = n;
  return out;
}

}  // namespace

EigenPairs top_eigenpairs(const SymmetricOperator& op, const EigenSolveConfig& config) {
  const Eigen::Index n = op.rows();
  if (n <= config.dense_threshold) return dense_solve(op, static_cast<int>(std::min<Eigen::Index>(config.count, n)));
  const int count = static_cast<int>(std::min<Eigen::Index>(config.count, n - 1));
  const Eigen::Index ncv = std::min<Eigen::Index>(n, std::max<Eigen::Index>(2 * count + 1, count + 20));
  Spectra::SymEigsSolver<SymmetricOperator> solver(const_cast<SymmetricOperator&>(op), count, ncv);
  Eigen::VectorXd start = random_start_vector(n, config.seed);
  if (config.start != nullptr && config.start->size() == n && config.start->norm() > 0)  // warm start, lightly
    start = *config.start + (0.01 * config.start->norm() / start.norm()) * start;       // perturbed
  solver.init(start.data());
  solver.compute(Spectra::SortRule::LargestMagn, config.max_iterations, config.tolerance,
                 Spectra::SortRule::LargestMagn);
  if (solver.info() != Spectra::CompInfo::Successful)
    throw ComputeError("eigen-solver did not converge (" + std::to_string(count) + " eigenpairs of a " +
                       std::to_string(n) + "-dimensional operator, " + std::to_string(config.max_iterations) +
                       " restarts); try a smaller {max_dim}");
  EigenPairs out = sorted_by_magnitude(solver.eigenvalues(), solver.eigenvectors(), count);
  out.operator_applications = solver.num_operations();
  return out;
}

}  // namespace dk
