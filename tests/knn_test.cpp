// kNN data kernel against an O(n²) brute force, every metric, with exact duplicates and ties.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "datakernel/error.hpp"
#include "datakernel/kernel/knn.hpp"
#include "kernel/hnsw_distances.hpp"
#include "kernel/score_filter.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

// Score of j for row i in double precision, as defined by the metric.
double brute_score(const Embeddings& y, std::int64_t i, std::int64_t j, Metric metric) {
  double dot = 0, ni = 0, nj = 0, dist = 0;
  for (std::int64_t c = 0; c < y.dim; ++c) {
    const double a = y.row(i)[c], b = y.row(j)[c];
    dot += a * b;
    ni += a * a;
    nj += b * b;
    dist += (a - b) * (a - b);
  }
  switch (metric) {
    case Metric::cosine: return dot / std::sqrt(ni * nj);
    case Metric::dot: return dot;
    case Metric::euclidean: return -dist;
  }
  return 0;
}

// Brute-force neighbour order: score descending, then index ascending.
std::vector<std::int64_t> brute_order(const Embeddings& y, std::int64_t i, Metric metric, std::vector<double>& scores) {
  scores.assign(static_cast<std::size_t>(y.n), 0.0);
  std::vector<std::int64_t> order;
  for (std::int64_t j = 0; j < y.n; ++j) {
    if (j == i) continue;
    scores[j] = brute_score(y, i, j, metric);
    order.push_back(j);
  }
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] > scores[b]; });
  return order;
}

Embeddings with_duplicates(std::int64_t n, std::int64_t dim, std::uint64_t seed) {
  Embeddings y = test::random_embeddings(n, dim, seed);
  for (std::int64_t i = 0; i < n; i += 7)  // every 7th row duplicates the next-but-one row
    if (i + 2 < n) std::copy(y.row(i + 2), y.row(i + 2) + dim, y.row(i));
  return y;
}

class KnnAllMetrics : public ::testing::TestWithParam<Metric> {};

TEST_P(KnnAllMetrics, MatchesBruteForceUpToFloatTies) {
  const Metric metric = GetParam();
  const Embeddings y = with_duplicates(300, 24, 11);
  KnnConfig config;
  config.k = 9;
  config.metric = metric;
  config.row_block = 37;  // odd tiles so that tile edges are exercised
  config.col_block = 53;
  const NeighbourLists lists = knn_search(y, config);
  std::vector<double> scores;
  for (std::int64_t i = 0; i < y.n; ++i) {
    const auto order = brute_order(y, i, metric, scores);
    const double kth = scores[order[config.k - 1]];
    const double tolerance = 1e-4 * std::max(1.0, std::abs(kth));
    std::set<std::int64_t> found(lists.ids.begin() + i * config.k, lists.ids.begin() + (i + 1) * config.k);
    ASSERT_EQ(found.size(), static_cast<std::size_t>(config.k)) << "row " << i;
    EXPECT_EQ(found.count(i), 0u) << "self in row " << i;
    for (std::int64_t j : found) EXPECT_GE(scores[j], kth - tolerance) << "row " << i << " neighbour " << j;
    for (std::int64_t j : order) {  // everything clearly better than the k-th must be there
      if (scores[j] > kth + tolerance) {
        EXPECT_EQ(found.count(j), 1u) << "row " << i << " missing " << j;
      }
    }
    // duplicates: a row equal to i (other index) is among its neighbours at the top score
    if (i % 7 == 0 && i + 2 < y.n && metric != Metric::dot) {
      EXPECT_EQ(found.count(i + 2), 1u) << "row " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, KnnAllMetrics, ::testing::Values(Metric::cosine, Metric::dot, Metric::euclidean),
                         [](const auto& info) { return metric_name(info.param); });

// Small integer coordinates make every score exact in float, so ties are real ties and the result must be
// exactly the brute-force order with lower index first.
TEST(Knn, ExactTieBreakingLowerIndexWins) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> coord(-2, 2);
  Embeddings y;
  y.n = 150;
  y.dim = 3;
  for (std::int64_t i = 0; i < y.n * y.dim; ++i) y.values.push_back(static_cast<float>(coord(rng)));
  for (Metric metric : {Metric::dot, Metric::euclidean}) {
    KnnConfig config;
    config.k = 12;
    config.metric = metric;
    config.row_block = 16;
    config.col_block = 40;
    const NeighbourLists lists = knn_search(y, config);
    std::vector<double> scores;
    for (std::int64_t i = 0; i < y.n; ++i) {
      const auto order = brute_order(y, i, metric, scores);
      for (int r = 0; r < config.k; ++r)
        ASSERT_EQ(lists.ids[i * config.k + r], order[r]) << metric_name(metric) << " row " << i << " rank " << r;
    }
  }
}

TEST(Knn, SameResultForAnyThreadCountAndTiling) {
  const Embeddings y = with_duplicates(700, 32, 2);
  KnnConfig one;
  one.k = 10;
  one.threads = 1;
  KnnConfig two = one;
  two.threads = 2;
  KnnConfig tiled = two;
  tiled.row_block = 64;
  tiled.col_block = 100;
  const auto a = knn_search(y, one), b = knn_search(y, two), c = knn_search(y, tiled);
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.scores, b.scores);
  EXPECT_EQ(a.ids.size(), c.ids.size());
}

