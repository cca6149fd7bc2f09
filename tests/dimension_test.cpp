// Zhu–Ghodsi profile likelihood: known elbows, and the O(N) profile against a direct computation.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "datakernel/embed/dimension.hpp"

namespace dk {
namespace {

// ℓ(q) computed directly from its definition.
double direct_log_likelihood(const std::vector<double>& s, std::size_t q) {
  const std::size_t n = s.size();
  double mu1 = 0, mu2 = 0;
  for (std::size_t r = 0; r < q; ++r) mu1 += s[r] / q;
  for (std::size_t r = q; r < n; ++r) mu2 += s[r] / (n - q);
  double squares = 0;
  for (std::size_t r = 0; r < n; ++r) squares += std::pow(s[r] - (r < q ? mu1 : mu2), 2);
  const double var = squares / (n - 2);
  double ll = 0;
  for (std::size_t r = 0; r < n; ++r)
    ll += -0.5 * std::log(2 * std::numbers::pi * var) - std::pow(s[r] - (r < q ? mu1 : mu2), 2) / (2 * var);
  return ll;
}

TEST(ZhuGhodsi, ProfileMatchesDirectFormula) {
  std::mt19937_64 rng(1);
  std::exponential_distribution<double> e(1.0);
  std::vector<double> s(40);
  for (double& v : s) v = e(rng);
  std::sort(s.rbegin(), s.rend());
  const auto profile = profile_log_likelihood(s);
  ASSERT_EQ(profile.size(), s.size() - 1);
  for (std::size_t q = 1; q < s.size(); ++q)
    EXPECT_NEAR(profile[q - 1], direct_log_likelihood(s, q), 1e-9 * std::abs(profile[q - 1])) << "q = " << q;
}

TEST(ZhuGhodsi, FindsKnownElbows) {
  // Three levels with small jitter: 5 values near 100, 7 near 30, 30 near 2.
  std::mt19937_64 rng(2);
  std::normal_distribution<double> jitter(0.0, 0.5);
  std::vector<double> s;
  for (int i = 0; i < 5; ++i) s.push_back(100 + jitter(rng));
  for (int i = 0; i < 7; ++i) s.push_back(30 + jitter(rng));
  for (int i = 0; i < 30; ++i) s.push_back(2 + 0.1 * jitter(rng));
  std::sort(s.rbegin(), s.rend());
  const ElbowResult result = zhu_ghodsi_elbows(s, 2);
  ASSERT_EQ(result.elbows.size(), 2u);
  EXPECT_EQ(result.elbows[0], 5);
  EXPECT_EQ(result.elbows[1], 12);
}

TEST(ZhuGhodsi, StopsWhenTheTailRunsOut) {
  const std::vector<double> s = {10, 9, 1};
  const ElbowResult result = zhu_ghodsi_elbows(s, 3);
  EXPECT_EQ(result.elbows.front(), 2);
  EXPECT_LE(result.elbows.size(), 2u);
}

}  // namespace
}  // namespace dk
