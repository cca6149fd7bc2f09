// Population measures beside the omnibus distance (pair_measures.hpp), each against a brute-force or explicit
// computation: kNN Jaccard and mutual kNN against explicit sets, linear CKA against the n×n HSIC formula, the
// direction distance against an explicit loop, the Mantel p against a full enumeration written here, and
// run_compare's measures, map choice and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>

#include <Eigen/Eigenvalues>

#include "datakernel/compare.hpp"
#include "datakernel/error.hpp"
#include "datakernel/population/model_distance.hpp"
#include "datakernel/population/pair_measures.hpp"
#include "simulated_input.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

NeighbourLists explicit_lists(int k, const std::vector<std::vector<std::int64_t>>& rows) {
  NeighbourLists lists;
  lists.n = static_cast<std::int64_t>(rows.size());
  lists.k = k;
  for (const auto& row : rows) {
    lists.ids.insert(lists.ids.end(), row.begin(), row.end());
    lists.scores.insert(lists.scores.end(), row.size(), 0.0f);
  }
  return lists;
}

// 1 − mean Jaccard and 1 − mean |∩|/k from std::set, the plain definition.
std::pair<double, double> explicit_overlap(const NeighbourLists& a, const NeighbourLists& b) {
  double jaccard = 0.0, shared = 0.0;
  for (std::int64_t i = 0; i < a.n; ++i) {
    const std::set<std::int64_t> sa(a.ids.begin() + i * a.k, a.ids.begin() + (i + 1) * a.k);
    const std::set<std::int64_t> sb(b.ids.begin() + i * b.k, b.ids.begin() + (i + 1) * b.k);
    std::set<std::int64_t> both, either;
    std::set_intersection(sa.begin(), sa.end(), sb.begin(), sb.end(), std::inserter(both, both.end()));
    std::set_union(sa.begin(), sa.end(), sb.begin(), sb.end(), std::inserter(either, either.end()));
    jaccard += static_cast<double>(both.size()) / static_cast<double>(either.size());
    shared += static_cast<double>(both.size()) / a.k;
  }
  return {1.0 - jaccard / a.n, 1.0 - shared / a.n};
}

TEST(NeighbourOverlap, JaccardAndMutualAgainstExplicitSets) {
  // n = 5, k = 2, lists best first (unsorted ids on purpose).
  const NeighbourLists a = explicit_lists(2, {{1, 2}, {0, 2}, {1, 0}, {4, 2}, {3, 1}});
  const NeighbourLists b = explicit_lists(2, {{2, 1}, {3, 4}, {0, 4}, {4, 1}, {3, 2}});
  const NeighbourLists c = explicit_lists(2, {{3, 4}, {2, 0}, {1, 0}, {2, 4}, {0, 1}});
  const NeighbourSets sa = neighbour_sets(a), sb = neighbour_sets(b), sc = neighbour_sets(c);
  const NeighbourOverlapDistances d = neighbour_overlap_distances({&sa, &sb, &sc});
  // By hand for (a, b): |∩| = 2, 0, 1, 1, 1 → Jaccard 1, 0, 1/3, 1/3, 1/3; shared 1, 0, 1/2, 1/2, 1/2.
  EXPECT_NEAR(d.jaccard(0, 1), 1.0 - (1.0 + 0.0 + 1.0 / 3.0 + 1.0 / 3.0 + 1.0 / 3.0) / 5.0, 1e-15);
  EXPECT_NEAR(d.mutual(0, 1), 1.0 - (1.0 + 0.0 + 1.5) / 5.0, 1e-15);
  const NeighbourLists* all[] = {&a, &b, &c};
  for (int g = 0; g < 3; ++g) {
    EXPECT_EQ(d.jaccard(g, g), 0.0);
    for (int h = 0; h < 3; ++h) {
      if (g == h) continue;
      const auto [jaccard, mutual] = explicit_overlap(*all[g], *all[h]);
      EXPECT_NEAR(d.jaccard(g, h), jaccard, 1e-15) << g << "," << h;
      EXPECT_NEAR(d.mutual(g, h), mutual, 1e-15) << g << "," << h;
    }
  }
  // Jaccard and the shared share differ where the lists differ: (a, c) has Jaccard distance above mutual.
  EXPECT_GT(d.jaccard(0, 2), d.mutual(0, 2));
}

