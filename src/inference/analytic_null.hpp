// The analytic null of the omnibus statistic: the omnibus central limit theorem (Levin et al. 2017, "A central
// limit theorem for an omnibus embedding of multiple random graphs"), for two independent graphs of one random
// dot product graph with latent positions X (n × d) and signature S (P = X S Xᵀ).
//
// To first order, block l of the two-graph omnibus embedding is ((3A_l + A_other)/4) X G⁻¹ S with G = XᵀX, so
// D_i = Ẑ¹_i − Ẑ²_i ≈ ½ Σ_j (A¹_ij − A²_ij) x_jᵀ G⁻¹ S: mean 0 and covariance
//   Σ_i = ½ S G⁻¹ C_i G⁻¹ S,   C_i = Σ_j p_ij (1 − p_ij) x_j x_jᵀ.
// (One block alone has covariance (5/8) G⁻¹ C_i G⁻¹, Levin et al.'s (m + 3)/(4m) for m = 2.) T_i² = ‖D_i‖² is
// then a weighted sum of χ²₁ with weights the eigenvalues of Σ_i; its p-value is taken from the scaled χ² with
// the same mean and variance (Satterthwaite): g = tr(Σ²)/tr(Σ), ν = tr(Σ)²/tr(Σ²).
// C_i for all i in O(n d⁴) by GEMM, without forming P: Σ_j p_ij vec(x_j x_jᵀ) = (Wᵀ X) S x_i and
// Σ_j p_ij² vec(x_j x_jᵀ) = (Wᵀ W) vec(S x_i x_iᵀ S), where row j of W is vec(x_j x_jᵀ). Probabilities are not
// clipped (the theorem's setting), and p_ii is excluded (hollow graphs).
#pragma once

#include <vector>

#include <Eigen/Core>

namespace dk {

struct AnalyticNullTerms {
  Eigen::VectorXd trace;         // tr(Σ_i)   = E[T_i²]
  Eigen::VectorXd trace_square;  // tr(Σ_i²)  = Var[T_i²] / 2
};

AnalyticNullTerms analytic_null_terms(const Eigen::MatrixXd& x, const Eigen::VectorXd& signature);

// One-sided p-values of the observed T_i under the analytic null.
std::vector<double> analytic_null_p_values(const Eigen::VectorXd& statistic, const AnalyticNullTerms& terms);

}  // namespace dk
