// Population level: model distance, classical MDS, correlations and the Mantel test, on known answers.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "datakernel/population/cmds.hpp"
#include "datakernel/population/correlation.hpp"
#include "datakernel/population/model_distance.hpp"

namespace dk {
namespace {

TEST(ModelDistance, KnownRatio) {
  Eigen::MatrixXd z(4, 2);
  z << 1, 2, 3, 4, 5, 6, 7, 8;
  EXPECT_NEAR(model_distance(2.0 * z, z), 1.0 / 1.5, 1e-15);
  EXPECT_EQ(model_distance(z, z), 0.0);
}

TEST(Cmds, RecoversPlanarConfiguration) {
  Eigen::MatrixXd points(6, 2);
  points << 0, 0, 3, 0, 0, 4, -2, 1, 1.5, -2, 5, 5;
  Eigen::MatrixXd d(6, 6);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) d(i, j) = (points.row(i) - points.row(j)).norm();
  const CmdsResult result = classical_mds(d, 2);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j)
      EXPECT_NEAR((result.coordinates.row(i) - result.coordinates.row(j)).norm(), d(i, j), 1e-9);
  EXPECT_NEAR(result.stress, 0.0, 1e-9);
  EXPECT_NEAR(result.negative_mass, 0.0, 1e-9);
  EXPECT_NEAR(result.eigenvalues[2], 0.0, 1e-9);  // planar: rank 2
  // Centred at the origin.
  EXPECT_NEAR(result.coordinates.col(0).sum(), 0.0, 1e-9);
}

TEST(Cmds, ReportsNonEuclideanDissimilarity) {
  // Violates the triangle inequality: not embeddable, so negative eigenvalues and positive stress.
  Eigen::MatrixXd d(3, 3);
  d << 0, 1, 5, 1, 0, 1, 5, 1, 0;
  const CmdsResult result = classical_mds(d, 2);
  EXPECT_GT(result.negative_mass, 0.0);
  EXPECT_GT(result.stress, 0.01);
}

TEST(Correlation, PearsonSpearmanKnownValues) {
  EXPECT_NEAR(pearson_correlation({1, 2, 3, 4}, {2, 4, 6, 8}), 1.0, 1e-15);
  EXPECT_NEAR(pearson_correlation({1, 2, 3}, {1, 3, 2}), 0.5, 1e-15);
  EXPECT_NEAR(spearman_correlation({1, 2, 3, 4}, {1, 8, 27, 64}), 1.0, 1e-15);  // monotone, not linear
  EXPECT_EQ(average_ranks({10, 20, 20, 5}), (std::vector<double>{2, 3.5, 3.5, 1}));
  EXPECT_TRUE(std::isnan(pearson_correlation({1, 1, 1}, {1, 2, 3})));
}

TEST(Mantel, ExactPermutationPValue) {
  // Models on a line, symmetric about its middle; distance = |metric difference| exactly. Only the identity
  // and the reversal of the labels keep |r| = 1, so the exact two-sided p is 2/5! = 1/60.
  const std::vector<double> metric = {0.0, 1.0, 3.0, 5.0, 6.0};
  Eigen::MatrixXd d(5, 5);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) d(i, j) = std::abs(metric[i] - metric[j]);
  const MetricCorrelation c = correlate_with_metric(d, metric, "m", {});
  EXPECT_TRUE(c.exact);
  EXPECT_EQ(c.permutations, 120);
  EXPECT_EQ(c.pairs, 10);
  EXPECT_NEAR(c.pearson, 1.0, 1e-12);
  EXPECT_NEAR(c.spearman, 1.0, 1e-12);
  EXPECT_NEAR(c.pearson_p, 2.0 / 120.0, 1e-12);
  // Asymmetric spacing: only the identity keeps |r| = 1, p = 1/120.
  const std::vector<double> asymmetric = {0.0, 1.0, 2.5, 4.0, 7.0};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) d(i, j) = std::abs(asymmetric[i] - asymmetric[j]);
  EXPECT_NEAR(correlate_with_metric(d, asymmetric, "m", {}).pearson_p, 1.0 / 120.0, 1e-12);
}

TEST(Mantel, NullPValuesAreRoughlyUniform) {
  // Random distances unrelated to the metric: p < 0.05 in about 5% of repetitions (m = 9: random permutations).
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(0, 1);
  int small = 0;
  const int repetitions = 200;
  for (int rep = 0; rep < repetitions; ++rep) {
    Eigen::MatrixXd d = Eigen::MatrixXd::Zero(9, 9);
    for (int i = 0; i < 9; ++i)
      for (int j = i + 1; j < 9; ++j) d(i, j) = d(j, i) = u(rng);
    std::vector<double> metric(9);
    for (double& v : metric) v = u(rng);
    MantelConfig config;
    config.permutations = 199;
    config.seed = static_cast<std::uint64_t>(rep);
    const MetricCorrelation c = correlate_with_metric(d, metric, "m", config);
    EXPECT_FALSE(c.exact);
    small += c.spearman_p < 0.05;
  }
  EXPECT_GE(small, 2);
  EXPECT_LE(small, 22);
}

}  // namespace
}  // namespace dk