TEST(NeighbourOverlap, GraphRowsGiveJaccardOnly) {
  EdgeList ea(4), eb(4);
  for (auto [i, j] : std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 3}}) ea.add(i, j);
  for (auto [i, j] : std::vector<std::pair<int, int>>{{0, 1}, {0, 2}, {2, 3}}) eb.add(i, j);
  const Graph ga = ea.build(Symmetrize::union_of_both), gb = eb.build(Symmetrize::union_of_both);
  const NeighbourSets sa = neighbour_sets(ga), sb = neighbour_sets(gb);
  const NeighbourOverlapDistances d = neighbour_overlap_distances({&sa, &sb});
  // Rows: a = {1}, {0,2}, {1,3}, {2}; b = {1,2}, {0}, {0,3}, {2}: Jaccard 1/2, 1/2, 1/3, 1.
  EXPECT_NEAR(d.jaccard(0, 1), 1.0 - (0.5 + 0.5 + 1.0 / 3.0 + 1.0) / 4.0, 1e-15);
  EXPECT_EQ(d.mutual.size(), 0);
}

// HSIC-based CKA from the n×n Gram matrices: tr(K H L H) / sqrt(tr(K H K H) tr(L H L H)).
double cka_by_gram_matrices(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  auto centred_gram = [](const Eigen::MatrixXd& z) {
    Eigen::MatrixXd k = z * z.transpose();
    const Eigen::VectorXd row = k.rowwise().mean();
    const double all = k.mean();
    for (Eigen::Index i = 0; i < k.rows(); ++i)
      for (Eigen::Index j = 0; j < k.cols(); ++j) k(i, j) += all - row[i] - row[j];
    return k;
  };
  const Eigen::MatrixXd kx = centred_gram(x), ky = centred_gram(y);
  return (kx.cwiseProduct(ky)).sum() / std::sqrt((kx.cwiseProduct(kx)).sum() * (ky.cwiseProduct(ky)).sum());
}

Eigen::MatrixXd view_matrix(const EmbeddingsView& v) {
  Eigen::MatrixXd out(v.n, v.dim);
  for (std::int64_t i = 0; i < v.n; ++i)
    for (std::int64_t c = 0; c < v.dim; ++c) out(i, c) = v.at(i, c);
  return out;
}

TEST(LinearCka, MatchesTheGramMatrixFormula) {
  // n = 1100 crosses the 1024-row block; non-zero column means test the centring.
  const std::int64_t n = 1100;
  Embeddings x = test::random_embeddings(n, 7, 1);
  Embeddings y = test::random_embeddings(n, 3, 2);
  for (std::int64_t i = 0; i < n; ++i) {
    x.row(i)[0] += 3.0f;
    y.row(i)[1] = 0.5f * x.row(i)[1] + 0.2f * y.row(i)[1] - 2.0f;  // shared signal, shifted
  }
  std::vector<double> y64(y.values.begin(), y.values.end());
  const EmbeddingsView vy{n, 3, nullptr, y64.data()};  // a float64 view
  const double expected = cka_by_gram_matrices(view_matrix(x), view_matrix(vy));
  EXPECT_NEAR(linear_cka(x, vy), expected, 1e-10);
  EXPECT_GT(expected, 0.05);
  // Without centring the answer differs (the wrong variant fails this test's bound).
  const Eigen::MatrixXd ux = view_matrix(x), uy = view_matrix(vy);
  const double uncentred = (ux.transpose() * uy).squaredNorm() /
                           ((ux.transpose() * ux).norm() * (uy.transpose() * uy).norm());
  EXPECT_GT(std::abs(uncentred - expected), 1e-3);
}

