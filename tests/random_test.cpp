// datakernel's own random conversions (src/runtime/random.hpp): known answers and distribution checks.
//
// The known answers below ARE the project's definition of its random streams: they were computed once from
// the algorithms in random.hpp (engine std::mt19937_64, seed 42) and must never change, whatever the compiler
// or standard library. If one of these tests fails, simulated data, eigen-solver starts, Mantel p-values and
// the simulated five-model set (tests/simulate_reproduces_test.sh) have changed too. tests/same_bytes_test.sh checks the same outputs (and the
// simulator's) under clang++ with libc++ against g++ with libstdc++.
//
// The distribution checks use fixed seeds, so they are deterministic; their thresholds are the 1e-4 upper
// quantiles of the reference distributions (a correct implementation passes them for almost any seed).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <vector>

#include "runtime/random.hpp"

namespace {

using dk::rand::Engine;

double chi_square(const std::vector<long>& counts, double expected) {
  double x2 = 0.0;
  for (long c : counts) x2 += (c - expected) * (c - expected) / expected;
  return x2;
}

TEST(RandomKnownAnswers, EngineIsTheStandardMt19937_64) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64 is 9981545732273789042.
  Engine e;
  e.discard(9999);
  EXPECT_EQ(e(), 9981545732273789042ULL);
}

TEST(RandomKnownAnswers, Uniform01) {
  Engine e(42);
  const std::array<double, 4> expected = {0x1.82a3befaddcbcp-1, 0x1.472f1f73724ap-1, 0x1.81192cfe1cbcfp-1,
                                          0x1.171621fc50d68p-3};
  for (double x : expected) EXPECT_EQ(dk::rand::uniform01(e), x);
  // And the definition itself: the top 53 bits of one draw.
  Engine a(7), b(7);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(dk::rand::uniform01(a), static_cast<double>(b() >> 11) * 0x1p-53);
}

TEST(RandomKnownAnswers, UniformBelow) {
  {
    Engine e(42);
    const std::array<std::uint64_t, 8> expected = {7, 6, 7, 1, 9, 0, 5, 3};
    for (std::uint64_t x : expected) EXPECT_EQ(dk::rand::uniform_below(e, 10), x);
  }
  {
    Engine e(42);
    const std::array<std::uint64_t, 4> expected = {755155538, 639031398, 752145206, 136272684};
    for (std::uint64_t x : expected) EXPECT_EQ(dk::rand::uniform_below(e, 1000000007ULL), x);
  }
  {
    // The definition without rejection: the high word of draw · n (n small, so rejection is all but impossible).
    Engine a(9), b(9);
    for (int i = 0; i < 1000; ++i) {
      const auto m = static_cast<unsigned __int128>(b()) * 12345U;
      EXPECT_EQ(dk::rand::uniform_below(a, 12345), static_cast<std::uint64_t>(m >> 64));
    }
  }
  Engine e(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(dk::rand::uniform_below(e, 1), 0U);
}

TEST(RandomKnownAnswers, UniformBelowRejectsExactlyAsSpecified) {
  // n = 2^63 + 1: the threshold (2^64 - n) mod n = 2^63 - 1, so about half of the draws are rejected. Replay
  // the specification draw by draw on a second engine.
  const std::uint64_t n = (std::uint64_t{1} << 63) + 1;
  const std::uint64_t threshold = (0 - n) % n;
  ASSERT_EQ(threshold, (std::uint64_t{1} << 63) - 1);
  Engine a(3), b(3);
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    std::uint64_t expected = 0;
    for (;;) {
      const auto m = static_cast<unsigned __int128>(b()) * n;
      if (static_cast<std::uint64_t>(m) >= threshold) {
        expected = static_cast<std::uint64_t>(m >> 64);
        break;
      }
      ++rejected;
    }
    EXPECT_EQ(dk::rand::uniform_below(a, n), expected);
  }
  EXPECT_GT(rejected, 800);
  EXPECT_EQ(a(), b());  // both consumed the same number of draws
}

TEST(RandomKnownAnswers, StandardNormal) {
  Engine e(42);
  const std::array<double, 4> expected = {0x1.4b37d0b4daa8fp+0, 0x1.978762f4a05dcp-2, 0x1.1e599fb914974p+0,
                                          -0x1.7e03e64e8ab37p+0};
  for (double x : expected) EXPECT_EQ(dk::rand::standard_normal(e), x);
}

TEST(RandomKnownAnswers, UniformInterval) {
  Engine e(42);
  const std::array<double, 4> expected = {0x1.05477df5bb978p-2, 0x1.1cbc7dcdc928p-3, 0x1.023259fc3979ep-2,
                                          -0x1.7474ef01d794cp-2};
  for (double x : expected) EXPECT_EQ(dk::rand::uniform(e, -0.5, 0.5), x);
}

TEST(RandomKnownAnswers, Shuffle) {
  Engine e(42);
  std::vector<int> v(10);
  std::iota(v.begin(), v.end(), 0);
  dk::rand::shuffle(v.begin(), v.end(), e);
  EXPECT_EQ(v, (std::vector<int>{3, 4, 1, 2, 9, 8, 0, 6, 5, 7}));
  // Fisher–Yates from the back, as specified.
  Engine a(5), b(5);
  std::vector<int> x(57), y(57);
  std::iota(x.begin(), x.end(), 0);
  std::iota(y.begin(), y.end(), 0);
  dk::rand::shuffle(x.begin(), x.end(), a);
  for (std::uint64_t i = y.size(); i > 1; --i) std::swap(y[i - 1], y[dk::rand::uniform_below(b, i)]);
  EXPECT_EQ(x, y);
  std::vector<int> empty;
  dk::rand::shuffle(empty.begin(), empty.end(), a);  // no draw, no crash
  EXPECT_EQ(a(), b());
}

