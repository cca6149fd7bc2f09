#include "inference/analytic_null.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>
#include <unsupported/Eigen/SpecialFunctions>

namespace dk {
namespace {

// Rows r0 .. r0 + rows − 1 of y as the rows vec(y_i y_iᵀ) of `out` (its top `rows` rows).
void outer_product_rows(const Eigen::MatrixXd& y, Eigen::Index r0, Eigen::Index rows, Eigen::MatrixXd& out) {
  const Eigen::Index d = y.cols();
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index a = 0; a < d; ++a)
      for (Eigen::Index b = 0; b < d; ++b) out(r, a * d + b) = y(r0 + r, a) * y(r0 + r, b);
}

}  // namespace

AnalyticNullTerms analytic_null_terms(const Eigen::MatrixXd& x, const Eigen::VectorXd& signature) {
  const Eigen::Index n = x.rows(), d = x.cols(), d2 = d * d;
  const Eigen::MatrixXd xs = x * signature.asDiagonal();  // rows x_i S
  constexpr Eigen::Index kBlock = 2048;
  // First pass: Wᵀ X (d² × d) and Wᵀ W (d² × d²), W row j = vec(x_j x_jᵀ), accumulated over row blocks.
  Eigen::MatrixXd wx = Eigen::MatrixXd::Zero(d2, d), ww = Eigen::MatrixXd::Zero(d2, d2);
  Eigen::MatrixXd w(std::min(kBlock, n), d2);
  for (Eigen::Index r0 = 0; r0 < n; r0 += kBlock) {
    const Eigen::Index rows = std::min(kBlock, n - r0);
    outer_product_rows(x, r0, rows, w);
    wx.noalias() += w.topRows(rows).transpose() * x.middleRows(r0, rows);
    ww.noalias() += w.topRows(rows).transpose() * w.topRows(rows);
  }
  const Eigen::MatrixXd gram = x.transpose() * x;
  const Eigen::MatrixXd gram_inverse = gram.ldlt().solve(Eigen::MatrixXd::Identity(d, d));
  AnalyticNullTerms terms;
  terms.trace.resize(n);
  terms.trace_square.resize(n);
  // Second pass: vec(C_i) = (Wᵀ X) S x_i − (Wᵀ W) vec(S x_i x_iᵀ S) − (p_ii − p_ii²) vec(x_i x_iᵀ).
  Eigen::MatrixXd v(std::min(kBlock, n), d2);
  for (Eigen::Index r0 = 0; r0 < n; r0 += kBlock) {
    const Eigen::Index rows = std::min(kBlock, n - r0);
    outer_product_rows(xs, r0, rows, v);
    Eigen::MatrixXd c = xs.middleRows(r0, rows) * wx.transpose();
    c.noalias() -= v.topRows(rows) * ww;  // ww is symmetric
    for (Eigen::Index r = 0; r < rows; ++r) {
      const Eigen::Index i = r0 + r;
      const double self = x.row(i).dot(xs.row(i));
      Eigen::MatrixXd ci = Eigen::Map<const Eigen::MatrixXd>(c.row(r).eval().data(), d, d);
      ci -= (self - self * self) * x.row(i).transpose() * x.row(i);
      // Σ_i = ½ S G⁻¹ C_i G⁻¹ S; traces are invariant under S.
      const Eigen::MatrixXd sigma = 0.5 * gram_inverse * ci * gram_inverse;
      terms.trace[i] = sigma.trace();
      terms.trace_square[i] = (sigma * sigma).trace();
    }
  }
  return terms;
}

std::vector<double> analytic_null_p_values(const Eigen::VectorXd& statistic, const AnalyticNullTerms& terms) {
  std::vector<double> p(static_cast<std::size_t>(statistic.size()), 1.0);
  for (Eigen::Index i = 0; i < statistic.size(); ++i) {
    const double mean = terms.trace[i], square = terms.trace_square[i];
    if (!(mean > 0.0) || !(square > 0.0)) continue;  // no variance: nothing can be told apart
    const double scale = square / mean, dof = mean * mean / square;
    p[static_cast<std::size_t>(i)] =
        Eigen::numext::igammac(dof / 2.0, statistic[i] * statistic[i] / (2.0 * scale));
  }
  return p;
}

}  // namespace dk