TEST(LinearCka, InvariancesAndMatrix) {
  const std::int64_t n = 300;
  const Embeddings x = test::random_embeddings(n, 5, 3);
  // An orthogonal rotation, a scaling and a shift of x: CKA 1.
  Embeddings rotated = x;
  const double c = std::cos(0.7), s = std::sin(0.7);
  for (std::int64_t i = 0; i < n; ++i) {
    const float a = x.row(i)[0], b = x.row(i)[1];
    rotated.row(i)[0] = static_cast<float>(2.0 * (c * a - s * b) + 1.0);
    rotated.row(i)[1] = static_cast<float>(2.0 * (s * a + c * b) - 4.0);
    for (int col = 2; col < 5; ++col) rotated.row(i)[col] = 2.0f * x.row(i)[col] + 1.0f;
  }
  EXPECT_NEAR(linear_cka(x, rotated), 1.0, 1e-5);
  const Embeddings other = test::random_embeddings(n, 9, 4);
  const std::vector<EmbeddingsView> views = {x, rotated, other};
  const Eigen::MatrixXd one_thread = linear_cka_distances(views, 1), three = linear_cka_distances(views, 3);
  EXPECT_EQ(one_thread, three);  // the same bits for any thread count
  for (int g = 0; g < 3; ++g)
    for (int h = 0; h < 3; ++h)
      EXPECT_NEAR(one_thread(g, h), g == h ? 0.0 : 1.0 - linear_cka(views[g], views[h]), 1e-12);
  // Constant embedding: no variance, CKA 0 by definition.
  Embeddings constant = x;
  std::fill(constant.values.begin(), constant.values.end(), 1.0f);
  EXPECT_EQ(linear_cka(x, constant), 0.0);
}

OmnibusEmbedding explicit_embedding(int graphs, std::int64_t n, int dim, std::uint64_t seed) {
  OmnibusEmbedding e;
  e.graphs = graphs;
  e.n = n;
  e.dim = dim;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  e.latent.resize(graphs * n, dim);
  for (Eigen::Index r = 0; r < e.latent.rows(); ++r)
    for (int c = 0; c < dim; ++c) e.latent(r, c) = normal(rng);
  return e;
}

TEST(DirectionDistance, AgainstExplicitComputation) {
  OmnibusEmbedding e = explicit_embedding(3, 6, 4, 5);
  e.latent.row(2).head(2).setZero();  // a zero row in the first two columns stays zero
  const Eigen::MatrixXd d = direction_distances(e, 2);
  EXPECT_EQ(direction_dim(e, 2), 2);
  for (int g = 0; g < 3; ++g)
    for (int h = 0; h < 3; ++h) {
      double sum = 0.0;
      for (int i = 0; i < 6; ++i) {
        const double xg = e.latent(g * 6 + i, 0), yg = e.latent(g * 6 + i, 1);
        const double xh = e.latent(h * 6 + i, 0), yh = e.latent(h * 6 + i, 1);
        const double lg = std::hypot(xg, yg), lh = std::hypot(xh, yh);
        const double ux = (lg > 0 ? xg / lg : 0.0) - (lh > 0 ? xh / lh : 0.0);
        const double uy = (lg > 0 ? yg / lg : 0.0) - (lh > 0 ? yh / lh : 0.0);
        sum += ux * ux + uy * uy;
      }
      EXPECT_NEAR(d(g, h), std::sqrt(sum / 6.0), 1e-14) << g << "," << h;
    }
  // Row lengths do not count: scaling every row of a block by its own positive factor changes nothing,
  // while the omnibus distance changes.
  OmnibusEmbedding scaled = e;
  for (int i = 0; i < 6; ++i) scaled.latent.row(6 + i) *= 1.0 + i;
  EXPECT_NEAR((direction_distances(scaled, 2) - d).cwiseAbs().maxCoeff(), 0.0, 1e-14);
  EXPECT_GT(std::abs(model_distances(scaled)(0, 1) - model_distances(e)(0, 1)), 1e-3);
  // A cap above d uses d; a cap of 0 is refused.
  EXPECT_EQ(direction_dim(e, 100), 4);
  EXPECT_THROW(direction_distances(e, 0), InputError);
}

