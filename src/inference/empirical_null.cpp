#include "datakernel/inference/empirical_null.hpp"

#include <algorithm>
#include <cmath>

namespace dk {

namespace {
constexpr double kNormalQuartile = 0.6744897501960817;  // Φ⁻¹(0.75)
constexpr std::int64_t kMinimumFitted = 10;
}  // namespace

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
}

double box_cox(double x, double lambda) {
  return lambda == 0.0 ? std::log(x) : (std::pow(x, lambda) - 1.0) / lambda;
}

double normal_upper_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

std::vector<double> spread_ties(std::vector<double> sorted, double resolution) {
  if (!(resolution > 0.0)) return sorted;
  for (std::size_t first = 0; first < sorted.size();) {
    std::size_t end = first;
    while (end < sorted.size() && sorted[end] == sorted[first]) ++end;
    const double v = sorted[first], width = std::min(resolution, v), m = static_cast<double>(end - first);
    if (end - first > 1)
      for (std::size_t t = first; t < end; ++t)
        sorted[t] = v + width * ((static_cast<double>(t - first) + 0.5) / m - 0.5);
    first = end;
  }
  return sorted;
}

EmpiricalNull fit_empirical_null(const Eigen::VectorXd& statistic, const EmpiricalNullOptions& options) {
  EmpiricalNull null;
  null.resolution = options.resolution;
  std::vector<double> positive;
  positive.reserve(static_cast<std::size_t>(statistic.size()));
  for (Eigen::Index i = 0; i < statistic.size(); ++i) {
    if (statistic[i] > 0.0 && std::isfinite(statistic[i])) positive.push_back(statistic[i]);
    else ++null.zeros;
  }
  std::sort(positive.begin(), positive.end());
  positive = spread_ties(std::move(positive), options.resolution);
  if (options.zeros_within_resolution && options.resolution > 0.0 && null.zeros > 0) {
    // At a known resolution a statistic of 0 is "less than one step": the zeros enter the quartiles spread
    // evenly over (0, resolution), below every positive statistic (which is at least one step).
    const auto m = static_cast<double>(null.zeros);
    for (std::int64_t t = 0; t < null.zeros; ++t)
      positive.push_back(options.resolution * (static_cast<double>(t) + 0.5) / m);
    std::sort(positive.begin(), positive.end());
  }
  null.fitted = static_cast<std::int64_t>(positive.size());
  if (null.fitted < kMinimumFitted) {
    null.degenerate = true;
    return null;
  }
  // h_λ is increasing, so the quartiles of h_λ(x) are h_λ of the quartiles of x.
  const double q25 = quantile(positive, 0.25), q50 = quantile(positive, 0.5), q75 = quantile(positive, 0.75);
  if (!(q25 > 0.0 && q75 > q50 && q50 > q25)) {
    null.degenerate = true;
    return null;
  }
  // Quartile asymmetry (q75 − q50) − (q50 − q25) on the h_λ scale: positive = right-skewed. It increases with λ
  // (a smaller λ compresses the upper values more): bisection on [0, 1], or the end nearer to symmetry.
  auto asymmetry = [&](double lambda) {
    return box_cox(q75, lambda) - 2.0 * box_cox(q50, lambda) + box_cox(q25, lambda);
  };
  double lo = 0.0, hi = 1.0;
  if (options.fixed_lambda >= 0.0) null.lambda = std::min(options.fixed_lambda, 1.0);
  else if (asymmetry(lo) >= 0.0) null.lambda = 0.0;
  else if (asymmetry(hi) <= 0.0) null.lambda = 1.0;
  else {
    for (int step = 0; step < 60; ++step) {
      const double mid = 0.5 * (lo + hi);
      (asymmetry(mid) > 0.0 ? hi : lo) = mid;
    }
    null.lambda = 0.5 * (lo + hi);
  }
  null.centre = box_cox(q50, null.lambda);
  null.scale = (box_cox(q75, null.lambda) - null.centre) / kNormalQuartile;
  null.degenerate = !(null.scale > 0.0);
  return null;
}

std::vector<double> empirical_null_p_values(const Eigen::VectorXd& statistic, const EmpiricalNull& null) {
  std::vector<double> p(static_cast<std::size_t>(statistic.size()), 1.0);
  if (null.degenerate) return p;
  for (Eigen::Index i = 0; i < statistic.size(); ++i)
    if (statistic[i] > 0.0 && std::isfinite(statistic[i]))
      p[i] = normal_upper_tail((box_cox(statistic[i], null.lambda) - null.centre) / null.scale);
  return p;
}

}  // namespace dk
