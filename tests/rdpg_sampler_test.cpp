// Random dot product graph samplers: pair frequencies against the exact probabilities (chi-square over pairs,
// several seeds), the correlated pair's joint frequencies, the edge-correlation estimate, and the cost formulas
// against brute force.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "inference/rdpg_sampler.hpp"

namespace dk {
namespace {

// n latent positions in R^3 with S = diag(1, 1, −1): probabilities x_iᵀ S x_j spread over about [−0.15, 1.2],
// so clipping at both ends is exercised.
LatentPositions indefinite_positions(std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd x(n, 3);
  for (std::int64_t i = 0; i < n; ++i) x.row(i) << 0.2 + 0.9 * u(rng), 0.6 * u(rng) - 0.3, 0.5 * u(rng);
  Eigen::VectorXd eigenvalues(3);
  eigenvalues << 3.0, 1.0, -0.5;
  return latent_positions(x, eigenvalues);
}

double probability(const LatentPositions& x, std::int64_t i, std::int64_t j) {
  double dot = 0.0;
  for (int c = 0; c < x.dim; ++c) dot += double(x.rows[i * x.dim + c]) * x.rows[j * x.dim + c] * x.signature[c];
  return dot;
}

struct Frequencies {
  std::vector<double> edge;   // per pair (i < j, row-major over the upper triangle)
  std::vector<double> joint;  // both graphs (correlated pairs only)
};

std::size_t pair_index(std::int64_t n, std::int64_t i, std::int64_t j) {
  return static_cast<std::size_t>(i * n - i * (i + 1) / 2 + (j - i - 1));
}

void count_edges(const Graph& g, std::vector<double>& counts) {
  for (std::int64_t i = 0; i < g.n; ++i)
    for (std::int64_t p = g.row_offsets[i]; p < g.row_offsets[i + 1]; ++p)
      if (g.columns[p] > i) counts[pair_index(g.n, i, g.columns[p])] += 1;
}

// Σ over pairs with 0 < p < 1 of (count − R p)² / (R p (1 − p)); pairs with p ≤ 0 must never appear and pairs
// with p ≥ 1 always. Returns the statistic and its degrees of freedom.
std::pair<double, double> chi_square(const LatentPositions& x, const std::vector<double>& counts, int draws,
                                     double scale = 1.0) {
  double statistic = 0.0, dof = 0.0;
  for (std::int64_t i = 0; i < x.n; ++i)
    for (std::int64_t j = i + 1; j < x.n; ++j) {
      const double p = scale * std::clamp(probability(x, i, j), 0.0, 1.0);
      const double c = counts[pair_index(x.n, i, j)];
      if (p <= 0.0) EXPECT_EQ(c, 0.0) << i << "," << j;
      else if (p >= 1.0) EXPECT_EQ(c, draws) << i << "," << j;
      else {
        statistic += (c - draws * p) * (c - draws * p) / (draws * p * (1.0 - p));
        dof += 1.0;
      }
    }
  return {statistic, dof};
}

void expect_chi_square_fits(std::pair<double, double> chi) {
  const auto [statistic, dof] = chi;
  EXPECT_GT(dof, 500.0);
  EXPECT_NEAR(statistic, dof, 4.0 * std::sqrt(2.0 * dof)) << "chi-square " << statistic << " on " << dof;
}

TEST(RdpgSampler, PairFrequenciesMatchProbabilitiesOnSeveralSeeds) {
  const std::int64_t n = 50;
  const int draws = 3000;
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const LatentPositions x = indefinite_positions(n, seed);
    std::vector<double> fast(n * (n - 1) / 2, 0.0), dense(n * (n - 1) / 2, 0.0), half(n * (n - 1) / 2, 0.0);
    for (int r = 0; r < draws; ++r) {
      pcg32 rng = replicate_generator(seed, 1, r);
      std::int64_t examined = 0;  // asking for the count forces the thinned sampler (n = 50 would pick dense)
      const Graph g = sample_rdpg(prepare_rdpg(x), rng, 1.0, &examined);
      for (std::int64_t i = 0; i < n; ++i) ASSERT_FALSE(g.has_edge(i, i));
      count_edges(g, fast);
      count_edges(sample_rdpg_dense(x, rng, 16), dense);
      count_edges(sample_rdpg(x, rng, 0.5), half);
    }
    expect_chi_square_fits(chi_square(x, fast, draws));
    expect_chi_square_fits(chi_square(x, dense, draws));
    expect_chi_square_fits(chi_square(x, half, draws, 0.5));
  }
}

TEST(RdpgSampler, ChiSquareCheckRejectsAnUnthinnedProposal) {
  // The check above can fail: frequencies of the rank-one proposal min(1, ‖x_i‖‖x_j‖) (what the sampler would
  // produce without thinning) against the true probabilities.
  const std::int64_t n = 50;
  const int draws = 3000;
  const LatentPositions x = indefinite_positions(n, 1);
  std::vector<double> proposal(n * (n - 1) / 2, 0.0);
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto norm = [&](std::int64_t i) {
    double s = 0.0;
    for (int c = 0; c < 3; ++c) s += double(x.rows[i * 3 + c]) * x.rows[i * 3 + c];
    return std::sqrt(s);
  };
  for (int r = 0; r < draws; ++r)
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = i + 1; j < n; ++j)
        if (u(rng) < std::min(1.0, norm(i) * norm(j)) && probability(x, i, j) > 0.0)
          proposal[pair_index(n, i, j)] += 1;
  const auto [statistic, dof] = chi_square(x, proposal, draws);
  EXPECT_GT(statistic, dof + 20.0 * std::sqrt(2.0 * dof));
}