// The normalised omnibus against a dense brute force: N_g = D^-1/2 (A_g + I) D^-1/2 formed entry by entry, the
// m·n × m·n omnibus matrix of blocks (N_g + N_h)/2, all its eigenpairs, Ẑ = U |Λ|^½ from the top d by |λ|, and
// the relative Frobenius distance written out. Sizes on both sides of the dense threshold (400 rows).
Eigen::MatrixXd brute_force_normalised_omnibus(const std::vector<const Graph*>& graphs, int d, double* gap) {
  const int m = static_cast<int>(graphs.size());
  const Eigen::Index n = graphs.front()->n;
  std::vector<Eigen::MatrixXd> kernels;
  for (const Graph* graph : graphs) {
    Eigen::MatrixXd a = Eigen::MatrixXd::Identity(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < n; ++j)
        if (graph->has_edge(i, j)) a(i, j) = 1.0;
    const Eigen::VectorXd degree = a.rowwise().sum();
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < n; ++j) a(i, j) /= std::sqrt(degree[i] * degree[j]);
    kernels.push_back(a);
  }
  Eigen::MatrixXd omega(m * n, m * n);
  for (int g = 0; g < m; ++g)
    for (int h = 0; h < m; ++h) omega.block(g * n, h * n, n, n) = 0.5 * (kernels[g] + kernels[h]);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(omega);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(m * n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    return std::abs(solver.eigenvalues()[a]) > std::abs(solver.eigenvalues()[b]);
  });
  *gap = (std::abs(solver.eigenvalues()[order[d - 1]]) - std::abs(solver.eigenvalues()[order[d]])) /
         std::abs(solver.eigenvalues()[order[d - 1]]);
  Eigen::MatrixXd z(m * n, d);
  for (int c = 0; c < d; ++c)
    z.col(c) = solver.eigenvectors().col(order[c]) * std::sqrt(std::abs(solver.eigenvalues()[order[c]]));
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(m, m);
  for (int g = 0; g < m; ++g)
    for (int h = 0; h < m; ++h) {
      double difference = 0.0, mean = 0.0;
      for (Eigen::Index i = 0; i < n; ++i)
        for (int c = 0; c < d; ++c) {
          const double a = z(g * n + i, c), b = z(h * n + i, c);
          difference += (a - b) * (a - b);
          mean += 0.25 * (a + b) * (a + b);
        }
      out(g, h) = std::sqrt(difference / mean);
    }
  return out;
}

// Graphs with hubs: an RDPG whose latent positions have lengths spread over [0.3, 1] (so degrees vary).
std::vector<Graph> hub_graphs(int m, std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> angle(0.0, 1.5707963), length(0.3, 1.0);
  std::vector<Graph> graphs;
  for (int g = 0; g < m; ++g) {
    std::vector<double> x(static_cast<std::size_t>(2 * n));
    for (std::int64_t i = 0; i < n; ++i) {
      const double a = angle(rng), l = length(rng);
      x[2 * i] = l * std::cos(a), x[2 * i + 1] = l * std::sin(a);
    }
    graphs.push_back(test::rdpg_graph(x, n, 2, seed + 17 * static_cast<std::uint64_t>(g) + 1));
  }
  return graphs;
}