// The symmetric search (each tile above the diagonal serves its rows and its columns, lists shared between
// threads under locks): identical ids and scores for any thread count and against brute force, with tiles small
// enough that every list is offered to from many tiles and threads at once.
TEST(Knn, SymmetricTilesExactAndIdenticalForAnyThreadCount) {
  const Embeddings y = with_duplicates(611, 20, 5);
  for (Metric metric : {Metric::cosine, Metric::dot, Metric::euclidean}) {
    KnnConfig config;
    config.k = 11;
    config.metric = metric;
    config.method = KnnMethod::exact;
    config.row_block = 29;
    config.threads = 1;
    const NeighbourLists one = knn_search(y, config);
    std::vector<double> scores;
    for (std::int64_t i = 0; i < y.n; i += 5) {
      const auto order = brute_order(y, i, metric, scores);
      for (int r = 0; r < config.k; ++r) {
        // Ranks may swap only between scores equal within float rounding of the double brute force.
        const std::int64_t got = one.ids[i * config.k + r];
        ASSERT_NEAR(scores[got], scores[order[r]], 1e-4 * (1 + std::abs(scores[order[r]])))
            << metric_name(metric) << " row " << i << " rank " << r;
      }
    }
    for (int threads : {2, 3, 7}) {
      config.threads = threads;
      const NeighbourLists many = knn_search(y, config);
      EXPECT_EQ(many.ids, one.ids) << metric_name(metric) << " threads " << threads;
      EXPECT_EQ(many.scores, one.scores) << metric_name(metric) << " threads " << threads;
    }
  }
}

// Progress counts row blocks of the whole search (ceil(n / row_block)): increasing, one thread at a time, ending
// at the total however the tiles are scheduled.
TEST(Knn, ProgressReachesTheRowBlockCount) {
  const Embeddings y = test::random_embeddings(300, 8, 3);
  KnnConfig config;
  config.k = 5;
  config.method = KnnMethod::exact;
  config.row_block = 32;
  config.threads = 2;
  std::vector<std::int64_t> seen;
  config.progress = [&](std::int64_t done) { seen.push_back(done); };
  knn_search(y, config);
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen.back(), (300 + 31) / 32);
}

