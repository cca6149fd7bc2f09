#include "inference/uniformity.hpp"

#include <algorithm>
#include <cmath>

namespace dk {

double kolmogorov_survival(double x) {
  if (x <= 0.0) return 1.0;
  if (x < 0.2) return 1.0;  // the series converges slowly here and the value is 1 to double precision
  double sum = 0.0;
  for (int k = 1; k <= 100; ++k) {
    const double term = std::exp(-2.0 * k * k * x * x);
    sum += (k % 2 == 1 ? 2.0 : -2.0) * term;
    if (term < 1e-16) break;
  }
  return std::clamp(sum, 0.0, 1.0);
}

KsResult ks_uniform(std::vector<double> values) {
  KsResult out;
  const std::size_t n = values.size();
  if (n == 0) return out;
  std::sort(values.begin(), values.end());
  double d = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = std::clamp(values[i], 0.0, 1.0);
    d = std::max({d, static_cast<double>(i + 1) / n - x, x - static_cast<double>(i) / n});
  }
  out.statistic = d;
  const double root = std::sqrt(static_cast<double>(n));
  out.p_value = kolmogorov_survival((root + 0.12 + 0.11 / root) * d);
  return out;
}

}  // namespace dk