TEST(NormalisedOmnibus, AgainstDenseBruteForce) {
  for (const std::int64_t n : {40, 150}) {
    const std::vector<Graph> graphs = hub_graphs(3, n, 11);
    std::vector<const Graph*> pointers;
    for (const Graph& graph : graphs) pointers.push_back(&graph);
    // The first d ≥ 3 whose eigenspace is identifiable (relative gap ≥ 2 %): there the result is unique.
    int d = 3;
    double gap = 0.0;
    Eigen::MatrixXd expected = brute_force_normalised_omnibus(pointers, d, &gap);
    while (gap < 0.02 && d < 12) expected = brute_force_normalised_omnibus(pointers, ++d, &gap);
    ASSERT_GE(gap, 0.02) << "no identifiable d in 3..12";
    NormalisedOmnibusConfig tight;
    tight.dim = d;
    tight.seed = 3;
    tight.tolerance = 1e-10;
    const NormalisedOmnibus got = normalised_omnibus(pointers, tight);
    EXPECT_TRUE(got.converged);
    EXPECT_EQ(got.dim, d);
    EXPECT_NEAR(got.relative_gap, gap, 1e-9);
    EXPECT_GT(expected(0, 1), 0.01);
    EXPECT_NEAR((got.distances - expected).cwiseAbs().maxCoeff(), 0.0, 1e-7) << "n = " << n;
    // The default tolerance (10⁻⁶ on the relative residual) moves the distances by far less than they differ.
    NormalisedOmnibusConfig loose = tight;
    loose.tolerance = NormalisedOmnibusConfig{}.tolerance;
    EXPECT_NEAR((normalised_omnibus(pointers, loose).distances - expected).cwiseAbs().maxCoeff(), 0.0, 1e-4)
        << "n = " << n;
    // Not the unnormalised omnibus distance of the same graphs at the same d.
    OmnibusConfig plain;
    plain.dim = d;
    EXPECT_GT((model_distances(embed_omnibus(pointers, plain)) - expected).cwiseAbs().maxCoeff(), 1e-3);
  }
  const std::vector<Graph> graphs = hub_graphs(2, 30, 5);
  EXPECT_EQ(normalised_omnibus_dim({&graphs[0], &graphs[1]}, 100), 59);  // capped at m·n − 1
  NormalisedOmnibusConfig zero;
  zero.dim = 0;
  EXPECT_THROW(normalised_omnibus({&graphs[0], &graphs[1]}, zero), InputError);
  NormalisedOmnibusConfig negative;
  negative.tolerance = 0;
  EXPECT_THROW(normalised_omnibus({&graphs[0], &graphs[1]}, negative), InputError);
}

// A solve that runs out of restarts returns its current pairs, marked unconverged, with a residual above the
// tolerance; given more restarts the same seed converges, and the early distances are already near.
TEST(NormalisedOmnibus, StopsAtItsRestartCapWithAnHonestResidual) {
  const std::vector<Graph> graphs = hub_graphs(3, 400, 21);
  std::vector<const Graph*> pointers;
  for (const Graph& graph : graphs) pointers.push_back(&graph);
  NormalisedOmnibusConfig config;
  config.dim = 8;
  config.tolerance = 1e-12;
  config.distance_tolerance = 0;  // the residual test alone
  config.max_cycles = 1;
  const NormalisedOmnibus early = normalised_omnibus(pointers, config);
  EXPECT_FALSE(early.converged);
  EXPECT_EQ(early.cycles, 1);
  EXPECT_GT(early.worst_residual, config.tolerance);
  EXPECT_TRUE(early.distances.allFinite());
  config.max_cycles = 300;
  const NormalisedOmnibus done = normalised_omnibus(pointers, config);
  EXPECT_TRUE(done.converged);
  EXPECT_LE(done.worst_residual, config.tolerance);
  EXPECT_GT(done.cycles, 1);
  EXPECT_LT((early.distances - done.distances).cwiseAbs().maxCoeff(), 0.1);
}

