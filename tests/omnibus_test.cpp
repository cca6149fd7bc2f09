// Omnibus embedding against an explicitly formed dense omnibus matrix solved with Eigen.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <random>

#include "embed/eigensolve.hpp"
#include "datakernel/embed/omnibus.hpp"
#include "datakernel/population/model_distance.hpp"
#include "dense_omnibus.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

using test::dense_augmented;
using test::dense_omnibus;

// Latent positions of a 3-block model, perturbed per graph.
std::vector<double> block_positions(std::int64_t n, double shift, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-shift, shift);
  const double centres[3][3] = {{0.7, 0.1, 0.1}, {0.3, 0.55, 0.1}, {0.3, 0.1, 0.6}};
  std::vector<double> x(static_cast<std::size_t>(n) * 3);
  for (std::int64_t i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c) x[i * 3 + c] = centres[i % 3][c] + u(rng);
  return x;
}

struct Fixture {
  std::vector<Graph> graphs;
  std::vector<const Graph*> pointers() const {
    std::vector<const Graph*> out;
    for (const Graph& g : graphs) out.push_back(&g);
    return out;
  }
};

Fixture three_graphs(std::int64_t n) {
  Fixture f;
  for (int g = 0; g < 3; ++g) f.graphs.push_back(test::rdpg_graph(block_positions(n, 0.05, 10 + g), n, 3, 100 + g));
  return f;
}

TEST(Omnibus, OperatorEqualsDenseMatrix) {
  const Fixture f = three_graphs(40);
  const Eigen::MatrixXd omni = dense_omnibus(f.pointers());
  OmnibusOperator op(f.pointers());
  ASSERT_EQ(op.rows(), 120);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  Eigen::VectorXd x(120), y(120);
  for (auto& v : x) v = normal(rng);
  op.perform_op(x.data(), y.data());
  EXPECT_LT((y - omni * x).norm(), 1e-12 * (omni * x).norm());
}

// Spectra path (operator larger than the dense threshold) against Eigen's dense solver.
TEST(Omnibus, EigenpairsMatchDenseSolver) {
  const std::int64_t n = 180;  // 3 graphs -> 540 rows > dense threshold 400
  const Fixture f = three_graphs(n);
  const Eigen::MatrixXd omni = dense_omnibus(f.pointers());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> dense(omni);
  Eigen::VectorXd values = dense.eigenvalues();
  std::vector<double> sorted(values.data(), values.data() + values.size());
  std::sort(sorted.begin(), sorted.end(), [](double a, double b) { return std::abs(a) > std::abs(b); });

  OmnibusConfig config;
  config.dim = 3;
  config.seed = 7;
  const OmnibusEmbedding embedding = embed_omnibus(f.pointers(), config);
  ASSERT_EQ(embedding.eigenvalues.size(), 4);
  for (int r = 0; r < 4; ++r)
    EXPECT_NEAR(embedding.eigenvalues[r], sorted[r], 1e-8 * std::abs(sorted[r])) << "eigenvalue " << r;

  // ẐẐᵀ is free of sign and rotation: compare with the dense top-3 reconstruction.
  Eigen::MatrixXd z_dense(3 * n, 3);
  int column = 0;
  for (Eigen::Index r = values.size() - 1; r >= 0 && column < 3; --r)  // top 3 are the largest (positive)
    z_dense.col(column++) = dense.eigenvectors().col(r) * std::sqrt(values[r]);
  const Eigen::MatrixXd gram_dense = z_dense * z_dense.transpose();
  const Eigen::MatrixXd gram = embedding.latent * embedding.latent.transpose();
  EXPECT_LT((gram - gram_dense).norm(), 1e-7 * gram_dense.norm());
  EXPECT_FALSE(embedding.near_degenerate);
}

TEST(Omnibus, AutomaticDimensionFindsThePlantedRank) {
  const Fixture f = three_graphs(300);
  OmnibusConfig config;
  const OmnibusEmbedding embedding = embed_omnibus(f.pointers(), config);
  // The Perron eigenvalue dominates: the first elbow is 1, the second (the default) the planted rank.
  EXPECT_EQ(embedding.elbows, (std::vector<int>{1, 3}));
  EXPECT_EQ(embedding.dim, 3);
  // 16 eigenvalues, then 32 that give the same d: the search stops there (section 6 of docs/method.md).
  EXPECT_EQ(embedding.eigenvalues.size(), 32);
}

TEST(Omnibus, AseIsTheSingleGraphCase) {
  const Fixture f = three_graphs(150);
  const Eigen::MatrixXd a = dense_augmented(f.graphs[0]);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> dense(a);
  OmnibusConfig config;
  config.dim = 2;
  const OmnibusEmbedding ase = embed_omnibus({&f.graphs[0]}, config);
  EXPECT_NEAR(ase.eigenvalues[0], dense.eigenvalues()[149], 1e-8 * dense.eigenvalues()[149]);
}

TEST(Omnibus, SignConventionAndSeedDeterminism) {
  const Fixture f = three_graphs(200);
  OmnibusConfig config;
  config.dim = 3;
  config.seed = 1;
  const OmnibusEmbedding a = embed_omnibus(f.pointers(), config);
  config.seed = 99;
  const OmnibusEmbedding b = embed_omnibus(f.pointers(), config);
  // Different start vectors converge to the same sign-fixed embedding.
  EXPECT_LT((a.latent - b.latent).norm(), 1e-6 * a.latent.norm());
  for (int c = 0; c < 3; ++c) {
    Eigen::Index at;
    a.latent.col(c).cwiseAbs().maxCoeff(&at);
    EXPECT_GT(a.latent(at, c), 0.0);
  }
}

TEST(Omnibus, AlignedBlocksSeparateMovedVertices) {
  // Two independent draws from the same positions, and a third where 10% of vertices changed block.
  const std::int64_t n = 300;
  const std::vector<double> x = block_positions(n, 0.0, 1);
  std::vector<double> moved = x;
  for (std::int64_t i = 0; i < n; i += 10)
    for (int c = 0; c < 3; ++c) moved[i * 3 + c] = x[((i + 1) % n) * 3 + c];
  std::vector<Graph> graphs = {test::rdpg_graph(x, n, 3, 1), test::rdpg_graph(x, n, 3, 2),
                               test::rdpg_graph(moved, n, 3, 3)};
  OmnibusConfig config;
  config.dim = 3;
  const OmnibusEmbedding e = embed_omnibus({&graphs[0], &graphs[1], &graphs[2]}, config);
  const Eigen::MatrixXd d = model_distances(e);
  EXPECT_LT(d(0, 1), d(0, 2));
  EXPECT_LT(d(0, 1), d(1, 2));
  const Eigen::VectorXd shift = datum_shift(e, 0, 2);
  const auto rank = descending_ranks(shift);
  int moved_in_top = 0;
  for (std::int64_t i = 0; i < n; i += 10) moved_in_top += rank[i] <= n / 10;
  EXPECT_GE(moved_in_top, 21);  // at least 70% of the 30 moved vertices rank in the top 30 (chance: 3)
}

}  // namespace
}  // namespace dk