TEST(RdpgSampler, CorrelatedPairsHaveTheRightMarginalsAndJointFrequencies) {
  const std::int64_t n = 50;
  const int draws = 3000;
  for (const double rho : {0.0, 0.5, 0.9}) {
    const LatentPositions x = indefinite_positions(n, 7);
    std::vector<double> first(n * (n - 1) / 2, 0.0), second(first), both(first);
    for (int r = 0; r < draws; ++r) {
      pcg32 rng = replicate_generator(11, 2, r);
      const auto [a, b] = sample_correlated_rdpg(x, rho, rng);
      count_edges(a, first);
      count_edges(b, second);
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t p = a.row_offsets[i]; p < a.row_offsets[i + 1]; ++p)
          if (a.columns[p] > i && b.has_edge(i, a.columns[p])) both[pair_index(n, i, a.columns[p])] += 1;
    }
    expect_chi_square_fits(chi_square(x, first, draws));
    expect_chi_square_fits(chi_square(x, second, draws));
    // Joint: P(A_ij = B_ij = 1) = p² + ρ p (1 − p); summed over pairs, against its binomial spread.
    double observed = 0.0, expected = 0.0, variance = 0.0;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = i + 1; j < n; ++j) {
        const double p = std::clamp(probability(x, i, j), 0.0, 1.0);
        const double q = p * p + rho * p * (1.0 - p);
        observed += both[pair_index(n, i, j)];
        expected += draws * q;
        variance += draws * q * (1.0 - q);
      }
    EXPECT_NEAR(observed, expected, 4.0 * std::sqrt(variance)) << "rho " << rho;
  }
}

TEST(RdpgSampler, EdgeCorrelationEstimateRecoversRho) {
  // Two groups of 1,000: within 0.05, across 0.01 (x = (a, b) rows chosen to give those products).
  const std::int64_t n = 2000;
  Eigen::MatrixXd xm(n, 2);
  for (std::int64_t i = 0; i < n; ++i)
    if (i < n / 2) xm.row(i) << std::sqrt(0.03), std::sqrt(0.02);
    else xm.row(i) << std::sqrt(0.03), -std::sqrt(0.02);  // within 0.05, across 0.01
  const LatentPositions x = latent_positions(xm, Eigen::VectorXd::Ones(2));
  for (const double rho : {0.0, 0.3, 0.8})
    for (std::uint64_t seed : {1u, 2u}) {
      pcg32 rng = replicate_generator(seed, 3, 0);
      const auto [a, b] = sample_correlated_rdpg(x, rho, rng);
      EXPECT_NEAR(estimate_edge_correlation(a, b, x), rho, 0.03) << "rho " << rho << " seed " << seed;
    }
}

TEST(RdpgSampler, ProposalsMatchTheirExpectation) {
  // The mean number of examined pairs over draws must lie between the expected proposals and 1/0.9 of them;
  // those lie between the expected edges and all pairs and equal Σ_{i<j} min(1, ‖x_i‖‖x_j‖) (brute force).
  const LatentPositions x = indefinite_positions(300, 5);
  const RdpgPrepared prepared = prepare_rdpg(x);
  double brute = 0.0;
  for (std::int64_t i = 0; i < x.n; ++i)
    for (std::int64_t j = i + 1; j < x.n; ++j) {
      double wi = 0.0, wj = 0.0;
      for (int c = 0; c < 3; ++c) {
        wi += double(x.rows[i * 3 + c]) * x.rows[i * 3 + c];
        wj += double(x.rows[j * 3 + c]) * x.rows[j * 3 + c];
      }
      brute += std::min(1.0, std::sqrt(wi * wj) * (1.0 + 1e-6) * (1.0 + 1e-6));
    }
  double clipped = 0.0;
  for (std::int64_t i = 0; i < x.n; ++i)
    for (std::int64_t j = i + 1; j < x.n; ++j) clipped += std::clamp(probability(x, i, j), 0.0, 1.0);
  const double expected = prepared.expected_proposals;
  EXPECT_NEAR(expected, brute, 1e-9 * brute);
  EXPECT_GE(expected, clipped);
  EXPECT_LE(expected, 300.0 * 299.0 / 2.0);
  const int draws = 400;
  double sum = 0.0, sum_square = 0.0;
  std::vector<double> counts(300 * 299 / 2, 0.0);
  for (int r = 0; r < draws; ++r) {
    pcg32 rng = replicate_generator(8, 4, r);
    std::int64_t proposals = 0;
    count_edges(sample_rdpg(prepared, rng, 1.0, &proposals), counts);
    sum += proposals;
    sum_square += double(proposals) * proposals;
  }
  const double mean = sum / draws, sd = std::sqrt(sum_square / draws - mean * mean);
  EXPECT_GE(mean, expected - 4.0 * sd / std::sqrt(draws));  // the bound is lowered in steps of 10%
  EXPECT_LE(mean, expected / 0.9 + 4.0 * sd / std::sqrt(draws));
  const auto [statistic, dof] = chi_square(x, counts, draws);
  EXPECT_NEAR(statistic, dof, 4.0 * std::sqrt(2.0 * dof));
}

TEST(RdpgSampler, ExpectedEdgesMatchBruteForce) {
  const LatentPositions x = indefinite_positions(300, 5);
  double edges = 0.0;
  for (std::int64_t i = 0; i < x.n; ++i)
    for (std::int64_t j = i + 1; j < x.n; ++j) edges += probability(x, i, j);
  EXPECT_NEAR(rdpg_expected_edges(x), edges, 1e-9 * std::abs(edges));
}

}  // namespace
}  // namespace dk