// The distance test ends the solve once no distance moves by more than the tolerance over `stable_restarts`
// restarts: with a loose one after exactly stable_restarts + 1 restarts, and the distances it returns are then
// within that tolerance's reach of the converged ones; with 0 only the residual test ends it.
TEST(NormalisedOmnibus, StopsWhenTheDistancesSettle) {
  const std::vector<Graph> graphs = hub_graphs(3, 400, 23);
  std::vector<const Graph*> pointers;
  for (const Graph& graph : graphs) pointers.push_back(&graph);
  NormalisedOmnibusConfig config;
  config.dim = 8;
  config.tolerance = 1e-12;
  config.distance_tolerance = 0;
  const NormalisedOmnibus converged = normalised_omnibus(pointers, config);
  ASSERT_TRUE(converged.converged);
  EXPECT_FALSE(converged.stopped_early);
  ASSERT_GE(converged.cycles, 4) << "too easy a spectrum to see an early stop";
  for (const int stable : {1, 2}) {
    config.distance_tolerance = 10.0;  // every restart counts as settled
    config.stable_restarts = stable;
    const NormalisedOmnibus early = normalised_omnibus(pointers, config);
    EXPECT_TRUE(early.stopped_early);
    EXPECT_FALSE(early.converged);
    EXPECT_EQ(early.cycles, stable + 1);
  }
  config.distance_tolerance = 1e-4;
  config.stable_restarts = 2;
  const NormalisedOmnibus settled = normalised_omnibus(pointers, config);
  EXPECT_LE(settled.cycles, converged.cycles);
  EXPECT_LT((settled.distances - converged.distances).cwiseAbs().maxCoeff(), 1e-3);
  config.distance_tolerance = -1;
  EXPECT_THROW(normalised_omnibus(pointers, config), InputError);
}

TEST(NormalisedOmnibus, CancelledSolveThrows) {
  const std::vector<Graph> graphs = hub_graphs(3, 400, 22);
  int polls = 0;
  NormalisedOmnibusConfig config;
  config.cancelled = [&] { return ++polls > 3; };
  EXPECT_THROW(normalised_omnibus({&graphs[0], &graphs[1], &graphs[2]}, config), Cancelled);
  EXPECT_EQ(polls, 4);
}

// Mantel p by full enumeration of the m! label permutations, written independently of correlation.cpp.
double enumerated_mantel_pearson_p(const Eigen::MatrixXd& d, std::vector<double> metric) {
  const int m = static_cast<int>(metric.size());
  auto pearson_with = [&](const std::vector<double>& f) {
    std::vector<double> x, y;
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j) x.push_back(d(i, j)), y.push_back(std::abs(f[i] - f[j]));
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / x.size();
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / y.size();
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t p = 0; p < x.size(); ++p)
      sxy += (x[p] - mx) * (y[p] - my), sxx += (x[p] - mx) * (x[p] - mx), syy += (y[p] - my) * (y[p] - my);
    return sxy / std::sqrt(sxx * syy);
  };
  const double observed = std::abs(pearson_with(metric));
  std::vector<int> order(m);
  std::iota(order.begin(), order.end(), 0);
  long at_least = 0, total = 0;
  do {
    std::vector<double> f(m);
    for (int i = 0; i < m; ++i) f[i] = metric[order[i]];
    at_least += std::abs(pearson_with(f)) >= observed - 1e-12;
    ++total;
  } while (std::next_permutation(order.begin(), order.end()));
  return static_cast<double>(at_least) / static_cast<double>(total);
}

TEST(MeasureCorrelations, MantelAgainstEnumerationAndBestMeasure) {
  const std::vector<double> metric = {0.10, 0.35, 0.40, 0.62, 0.80, 0.95};
  std::mt19937_64 rng(9);
  std::normal_distribution<double> noise(0.0, 0.15);
  Eigen::MatrixXd tracking = Eigen::MatrixXd::Zero(6, 6), unrelated = Eigen::MatrixXd::Zero(6, 6);
  for (int i = 0; i < 6; ++i)
    for (int j = i + 1; j < 6; ++j) {
      tracking(i, j) = tracking(j, i) = std::abs(metric[i] - metric[j]) + 0.05 * noise(rng);
      unrelated(i, j) = unrelated(j, i) = 1.0 + noise(rng);
    }
  const MetricCorrelation a = correlate_with_metric(tracking, metric, "acc", {});
  const MetricCorrelation b = correlate_with_metric(unrelated, metric, "acc", {});
  EXPECT_NEAR(a.pearson_p, enumerated_mantel_pearson_p(tracking, metric), 1e-12);
  EXPECT_NEAR(b.pearson_p, enumerated_mantel_pearson_p(unrelated, metric), 1e-12);
  EXPECT_LT(a.pearson_p, 0.01);
  std::vector<PairMeasure> measures(3);
  measures[0].name = "unrelated", measures[0].correlations = {b};
  measures[1].name = "tracking", measures[1].correlations = {a};
  measures[2].name = "undefined", measures[2].correlations = {a};
  measures[2].correlations[0].spearman = std::numeric_limits<double>::quiet_NaN();
  const std::vector<BestMeasure> best = best_measures(measures);
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].metric, "acc");
  EXPECT_EQ(best[0].measure, "tracking");
  EXPECT_EQ(best[0].spearman, a.spearman);
}