// The vectorised candidate pass against a plain loop: every length (chunk edges), values equal to the threshold
// (a tie can still enter a list, so they must pass), with and without per-column offsets.
TEST(ScoreFilter, MatchesAPlainLoopIncludingTies) {
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<int> level(-4, 4);
  for (int count = 0; count <= 100; ++count) {
    std::vector<float> t(count), offsets(count), thresholds(count);
    for (int c = 0; c < count; ++c) {
      t[c] = 0.25f * level(rng);  // few distinct values: many ties
      offsets[c] = 0.5f * level(rng);
      thresholds[c] = 0.25f * level(rng);
    }
    std::vector<std::int32_t> found(count + 17);  // room a full-vector store would overrun
    for (float scale : {1.0f, 2.0f}) {
      const float threshold = 0.25f * level(rng), offset = 0.5f * level(rng);
      std::vector<std::int32_t> plain_over, plain_offsets, plain_each;
      for (int c = 0; c < count; ++c) {
        if (scale * t[c] >= threshold) plain_over.push_back(c);
        if (scale * t[c] - offsets[c] >= threshold) plain_offsets.push_back(c);
        if (scale * t[c] - offset >= thresholds[c]) plain_each.push_back(c);
      }
      // Nothing is written past the last candidate (found is filled with a sentinel before each call).
      const auto written_past = [&](int m) {
        return std::count_if(found.begin() + m, found.end(), [](std::int32_t v) { return v != -7; });
      };
      std::fill(found.begin(), found.end(), -7);
      int m = candidates_over(t.data(), nullptr, scale, threshold, count, found.data());
      EXPECT_EQ(std::vector<std::int32_t>(found.begin(), found.begin() + m), plain_over) << count;
      EXPECT_EQ(written_past(m), 0) << count;
      std::fill(found.begin(), found.end(), -7);
      m = candidates_over(t.data(), offsets.data(), scale, threshold, count, found.data());
      EXPECT_EQ(std::vector<std::int32_t>(found.begin(), found.begin() + m), plain_offsets) << count;
      EXPECT_EQ(written_past(m), 0) << count;
      std::fill(found.begin(), found.end(), -7);
      m = candidates_over_each(t.data(), offset, scale, thresholds.data(), count, found.data());
      EXPECT_EQ(std::vector<std::int32_t>(found.begin(), found.begin() + m), plain_each) << count;
      EXPECT_EQ(written_past(m), 0) << count;
    }
  }
}

TEST(Knn, UnionAndMutualSymmetrization) {
  const Embeddings y = test::random_embeddings(200, 8, 9);
  KnnConfig config;
  config.k = 6;
  const NeighbourLists lists = knn_search(y, config);
  auto listed = [&](std::int64_t i, std::int64_t j) {
    const auto first = lists.ids.begin() + i * config.k;
    return std::find(first, first + config.k, j) != first + config.k;
  };
  const Graph u = graph_from_neighbours(lists, Symmetrize::union_of_both);
  const Graph m = graph_from_neighbours(lists, Symmetrize::mutual);
  for (std::int64_t i = 0; i < y.n; ++i) {
    EXPECT_GE(u.degree(i), config.k);
    EXPECT_LE(m.degree(i), config.k);
    EXPECT_FALSE(u.has_edge(i, i));
    for (std::int64_t j = 0; j < y.n; ++j) {
      if (i == j) continue;
      EXPECT_EQ(u.has_edge(i, j), listed(i, j) || listed(j, i));
      EXPECT_EQ(m.has_edge(i, j), listed(i, j) && listed(j, i));
    }
  }
}

TEST(Knn, DefaultK) {
  EXPECT_EQ(default_k(2000), 16);  // ceil(2 ln 2000) = ceil(15.2)
  EXPECT_EQ(default_k(100), 10);   // ceil(9.2)
  EXPECT_EQ(default_k(20), 8);     // clamped up to 8
  EXPECT_EQ(default_k(5), 4);      // and below n
  EXPECT_EQ(default_k(100000000), 37);
}