TEST(RandomDistribution, Uniform01IsUniform) {
  for (std::uint64_t seed : {1, 2, 3}) {
    Engine e(seed);
    const int bins = 100, draws = 200000;
    std::vector<long> counts(bins, 0);
    double sum = 0.0;
    for (int i = 0; i < draws; ++i) {
      const double u = dk::rand::uniform01(e);
      ASSERT_GE(u, 0.0);
      ASSERT_LT(u, 1.0);
      sum += u;
      ++counts[static_cast<int>(u * bins)];
    }
    EXPECT_LT(chi_square(counts, static_cast<double>(draws) / bins), 160.06) << "seed " << seed;  // df 99, 1e-4 quantile
    EXPECT_NEAR(sum / draws, 0.5, 4.0 * std::sqrt(1.0 / 12.0 / draws)) << "seed " << seed;
  }
}

TEST(RandomDistribution, UniformBelowIsUnbiasedForSmallN) {
  for (std::uint64_t n : {2, 3, 7, 10}) {
    for (std::uint64_t seed : {11, 12, 13}) {
      Engine e(seed);
      const long draws = 50000 * static_cast<long>(n);
      std::vector<long> counts(n, 0);
      for (long i = 0; i < draws; ++i) {
        const std::uint64_t k = dk::rand::uniform_below(e, n);
        ASSERT_LT(k, n);
        ++counts[k];
      }
      // 1e-4 quantiles of chi-square with n - 1 degrees of freedom.
      const std::map<std::uint64_t, double> limit = {{2, 15.14}, {3, 18.42}, {7, 27.86}, {10, 33.72}};
      EXPECT_LT(chi_square(counts, 50000.0), limit.at(n)) << "n " << n << ", seed " << seed;
    }
  }
}

TEST(RandomDistribution, UniformBelowIsUnbiasedForLargeNNotAPowerOfTwo) {
  // n = 3 · 2^62. Reducing a draw modulo n would put half of the values below n/3 (instead of a third);
  // multiply-shift without the rejection step would make multiples of 3 twice as likely (half instead of a
  // third). Both fractions must be 1/3.
  const std::uint64_t n = std::uint64_t{3} << 62;
  for (std::uint64_t seed : {21, 22, 23}) {
    Engine e(seed);
    const int draws = 300000;
    long below_third = 0, multiple_of_3 = 0;
    for (int i = 0; i < draws; ++i) {
      const std::uint64_t k = dk::rand::uniform_below(e, n);
      ASSERT_LT(k, n);
      below_third += k < n / 3;
      multiple_of_3 += k % 3 == 0;
    }
    const double se = std::sqrt(1.0 / 3.0 * 2.0 / 3.0 / draws);
    EXPECT_NEAR(static_cast<double>(below_third) / draws, 1.0 / 3.0, 4.5 * se) << "seed " << seed;
    EXPECT_NEAR(static_cast<double>(multiple_of_3) / draws, 1.0 / 3.0, 4.5 * se) << "seed " << seed;
  }
}

TEST(RandomDistribution, StandardNormalMomentsAndShape) {
  for (std::uint64_t seed : {31, 32, 33}) {
    Engine e(seed);
    const int draws = 200000;
    std::vector<double> x(draws);
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (double& v : x) {
      v = dk::rand::standard_normal(e);
      m1 += v;
      m2 += v * v;
      m3 += v * v * v;
      m4 += v * v * v * v;
    }
    m1 /= draws, m2 /= draws, m3 /= draws, m4 /= draws;
    // Standard errors: mean 1/√N, E x² √(2/N), E x³ √(15/N), E x⁴ √(96/N); 4.5 of them.
    const double r = 4.5 / std::sqrt(static_cast<double>(draws));
    EXPECT_NEAR(m1, 0.0, r) << "seed " << seed;
    EXPECT_NEAR(m2, 1.0, r * std::sqrt(2.0)) << "seed " << seed;
    EXPECT_NEAR(m3, 0.0, r * std::sqrt(15.0)) << "seed " << seed;
    EXPECT_NEAR(m4, 3.0, r * std::sqrt(96.0)) << "seed " << seed;
    // Kolmogorov–Smirnov against Φ: √N · D < 1.95 (p ≈ 0.001).
    std::sort(x.begin(), x.end());
    double d = 0.0;
    for (int i = 0; i < draws; ++i) {
      const double phi = 0.5 * std::erfc(-x[i] / std::sqrt(2.0));
      d = std::max({d, std::abs(phi - static_cast<double>(i) / draws), std::abs(static_cast<double>(i + 1) / draws - phi)});
    }
    EXPECT_LT(std::sqrt(static_cast<double>(draws)) * d, 1.95) << "seed " << seed;
  }
}

TEST(RandomDistribution, ShuffleGivesEveryPermutationEqually) {
  for (std::uint64_t seed : {41, 42, 43}) {
    Engine e(seed);
    std::map<std::array<int, 4>, long> seen;
    const int draws = 240000;  // 24 permutations, 10,000 each expected
    for (int i = 0; i < draws; ++i) {
      std::array<int, 4> p = {0, 1, 2, 3};
      dk::rand::shuffle(p.begin(), p.end(), e);
      ++seen[p];
    }
    ASSERT_EQ(seen.size(), 24U);
    std::vector<long> counts;
    for (const auto& [p, c] : seen) counts.push_back(c);
    EXPECT_LT(chi_square(counts, draws / 24.0), 57.07) << "seed " << seed;  // df 23, 1e-4 quantile
  }
}

}  // namespace
