// The clustered approximate kNN search (KnnMethod::clustered) against exact search on every row: its recall, a
// deliberately starved variant that must fall short, exact equality when every cell probes every other, the same
// bytes for any thread count, the seed's effect, progress, cancellation and bad parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "datakernel/error.hpp"
#include "datakernel/kernel/knn.hpp"
#include "kernel/kmeans_partition.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

// Overlapping Gaussian clusters (8 centres in 16 dims, noise comparable to their spread): true neighbours often
// lie across the boundary of a k-means cell, so a search that looks only inside a datum's own cell misses them.
Embeddings overlapping_clusters(std::int64_t n, std::uint64_t seed) {
  return test::gaussian_clusters(n, 8, 16, 1.5f, 1.0f, seed);
}

std::vector<std::int64_t> every_row(std::int64_t n) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

KnnConfig clustered_config(Metric metric, int clusters, int probes) {
  KnnConfig config;
  config.k = 12;
  config.metric = metric;
  config.method = KnnMethod::clustered;
  config.recall_rows = 300;
  config.clustered.clusters = clusters;
  config.clustered.probes = probes;
  return config;
}

// 40 cells of about 50 data: probing 12 of them (per datum or per cell) finds ≥ 0.95 of the exact lists for every
// metric and seed, and the sampled estimate in summary.json is within 0.03 of the recall over all rows; probing only
// the own cell (every pair still offered both ways) finds far fewer: the recall measures something.
TEST(KnnClustered, HighRecallWithProbesAndLowWithoutMeasuredHonestly) {
  for (const ClusteredProbes rule : {ClusteredProbes::per_datum, ClusteredProbes::per_cell})
  for (const Metric metric : {Metric::cosine, Metric::dot, Metric::euclidean}) {
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
      const Embeddings y = overlapping_clusters(2000, seed);
      KnnConfig config = clustered_config(metric, 40, 12);
      config.clustered.seed = seed;
      config.clustered.probe_lists = rule;
      const NeighbourLists approx = knn_search(y, config);
      EXPECT_EQ(approx.method, KnnMethod::clustered);
      EXPECT_EQ(approx.recall_rows, 300);
      const double recall = knn_recall(y, config, approx, every_row(y.n));
      EXPECT_GE(recall, 0.95) << metric_name(metric) << " seed " << seed;
      EXPECT_NEAR(approx.recall, recall, 0.03) << metric_name(metric) << " seed " << seed;
      for (std::int64_t i = 0; i < y.n; ++i) {  // k distinct neighbours, never itself, best first
        const std::int64_t* ids = approx.ids.data() + i * approx.k;
        const float* scores = approx.scores.data() + i * approx.k;
        std::vector<std::int64_t> sorted(ids, ids + approx.k);
        std::sort(sorted.begin(), sorted.end());
        ASSERT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << i;
        ASSERT_GE(sorted.front(), 0) << i;
        ASSERT_EQ(std::count(ids, ids + approx.k, i), 0) << i;
        ASSERT_TRUE(std::is_sorted(scores, scores + approx.k, std::greater<float>())) << i;
      }

      KnnConfig starved = config;
      starved.clustered.probes = 1;
      const double starved_recall = knn_recall(y, starved, knn_search(y, starved), every_row(y.n));
      EXPECT_LT(starved_recall, 0.85) << metric_name(metric) << " seed " << seed;
    }
  }
}

// When every cell probes every cell, every pair is scored and the lists equal exact search's, scores included.
// Small integer values make every dot product exact in float32, whatever the tile shapes, so ties (many here) must
// be broken the same way: the lower index wins.
TEST(KnnClustered, AllProbesEqualExactSearchIncludingTies) {
  Embeddings y = test::random_embeddings(700, 12, 5);
  for (std::int64_t i = 0; i < y.n; ++i)
    for (std::int64_t c = 0; c < y.dim; ++c) y.row(i)[c] = std::round(2.0f * y.row(i)[c]);
  y.row(0)[0] = 1.0f;  // no all-zero row
  for (const ClusteredProbes rule : {ClusteredProbes::per_datum, ClusteredProbes::per_cell})
  for (const Metric metric : {Metric::dot, Metric::euclidean}) {
    KnnConfig config = clustered_config(metric, 30, 30);
    config.clustered.probe_lists = rule;
    config.col_block = 100;  // cells split across column blocks
    config.row_block = 16;
    KnnConfig exact = config;
    exact.method = KnnMethod::exact;
    const NeighbourLists a = knn_search(y, config), b = knn_search(y, exact);
    EXPECT_EQ(a.ids, b.ids) << metric_name(metric);
    EXPECT_EQ(a.scores, b.scores) << metric_name(metric);
    EXPECT_DOUBLE_EQ(a.recall, 1.0) << metric_name(metric);
  }
}