TEST(PairMeasureNames, RoundTripAndError) {
  for (const PairMeasureKind kind : all_pair_measures()) EXPECT_EQ(parse_pair_measure(pair_measure_name(kind)), kind);
  try {
    parse_pair_measure("cka");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("linear_cka"), std::string::npos) << e.what();
  }
}

// Simulated models with one metric, "acc".
CompareInput simulated_input_with_metric(int models, std::int64_t n, std::uint64_t seed) {
  CompareInput input = test::simulated_input(models, n, seed);
  MetricsTable metrics;
  metrics.metric_names = {"acc"};
  metrics.values = {{0.9, 0.7, 0.8, 0.5}};
  metrics.values[0].resize(static_cast<std::size_t>(models));
  input.metrics = metrics;
  return input;
}

TEST(CompareMeasures, EveryMeasureWithItsCorrelationsAndTheMapsChoice) {
  const CompareInput input = simulated_input_with_metric(4, 300, 3);
  CompareConfig config;
  config.per_datum_tests = false;
  const CompareResult omnibus = run_compare(input, config);
  ASSERT_EQ(omnibus.measures.size(), 6u);
  std::vector<std::string> names;
  for (const PairMeasure& m : omnibus.measures) {
    names.push_back(m.name);
    ASSERT_EQ(m.distances.rows(), 4);
    EXPECT_NEAR((m.distances - m.distances.transpose()).cwiseAbs().maxCoeff(), 0.0, 0.0);
    EXPECT_EQ(m.distances.diagonal().cwiseAbs().maxCoeff(), 0.0);
    ASSERT_EQ(m.correlations.size(), 1u);
    EXPECT_EQ(m.correlations[0].metric, "acc");
  }
  EXPECT_EQ(names, (std::vector<std::string>{"omnibus", "direction", "normalised_omnibus", "knn_jaccard", "mutual_knn", "linear_cka"}));
  // The default map is the normalised omnibus distance, equal to a direct call on the run's graphs.
  EXPECT_EQ(omnibus.config.measures.map, PairMeasureKind::normalised_omnibus);
  EXPECT_EQ(omnibus.measures[0].distances, model_distances(omnibus.joint));
  EXPECT_EQ(omnibus.measures[2].distances, omnibus.distances);
  EXPECT_EQ(omnibus.measures[2].dim, 24);
  EXPECT_EQ(omnibus.correlations[0].spearman, omnibus.measures[2].correlations[0].spearman);
  std::vector<Graph> graphs;
  for (const ModelInput& model : input.models) {
    KnnConfig knn = omnibus.config.knn;
    knn.k = omnibus.k;
    graphs.push_back(knn_graph(model.view(), knn));
  }
  NormalisedOmnibusConfig direct;
  direct.seed = omnibus.config.seed;
  EXPECT_EQ(normalised_omnibus({&graphs[0], &graphs[1], &graphs[2], &graphs[3]}, direct).distances, omnibus.distances);
  // The kNN measures match a direct computation from the run's own kNN lists.
  std::vector<NeighbourSets> sets;
  for (const ModelInput& model : input.models) {
    KnnConfig knn = omnibus.config.knn;
    sets.push_back(neighbour_sets(knn_search(model.view(), knn)));
  }
  const NeighbourOverlapDistances overlap = neighbour_overlap_distances({&sets[0], &sets[1], &sets[2], &sets[3]});
  EXPECT_EQ(omnibus.measures[3].distances, overlap.jaccard);
  EXPECT_EQ(omnibus.measures[4].distances, overlap.mutual);

  config.measures.map = PairMeasureKind::direction;
  const CompareResult direction = run_compare(input, config);
  EXPECT_EQ(direction.distances, direction_distances(direction.joint, 8));
  EXPECT_EQ(direction.correlations[0].pearson, direction.measures[1].correlations[0].pearson);
  EXPECT_NEAR(direction.manifold.stress, classical_mds(direction.distances, 2).stress, 1e-15);

  config.measures.simple = false;
  config.measures.map = PairMeasureKind::linear_cka;
  const CompareResult only = run_compare(input, config);
  ASSERT_EQ(only.measures.size(), 1u);
  EXPECT_EQ(only.measures[0].name, "linear_cka");
  EXPECT_NEAR((only.distances - omnibus.measures[5].distances).cwiseAbs().maxCoeff(), 0.0, 1e-12);
}

