#include "datakernel/population/cmds.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>

#include "embed/eigensolve.hpp"
#include "datakernel/error.hpp"

namespace dk {

CmdsResult classical_mds(const Eigen::MatrixXd& d, int dims) {
  const Eigen::Index m = d.rows();
  if (d.cols() != m || m < 2) throw InputError("classical MDS needs a square dissimilarity matrix of 2+ models");
  const Eigen::MatrixXd j = Eigen::MatrixXd::Identity(m, m) - Eigen::MatrixXd::Constant(m, m, 1.0 / m);
  const Eigen::MatrixXd b = -0.5 * j * d.cwiseProduct(d) * j;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(0.5 * (b + b.transpose()));
  // Eigen returns ascending order; reverse to descending.
  const Eigen::VectorXd values = solver.eigenvalues().reverse();
  Eigen::MatrixXd vectors = solver.eigenvectors().rowwise().reverse();
  fix_signs(vectors);

  CmdsResult out;
  out.eigenvalues = values;
  const int k = static_cast<int>(std::min<Eigen::Index>(dims, m));
  out.coordinates = Eigen::MatrixXd::Zero(m, dims);
  for (int c = 0; c < k; ++c)
    if (values[c] > 0) out.coordinates.col(c) = vectors.col(c) * std::sqrt(values[c]);
  double negative = 0.0, total = 0.0;
  for (Eigen::Index r = 0; r < m; ++r) {
    total += std::abs(values[r]);
    if (values[r] < 0) negative += -values[r];
  }
  out.negative_mass = total > 0 ? negative / total : 0.0;
  double residual = 0.0, norm = 0.0;
  for (Eigen::Index a = 0; a < m; ++a)
    for (Eigen::Index c = a + 1; c < m; ++c) {
      const double fitted = (out.coordinates.row(a) - out.coordinates.row(c)).norm();
      residual += (d(a, c) - fitted) * (d(a, c) - fitted);
      norm += d(a, c) * d(a, c);
    }
  out.stress = norm > 0 ? std::sqrt(residual / norm) : 0.0;
  return out;
}

}  // namespace dk
