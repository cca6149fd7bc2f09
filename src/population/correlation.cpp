#include "datakernel/population/correlation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "datakernel/error.hpp"
#include "runtime/random.hpp"

namespace dk {

double pearson_correlation(const std::vector<double>& x, const std::vector<double>& y) {
  const std::size_t n = x.size();
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return std::numeric_limits<double>::quiet_NaN();
  return sxy / std::sqrt(sxx * syy);
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> rank(values.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start;
    while (end + 1 < order.size() && values[order[end + 1]] == values[order[start]]) ++end;
    const double average = 0.5 * static_cast<double>(start + end) + 1.0;
    for (std::size_t r = start; r <= end; ++r) rank[order[r]] = average;
    start = end + 1;
  }
  return rank;
}

double spearman_correlation(const std::vector<double>& x, const std::vector<double>& y) {
  return pearson_correlation(average_ranks(x), average_ranks(y));
}

MetricCorrelation correlate_with_metric(const Eigen::MatrixXd& distances, const std::vector<double>& metric,
                                        const std::string& name, const MantelConfig& config) {
  const int m = static_cast<int>(distances.rows());
  if (static_cast<int>(metric.size()) != m) throw InputError("metric '" + name + "' has the wrong number of models");
  if (m < 3) throw InputError("correlating distances with metric '" + name + "' needs at least 3 models");
  std::vector<double> d_pairs;
  for (int i = 0; i < m; ++i)
    for (int j = i + 1; j < m; ++j) d_pairs.push_back(distances(i, j));
  auto metric_pairs = [&](const std::vector<int>& perm) {
    std::vector<double> out;
    out.reserve(d_pairs.size());
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j) out.push_back(std::abs(metric[perm[i]] - metric[perm[j]]));
    return out;
  };
  std::vector<int> perm(m);
  std::iota(perm.begin(), perm.end(), 0);
  MetricCorrelation out;
  out.metric = name;
  out.pairs = static_cast<int>(d_pairs.size());
  const std::vector<double> observed = metric_pairs(perm);
  out.pearson = pearson_correlation(d_pairs, observed);
  out.spearman = spearman_correlation(d_pairs, observed);
  if (std::isnan(out.pearson)) {
    out.pearson_p = out.spearman_p = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  const std::vector<double> d_ranks = average_ranks(d_pairs);
  long at_least_pearson = 0, at_least_spearman = 0, total = 0;
  const double tolerance = 1e-12;
  auto count = [&](const std::vector<int>& p) {
    const std::vector<double> mp = metric_pairs(p);
    const double rp = pearson_correlation(d_pairs, mp);
    const double rs = pearson_correlation(d_ranks, average_ranks(mp));
    if (std::abs(rp) >= std::abs(out.pearson) - tolerance) ++at_least_pearson;
    if (std::abs(rs) >= std::abs(out.spearman) - tolerance) ++at_least_spearman;
    ++total;
  };
  if (m <= 8) {
    out.exact = true;
    do count(perm);
    while (std::next_permutation(perm.begin(), perm.end()));
    out.permutations = total;
    out.pearson_p = static_cast<double>(at_least_pearson) / total;
    out.spearman_p = static_cast<double>(at_least_spearman) / total;
  } else {
    rand::Engine rng(config.seed);
    for (int b = 0; b < config.permutations; ++b) {
      rand::shuffle(perm.begin(), perm.end(), rng);
      count(perm);
    }
    out.permutations = total;
    out.pearson_p = (1.0 + at_least_pearson) / (1.0 + total);
    out.spearman_p = (1.0 + at_least_spearman) / (1.0 + total);
  }
  return out;
}

}  // namespace dk
