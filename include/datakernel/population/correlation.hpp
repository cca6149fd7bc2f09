// How model distances track a downstream metric: over model pairs i<j, correlate D_ij with
// |metric_i − metric_j| (Pearson and Spearman), with Mantel permutation p-values (model labels permuted
// jointly on rows and columns, i.e. the metric vector permuted). Two-sided. With m ≤ 8 all m! permutations
// are enumerated (exact p); beyond that `permutations` random ones, seeded, p = (1 + #≥)/(1 + P).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace dk {

double pearson_correlation(const std::vector<double>& x, const std::vector<double>& y);  // NaN if constant
double spearman_correlation(const std::vector<double>& x, const std::vector<double>& y);
std::vector<double> average_ranks(const std::vector<double>& values);  // 1-based, ties averaged

struct MantelConfig {
  int permutations = 9999;
  std::uint64_t seed = 0;
};

struct MetricCorrelation {
  std::string metric;
  int pairs = 0;
  double pearson = 0.0, pearson_p = 1.0;
  double spearman = 0.0, spearman_p = 1.0;
  long permutations = 0;
  bool exact = false;
};

MetricCorrelation correlate_with_metric(const Eigen::MatrixXd& distances, const std::vector<double>& metric,
                                        const std::string& name, const MantelConfig& config);

}  // namespace dk