// With some cells probed, a datum's list is the top k among the data of the cells it probes and the data that probe
// its cell (each pair scored once, in the tiles of the larger cell when both sides probe the other's): checked
// against that rule applied by brute force on the same partition (kmeans_partition with the search's settings), for
// 3 seeds, both metrics without normalisation, cells split across column blocks. Integer values make every score
// exact in float32, so the lists must match exactly, ties (to the lower index) included. A search that lost the
// pairs only one side reaches, or offered a pair that both sides reach to a list twice (scored against all of the
// larger cell's data and offered both ways), would differ from it.
TEST(KnnClustered, PartialProbesListTheBestOfWhatEitherSideProbes) {
  for (const std::uint64_t seed : {5u, 6u, 7u}) {
    Embeddings y = test::random_embeddings(700, 12, seed);
    for (std::int64_t i = 0; i < y.n; ++i)
      for (std::int64_t c = 0; c < y.dim; ++c) y.row(i)[c] = std::round(2.0f * y.row(i)[c]);
    y.row(0)[0] = 1.0f;
    for (const Metric metric : {Metric::dot, Metric::euclidean}) {
      KnnConfig config = clustered_config(metric, 30, 5);
      config.clustered.seed = seed;
      config.col_block = 8;  // cells of about 23 data split across column blocks
      config.row_block = 16;
      const NeighbourLists approx = knn_search(y, config);

      KmeansSettings settings;
      settings.clusters = 30;
      settings.sample_per_cluster = config.clustered.sample_per_cluster;
      settings.iterations = config.clustered.iterations;
      settings.spherical = false;
      settings.seed = seed;
      settings.nearest_count = 5;
      const KmeansPartition<float> partition = kmeans_partition(y.values.data(), y.n, y.dim, settings);
      const auto probes = [&](std::int64_t i, std::int32_t cell) {
        const std::int32_t* list = partition.nearest.data() + i * 5;
        return std::find(list, list + 5, cell) != list + 5;
      };
      const auto score = [&](std::int64_t i, std::int64_t j) {
        double dot = 0.0, norm = 0.0;
        for (std::int64_t c = 0; c < y.dim; ++c) dot += double(y.row(i)[c]) * y.row(j)[c], norm += double(y.row(j)[c]) * y.row(j)[c];
        return metric == Metric::dot ? dot : 2.0 * dot - norm;  // euclidean: −|x − y|² + |x|², the same order per row
      };
      std::int64_t mismatched = 0, reached_one_way = 0;
      for (std::int64_t i = 0; i < y.n; ++i) {
        std::vector<std::pair<double, std::int64_t>> candidates;
        for (std::int64_t j = 0; j < y.n; ++j) {
          if (j == i) continue;
          const bool mine = probes(i, partition.assignment[j]), theirs = probes(j, partition.assignment[i]);
          if (mine || theirs) candidates.push_back({-score(i, j), j});
          reached_one_way += mine != theirs;
        }
        if (static_cast<int>(candidates.size()) < config.k)  // short list: exact search's
          for (std::int64_t j = 0; j < y.n; ++j)
            if (j != i && !probes(i, partition.assignment[j]) && !probes(j, partition.assignment[i]))
              candidates.push_back({-score(i, j), j});
        std::sort(candidates.begin(), candidates.end());
        for (int q = 0; q < config.k; ++q) mismatched += approx.ids[i * config.k + q] != candidates[q].second;
      }
      EXPECT_EQ(mismatched, 0) << metric_name(metric) << " seed " << seed;
      EXPECT_GT(reached_one_way, y.n * 20) << "the probes are partial: many pairs reached from one side only";
    }
  }
}