TEST(Knn, RejectsZeroRowsUnderCosineAndKTooLarge) {
  Embeddings y = test::random_embeddings(20, 4, 1);
  std::fill(y.row(7), y.row(7) + 4, 0.0f);
  KnnConfig config;
  config.k = 3;
  EXPECT_THROW(validate_for_knn(y, config, "z.npy"), InputError);
  try {
    validate_for_knn(y, config, "z.npy");
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("z.npy: row 7"), std::string::npos) << e.what();
  }
  config.metric = Metric::dot;
  EXPECT_NO_THROW(validate_for_knn(y, config, "z.npy"));
  config.k = 20;
  EXPECT_THROW(validate_for_knn(y, config, "z.npy"), InputError);
}

}  // namespace
}  // namespace dk

namespace dk {
namespace {

TEST(Knn, Float64ViewsGiveTheSameGraphOnExactData) {
  // Small integers are exact in both precisions, so float32 and float64 searches must agree exactly.
  std::mt19937_64 rng(8);
  std::uniform_int_distribution<int> coord(-3, 3);
  Embeddings y;
  y.n = 120;
  y.dim = 5;
  std::vector<double> wide;
  for (std::int64_t i = 0; i < y.n * y.dim; ++i) {
    const int v = coord(rng);
    y.values.push_back(static_cast<float>(v));
    wide.push_back(v);
  }
  const EmbeddingsView view64{y.n, y.dim, nullptr, wide.data()};
  for (Metric metric : {Metric::dot, Metric::euclidean}) {
    KnnConfig config;
    config.k = 6;
    config.metric = metric;
    EXPECT_EQ(knn_search(y, config).ids, knn_search(view64, config).ids) << metric_name(metric);
  }
}

TEST(GraphFromCsr, ChecksItsInput) {
  // 0-1, 1-2 symmetric; rows unsorted on purpose
  const std::vector<std::int64_t> indptr = {0, 1, 3, 4};
  const std::vector<std::int64_t> indices = {1, 2, 0, 1};
  const Graph g = graph_from_csr(3, indptr.data(), indices.data(), 4, "g");
  EXPECT_EQ(g.columns, (std::vector<std::int32_t>{1, 0, 2, 1}));
  const std::vector<std::int64_t> asymmetric = {1, 2, 0, 0};
  EXPECT_THROW(graph_from_csr(3, indptr.data(), asymmetric.data(), 4, "g"), InputError);
  const std::vector<std::int64_t> loop = {0, 2, 0, 1};
  EXPECT_THROW(graph_from_csr(3, indptr.data(), loop.data(), 4, "g"), InputError);
}

// Malformed CSR arrays are rejected with a message before any out-of-bounds access (the arrays are exactly as
// long as n and nnz say, so ASan flags any read past them).
struct BadCsr {
  const char* name;
  std::int64_t n;
  std::vector<std::int64_t> indptr, indices;
  const char* message;
};

class GraphFromCsrRejects : public ::testing::TestWithParam<BadCsr> {};

TEST_P(GraphFromCsrRejects, WithAMessage) {
  const BadCsr& c = GetParam();
  try {
    graph_from_csr(c.n, c.indptr.data(), c.indices.data(), static_cast<std::int64_t>(c.indices.size()), "g");
    FAIL() << "accepted " << c.name;
  } catch (const InputError& e) {
    EXPECT_NE(dk::render_option_names(e.what(), dk::OptionStyle::cli).find(c.message), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("g: ", 0), 0u) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, GraphFromCsrRejects,
    ::testing::Values(
        BadCsr{"indptr_past_indices", 3, {0, 1, 9, 9}, {1, 0}, "runs past the 2 indices"},
        BadCsr{"indptr_past_in_middle", 3, {0, 5, 1, 2}, {1, 0}, "runs past"},
        BadCsr{"indptr_decreasing", 3, {0, 2, 1, 2}, {1, 0}, "indptr decreases at row 1"},
        BadCsr{"indptr_not_from_zero", 3, {1, 1, 2, 2}, {1, 0}, "indptr[0] = 1"},
        BadCsr{"indptr_negative_start", 3, {-4, 1, 2, 2}, {1, 0}, "indptr[0] = -4"},
        BadCsr{"indptr_short_of_indices", 3, {0, 1, 2, 2}, {1, 0, 1}, "indptr ends at 2 but there are 3"},
        BadCsr{"index_negative", 3, {0, 1, 2, 2}, {-1, 0}, "column -1 out of range"},
        BadCsr{"index_equal_n", 3, {0, 1, 2, 2}, {3, 0}, "column 3 out of range"},
        BadCsr{"index_past_int32", 3, {0, 1, 2, 2}, {(std::int64_t{1} << 32) + 1, 0}, "column 4294967297 out of range"},
        BadCsr{"index_2_pow_31", 3, {0, 1, 2, 2}, {std::int64_t{1} << 31, 0}, "column 2147483648 out of range"},
        BadCsr{"self_loop", 3, {0, 1, 2, 2}, {0, 1}, "self loop at vertex 0"},
        BadCsr{"duplicate_neighbour", 3, {0, 2, 4, 4}, {1, 1, 0, 0}, "lists a neighbour twice"},
        BadCsr{"asymmetric", 3, {0, 1, 1, 1}, {1}, "not symmetric"},
        BadCsr{"one_vertex", 1, {0, 0}, {}, "at least 2 vertices"},
        BadCsr{"zero_vertices", 0, {0}, {}, "at least 2 vertices"},
        BadCsr{"too_many_vertices_for_int32", std::int64_t{1} << 31, {0}, {}, "at most 2147483647"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace dk

namespace dk {
namespace {

// Clustered data (20 Gaussian clusters in 32 dims), where nearest neighbours are meaningful.
Embeddings clustered_embeddings(std::int64_t n, std::uint64_t seed) {
  return test::gaussian_clusters(n, 20, 32, 3.0f, 0.7f, seed);
}

KnnConfig hnsw_config(Metric metric) {
  KnnConfig config;
  config.k = 15;
  config.metric = metric;
  config.method = KnnMethod::hnsw;
  config.recall_rows = 300;
  return config;
}

TEST(KnnExactRows, EqualTheFullSearchsRows) {
  const Embeddings y = with_duplicates(500, 16, 4);
  for (Metric metric : {Metric::cosine, Metric::dot, Metric::euclidean}) {
    KnnConfig config;
    config.k = 9;
    config.metric = metric;
    config.method = KnnMethod::exact;
    const NeighbourLists all = knn_search(y, config);
    const std::vector<std::int64_t> rows = {0, 3, 7, 250, 499};
    const NeighbourLists some = exact_neighbours_of(y, config, rows);
    ASSERT_EQ(some.n, 5);
    for (std::size_t q = 0; q < rows.size(); ++q)
      for (int r = 0; r < 9; ++r) EXPECT_EQ(some.ids[q * 9 + r], all.ids[rows[q] * 9 + r]) << metric_name(metric);
    EXPECT_DOUBLE_EQ(knn_recall(y, config, all, rows), 1.0);
  }
}

// HNSW lists against exact search on every row: the recall is high and the sampled estimate in summary.json is
// close to it; lists are sorted best first with the exact scores, self excluded, and equal for any thread count
// (the index is built in parallel batches).
TEST(KnnHnsw, HighRecallMeasuredHonestlyAndDeterministic) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Embeddings y = clustered_embeddings(3000, seed);
    for (Metric metric : {Metric::cosine, Metric::euclidean, Metric::dot}) {
      KnnConfig config = hnsw_config(metric);
      config.threads = 2;
      const NeighbourLists approx = knn_search(y, config);
      EXPECT_EQ(approx.method, KnnMethod::hnsw);
      std::vector<std::int64_t> every(3000);
      std::iota(every.begin(), every.end(), 0);
      const double recall = knn_recall(y, config, approx, every);
      EXPECT_GE(recall, 0.95) << metric_name(metric) << " seed " << seed;
      EXPECT_EQ(approx.recall_rows, 300);
      EXPECT_NEAR(approx.recall, recall, 0.03) << metric_name(metric) << " seed " << seed;
      for (std::int64_t i = 0; i < 3000; i += 97) {
        std::vector<double> scores;
        brute_order(y, i, metric, scores);
        for (int r = 0; r < 15; ++r) {
          const std::int64_t j = approx.ids[i * 15 + r];
          ASSERT_NE(j, i);
          if (r > 0) {  // braces: the EXPECT macros expand to an if/else (-Wdangling-else)
            EXPECT_GE(approx.scores[i * 15 + r - 1], approx.scores[i * 15 + r]);
          }
          if (metric != Metric::euclidean) {  // euclidean scores are 2 x·y − |y|², brute force −|x − y|²
            EXPECT_NEAR(approx.scores[i * 15 + r], scores[j], 1e-3 * std::max(1.0, std::abs(scores[j])));
          }
        }
      }
      if (metric == Metric::cosine) {  // the batched parallel build (kernel/hnsw_build.hpp) for 1, 2 and 5 threads
        for (int threads : {1, 5}) {
          KnnConfig other = config;
          other.threads = threads;
          const NeighbourLists again = knn_search(y, other);
          EXPECT_EQ(again.ids, approx.ids) << threads << " threads";
          EXPECT_EQ(again.scores, approx.scores) << threads << " threads";
        }
      }
    }
  }
}

// A deliberately poor index (one link per node, tiny candidate lists) must show a low recall: the measurement can
// tell a bad approximate graph from a good one.
TEST(KnnHnsw, PoorIndexShowsLowRecall) {
  const Embeddings y = clustered_embeddings(3000, 5);
  KnnConfig config = hnsw_config(Metric::cosine);
  config.hnsw.m = 3;
  config.hnsw.ef_construction = 6;
  config.hnsw.ef_search = 16;
  const NeighbourLists approx = knn_search(y, config);
  EXPECT_LT(approx.recall, 0.9);
}

// The index's distance loops (chosen at run time for the CPU) against a double-precision sum, for lengths that are
// and are not multiples of the vector widths.
TEST(KnnHnsw, DistancesMatchDoublePrecisionSums) {
  std::mt19937_64 rng(11);
  std::normal_distribution<float> normal;
  for (const std::size_t dim : {1u, 7u, 16u, 33u, 384u, 1000u}) {
    std::vector<float> x(dim), y(dim);
    for (std::size_t i = 0; i < dim; ++i) x[i] = normal(rng), y[i] = normal(rng);
    double dot = 0.0, l2 = 0.0;
    for (std::size_t i = 0; i < dim; ++i) {
      dot += static_cast<double>(x[i]) * y[i];
      l2 += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    }
    const double tolerance = 1e-5 * static_cast<double>(dim);
    EXPECT_NEAR(hnsw_distances::inner_product_distance(x.data(), y.data(), &dim), 1.0 - dot, tolerance) << dim;
    EXPECT_NEAR(hnsw_distances::squared_l2_distance(x.data(), y.data(), &dim), l2, tolerance) << dim;
  }
}

TEST(KnnAutomatic, SwitchesToClusteredAtTheDocumentedSize) {
  const Embeddings y = clustered_embeddings(600, 6);
  KnnConfig config;
  config.k = 10;
  EXPECT_EQ(config.method, KnnMethod::automatic);
  EXPECT_EQ(resolved_knn_method(config, 99999), KnnMethod::exact);
  EXPECT_EQ(resolved_knn_method(config, 100000), KnnMethod::clustered);
  EXPECT_EQ(knn_search(y, config).method, KnnMethod::exact);
  config.approximate_from = 600;
  const NeighbourLists approx = knn_search(y, config);
  EXPECT_EQ(approx.method, KnnMethod::clustered);
  EXPECT_GT(approx.recall_rows, 0);
  EXPECT_EQ(parse_knn_method("auto"), KnnMethod::automatic);
  EXPECT_THROW(parse_knn_method("faiss"), InputError);
}

}  // namespace
}  // namespace dk