TEST(CompareMeasures, LinearCkaBeyondItsBudgetIsSkippedUnlessItIsTheMapsMeasure) {
  const CompareInput input = simulated_input_with_metric(3, 200, 5);
  // Σ over pairs g ≤ h of n p_g p_h with p = 32, 24, 32 (dims cycled): the work the budget is compared with.
  const double work = 200.0 * (32 * 32 + 32 * 24 + 32 * 32 + 24 * 24 + 24 * 32 + 32 * 32);
  CompareConfig config;
  config.per_datum_tests = false;
  config.measures.linear_cka_budget = work;  // exactly at the budget: computed
  const CompareResult at = run_compare(input, config);
  ASSERT_EQ(at.measures.size(), 6u);
  EXPECT_EQ(at.measures[5].name, "linear_cka");
  config.measures.linear_cka_budget = work - 1;  // one multiply-add over: skipped, with a warning
  const CompareResult over = run_compare(input, config);
  ASSERT_EQ(over.measures.size(), 5u);
  EXPECT_EQ(over.measures[4].name, "mutual_knn");
  const auto warned = std::find_if(over.warnings.begin(), over.warnings.end(), [](const std::string& w) {
    return w.find("linear CKA skipped") != std::string::npos;
  });
  ASSERT_NE(warned, over.warnings.end());
  config.measures.map = PairMeasureKind::linear_cka;  // the map's measure is computed whatever it costs
  const CompareResult map = run_compare(input, config);
  EXPECT_EQ(map.measures.back().name, "linear_cka");
  EXPECT_NEAR((map.distances - at.measures[5].distances).cwiseAbs().maxCoeff(), 0.0, 1e-12);
}

TEST(CompareMeasures, GraphInputsHaveNoEmbeddingMeasures) {
  CompareInput input = simulated_input_with_metric(3, 200, 4);
  KnnConfig knn;
  knn.k = default_k(200);
  ModelInput graph;
  graph.spec = "kernel.mtx";
  graph.graph = knn_graph(input.models[2].view(), knn);
  input.models[2] = std::move(graph);
  CompareConfig config;
  config.per_datum_tests = false;
  const CompareResult r = run_compare(input, config);
  std::vector<std::string> names;
  for (const PairMeasure& m : r.measures) names.push_back(m.name);
  EXPECT_EQ(names, (std::vector<std::string>{"omnibus", "direction", "normalised_omnibus", "knn_jaccard"}));
  for (const PairMeasureKind kind : {PairMeasureKind::linear_cka, PairMeasureKind::mutual_knn}) {
    config.measures.map = kind;
    try {
      run_compare(input, config);
      FAIL() << "no error";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("kernel.mtx"), std::string::npos) << e.what();
    }
  }
  config.measures.map = PairMeasureKind::omnibus;
  config.measures.direction_dim = 0;
  EXPECT_THROW(run_compare(input, config), InputError);
  config.measures.direction_dim = 8;
  config.measures.normalised_dim = 0;
  EXPECT_THROW(run_compare(input, config), InputError);
}

}  // namespace
}  // namespace dk
