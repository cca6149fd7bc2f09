// Classical multidimensional scaling of a precomputed dissimilarity matrix D (not of its rows):
// B = −½ J D⁽²⁾ J with J = I − 11ᵀ/m and D⁽²⁾ the elementwise squares; coordinates V·√λ₊ from the top
// eigenpairs. Reports all eigenvalues, the share of negative eigenvalue mass (how far D is from Euclidean)
// and Kruskal's stress-1 of the fitted configuration.
#pragma once

#include <Eigen/Core>

namespace dk {

struct CmdsResult {
  Eigen::MatrixXd coordinates;  // m × dims (columns with λ ≤ 0 are zero)
  Eigen::VectorXd eigenvalues;  // all m, descending
  double negative_mass = 0.0;   // Σ|λ<0| / Σ|λ|
  double stress = 0.0;          // sqrt(Σ(D_ij − d̂_ij)² / Σ D_ij²) over i<j
};

CmdsResult classical_mds(const Eigen::MatrixXd& dissimilarity, int dims);

}  // namespace dk
