#include "datakernel/embed/dimension.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace dk {

std::vector<double> profile_log_likelihood(const std::vector<double>& values) {
  const std::size_t n = values.size();
  std::vector<double> out;
  if (n < 2) return out;
  std::vector<double> sum(n + 1, 0.0), sum_sq(n + 1, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    sum[r + 1] = sum[r] + values[r];
    sum_sq[r + 1] = sum_sq[r] + values[r] * values[r];
  }
  // Denominator N-2 (unbiased with two means); with N = 2 it would be 0, use N then.
  const double denominator = n > 2 ? static_cast<double>(n - 2) : static_cast<double>(n);
  for (std::size_t q = 1; q < n; ++q) {
    const double n1 = static_cast<double>(q), n2 = static_cast<double>(n - q);
    const double s1 = sum[q], s2 = sum[n] - sum[q];
    const double ss1 = sum_sq[q] - s1 * s1 / n1;
    const double ss2 = (sum_sq[n] - sum_sq[q]) - s2 * s2 / n2;
    const double squares = std::max(0.0, ss1) + std::max(0.0, ss2);
    const double variance = squares / denominator;
    if (variance <= 0.0) {
      out.push_back(std::numeric_limits<double>::infinity());  // both parts constant: a perfect split
      continue;
    }
    out.push_back(-0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi * variance) -
                  squares / (2.0 * variance));
  }
  return out;
}

ElbowResult zhu_ghodsi_elbows(const std::vector<double>& values, int elbows) {
  ElbowResult result;
  std::size_t offset = 0;
  for (int e = 0; e < elbows; ++e) {
    if (values.size() - offset < 2) break;
    const std::vector<double> tail(values.begin() + static_cast<std::ptrdiff_t>(offset), values.end());
    const std::vector<double> profile = profile_log_likelihood(tail);
    if (e == 0) result.log_likelihood = profile;
    const auto best = std::max_element(profile.begin(), profile.end());  // first maximum wins ties
    offset += static_cast<std::size_t>(best - profile.begin()) + 1;
    result.elbows.push_back(static_cast<int>(offset));
  }
  return result;
}

}  // namespace dk
