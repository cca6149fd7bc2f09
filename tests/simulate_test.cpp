#include <gtest/gtest.h>

#include <map>

#include "datakernel/kernel/knn.hpp"
#include "datakernel/simulate/simulate.hpp"

namespace dk {
namespace {

// Leave-one-out 10-NN label accuracy over every datum, by brute force through the full exact search.
double full_accuracy(const Embeddings& y, const std::vector<int>& labels) {
  KnnConfig config;
  config.k = 10;
  config.method = KnnMethod::exact;
  const NeighbourLists lists = knn_search(y, config);
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < y.n; ++i) {
    std::map<int, int> votes;
    for (int r = 0; r < 10; ++r) ++votes[labels[lists.ids[i * 10 + r]]];
    int best = -1, most = 0;
    for (const auto& [label, count] : votes)
      if (count > most) best = label, most = count;
    correct += best == labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(y.n);
}

// Above 20,000 data the simulator's downstream metric is measured on 2,000 seeded data: it must agree with the
// accuracy over all data within sampling error (standard error at most 0.011; bound 4 of them), for models whose
// accuracies differ by more than that. Below, it is the accuracy over all data exactly.
TEST(Simulate, SampledAccuracyAgreesWithTheFullAccuracy) {
  for (std::int64_t n : {3000, 45000}) {
    SimulateConfig config;
    config.models = 2;
    config.n = n;
    config.dims = {24};
    config.noise = {0.8, 1.6};
    config.seed = 3;
    const SimulatedSet set = simulate(config);
    ASSERT_EQ(set.knn_accuracy.size(), 2u);
    for (int g = 0; g < 2; ++g) {
      const double full = full_accuracy(set.models[g], set.labels);
      if (n <= 20000) EXPECT_DOUBLE_EQ(set.knn_accuracy[g], full) << n << " " << g;
      else EXPECT_NEAR(set.knn_accuracy[g], full, 0.045) << n << " " << g;
    }
    EXPECT_GT(set.knn_accuracy[0] - set.knn_accuracy[1], 0.05) << n;
  }
}

}  // namespace
}  // namespace dk