// The same bytes for 1, 2 and 3 threads (the partition's GEMM chunks and the tiles do not depend on the count).
TEST(KnnClustered, SameBytesForAnyThreadCount) {
  const Embeddings y = overlapping_clusters(1500, 7);
  for (const ClusteredProbes rule : {ClusteredProbes::per_datum, ClusteredProbes::per_cell})
  for (const Metric metric : {Metric::cosine, Metric::euclidean}) {
    KnnConfig config = clustered_config(metric, 0, 6);  // default cells: round(√1500) = 39
    config.clustered.probe_lists = rule;
    config.row_block = 64;  // several query blocks per cell
    config.threads = 1;
    const NeighbourLists one = knn_search(y, config);
    for (const int threads : {2, 3}) {
      config.threads = threads;
      const NeighbourLists many = knn_search(y, config);
      EXPECT_EQ(many.ids, one.ids) << metric_name(metric) << " threads " << threads;
      EXPECT_EQ(many.scores, one.scores) << metric_name(metric) << " threads " << threads;
      EXPECT_EQ(many.recall, one.recall) << metric_name(metric) << " threads " << threads;
    }
  }
}

// The seed draws k-means' sample and initial centroids: another seed gives another partition, hence other
// approximate lists (each still of high recall), and the same seed the same lists.
TEST(KnnClustered, SeedChangesThePartition) {
  const Embeddings y = overlapping_clusters(1500, 8);
  KnnConfig config = clustered_config(Metric::cosine, 40, 8);
  const NeighbourLists a = knn_search(y, config), again = knn_search(y, config);
  EXPECT_EQ(a.ids, again.ids);
  config.clustered.seed = 101;
  const NeighbourLists b = knn_search(y, config);
  EXPECT_NE(a.ids, b.ids);
  EXPECT_GE(knn_recall(y, config, b, every_row(y.n)), 0.9);
}

TEST(KnnClustered, ProgressReachesTheRowBlockCountAndCancellationStops) {
  const Embeddings y = overlapping_clusters(900, 9);
  KnnConfig config = clustered_config(Metric::cosine, 0, 8);
  config.row_block = 32;
  config.threads = 2;
  std::vector<std::int64_t> seen;
  config.progress = [&](std::int64_t done) { seen.push_back(done); };
  knn_search(y, config);
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen.back(), (900 + 31) / 32);

  int polls = 0;
  config.progress = nullptr;
  config.cancelled = [&] { return ++polls > 3; };
  EXPECT_THROW(knn_search(y, config), Cancelled);
}

// Too few data for a datum's cells (here 300 cells of 1-2 data, probing 2): the short lists are completed by
// exact search, so every list still holds k neighbours.
TEST(KnnClustered, ShortCandidateListsFallBackToExact) {
  const Embeddings y = overlapping_clusters(400, 10);
  for (const ClusteredProbes rule : {ClusteredProbes::per_datum, ClusteredProbes::per_cell}) {
    KnnConfig config = clustered_config(Metric::cosine, 300, 2);
    config.clustered.probe_lists = rule;
    const NeighbourLists approx = knn_search(y, config);
    EXPECT_EQ(std::count(approx.ids.begin(), approx.ids.end(), -1), 0);
    EXPECT_GE(knn_recall(y, config, approx, every_row(y.n)), 0.5);
  }
}

TEST(KnnClustered, BadParametersAreInputErrors) {
  const Embeddings y = overlapping_clusters(200, 11);
  const auto message = [&](auto change) {
    KnnConfig config = clustered_config(Metric::cosine, 0, 4);
    change(config.clustered);
    try {
      knn_search(y, config);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message([](ClusteredConfig& c) { c.clusters = -1; }).find("clusters = -1"), std::string::npos);
  EXPECT_NE(message([](ClusteredConfig& c) { c.clusters = 201; }).find("exceeds the number of data n = 200"),
            std::string::npos);
  EXPECT_NE(message([](ClusteredConfig& c) { c.probes = 0; }).find("probes = 0"), std::string::npos);
  EXPECT_NE(message([](ClusteredConfig& c) { c.iterations = -2; }).find("iterations = -2"), std::string::npos);
  EXPECT_NE(message([](ClusteredConfig& c) { c.sample_per_cluster = 0; }).find("sample_per_cluster"),
            std::string::npos);
  EXPECT_NE(message([](ClusteredConfig& c) { c.clusters_per_root_n = std::nan(""); }).find("clusters_per_root_n"),
            std::string::npos);
  EXPECT_EQ(message([](ClusteredConfig& c) { c.probes = 1000; }), "accepted");  // more probes than cells: all of them
  EXPECT_EQ(parse_knn_method("clustered"), KnnMethod::clustered);
  EXPECT_EQ(knn_method_name(KnnMethod::clustered), "clustered");
}

}  // namespace
}  // namespace dk
