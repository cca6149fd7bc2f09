// The block eigen-solver and the omnibus operators against dense eigen-decompositions of explicitly formed
// matrices, against the single-vector Lanczos solver (Spectra), and across thread counts.
#include <gtest/gtest.h>
#include <omp.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <random>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/runtime/blas.hpp"
#include "embed/block_eigensolve.hpp"
#include "embed/omnibus_operators.hpp"
#include "dense_omnibus.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

// A dense symmetric matrix as a block operator (G = I).
class DenseOperator final : public BlockOperator {
 public:
  explicit DenseOperator(Eigen::MatrixXd a) : a_(std::move(a)) {}
  Eigen::Index rows() const override { return a_.rows(); }
  void apply(const ConstBlockView& x, BlockView gram, BlockView image) const override {
    gram = x;
    image = a_ * x;
  }

 private:
  Eigen::MatrixXd a_;
};

// Q diag(λ) Qᵀ with λ of both signs and a known order by |λ|.
Eigen::MatrixXd matrix_with_spectrum(const Eigen::VectorXd& values, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd g(values.size(), values.size());
  for (Eigen::Index i = 0; i < g.size(); ++i) g.data()[i] = normal(rng);
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
  const Eigen::MatrixXd q = qr.householderQ();
  return q * values.asDiagonal() * q.transpose();
}

using test::dense_augmented;
using test::dense_omnibus;

// m graphs from one 3-block model with per-graph perturbations of the latent positions.
std::vector<Graph> block_model_graphs(std::int64_t n, int m, std::uint64_t seed) {
  std::vector<Graph> graphs;
  const double centres[3][3] = {{0.7, 0.1, 0.1}, {0.3, 0.55, 0.1}, {0.3, 0.1, 0.6}};
  for (int g = 0; g < m; ++g) {
    std::mt19937_64 rng(seed + 31 * g);
    std::uniform_real_distribution<double> u(-0.08, 0.08);
    std::vector<double> x(static_cast<std::size_t>(n) * 3);
    for (std::int64_t i = 0; i < n; ++i)
      for (int c = 0; c < 3; ++c) x[i * 3 + c] = centres[(i * 7 / n + g) % 3][c] + u(rng);
    graphs.push_back(test::rdpg_graph(x, n, 3, seed + 1000 + g));
  }
  return graphs;
}

std::vector<const Graph*> pointers(const std::vector<Graph>& graphs) {
  std::vector<const Graph*> out;
  for (const Graph& g : graphs) out.push_back(&g);
  return out;
}

struct DenseReference {
  Eigen::VectorXd values;   // by descending |λ|
  Eigen::MatrixXd vectors;  // matching columns
};

DenseReference dense_reference(const Eigen::MatrixXd& matrix) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(matrix);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(matrix.rows()));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<Eigen::Index>(i);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    return std::abs(solver.eigenvalues()[a]) > std::abs(solver.eigenvalues()[b]);
  });
  DenseReference out{Eigen::VectorXd(matrix.rows()), Eigen::MatrixXd(matrix.rows(), matrix.rows())};
  for (Eigen::Index c = 0; c < matrix.rows(); ++c) {
    out.values[c] = solver.eigenvalues()[order[c]];
    out.vectors.col(c) = solver.eigenvectors().col(order[c]);
  }
  return out;
}

// BlasSingleThreaded (around the block solver) keeps BLAS serial, but the solver's own parallel regions keep
// the caller's team: OpenBLAS's OpenMP build sets the OpenMP thread count along with its own, and before this
// was handled every block eigen-solve ran on one thread.
TEST(BlasSingleThreaded, KeepsTheCallersOpenMpTeamForTheSolversRegions) {
  const int threads = omp_get_max_threads();
  omp_set_num_threads(3);
  {
    const BlasSingleThreaded guard;
    EXPECT_EQ(openmp_threads(), 3);
    int team = 0;
#pragma omp parallel num_threads(openmp_threads())
#pragma omp single
    team = omp_get_num_threads();
    EXPECT_EQ(team, 3);
    // A BLAS call from serial code inside the guard runs on one thread (and leaves the count there).
    std::vector<double> a(64 * 64, 1.0), c(64 * 64);
    gemm_abt(a.data(), a.data(), c.data(), 64, 64, 64, 64);
    EXPECT_EQ(blas_threads(), 1);
    {
      const BlasSingleThreaded inner;
      EXPECT_EQ(openmp_threads(), 3);
    }
    EXPECT_EQ(openmp_threads(), 3);
  }
  EXPECT_EQ(omp_get_max_threads(), 3);
  EXPECT_EQ(openmp_threads(), 3);
  omp_set_num_threads(threads);
}

TEST(BlockEigenSolver, MatchesDenseSolverOnAnExplicitMatrix) {
  const Eigen::Index n = 300;
  Eigen::VectorXd spectrum(n);
  for (Eigen::Index i = 0; i < n; ++i) spectrum[i] = (i % 3 == 1 ? -1.0 : 1.0) * 10.0 * std::pow(0.93, static_cast<double>(i));
  const Eigen::MatrixXd a = matrix_with_spectrum(spectrum, 5);
  const DenseReference reference = dense_reference(a);
  for (int count : {1, 6, 20}) {
    BlockEigenConfig config;
    config.count = count;
    config.seed = 3;
    const BlockEigenPairs pairs = block_top_eigenpairs(DenseOperator(a), config);
    ASSERT_EQ(pairs.values.size(), count);
    for (int c = 0; c < count; ++c) {
      EXPECT_NEAR(pairs.values[c], reference.values[c], 1e-9 * std::abs(reference.values[c])) << count << " " << c;
      EXPECT_NEAR(std::abs(pairs.vectors.col(c).dot(reference.vectors.col(c))), 1.0, 1e-8) << count << " " << c;
    }
  }
}

// tight_count: the first pairs meet `tolerance`, the rest only loose_tolerance, in fewer applications. Residuals
// measured here on the matrix itself; the spectrum's tail (from the 4th pair) is clustered, so that holding it
// to 1e-10 costs many more applications than holding it to 1e-4.
TEST(BlockEigenSolver, LooseTolerancePastTheTightPairs) {
  const Eigen::Index n = 400;
  for (std::uint64_t seed : {5, 6, 7}) {
    Eigen::VectorXd spectrum(n);
    for (Eigen::Index i = 0; i < n; ++i)
      spectrum[i] = i < 3 ? 20.0 - 4.0 * static_cast<double>(i) : 6.0 * std::pow(0.995, static_cast<double>(i));
    const Eigen::MatrixXd a = matrix_with_spectrum(spectrum, seed);
    const DenseReference reference = dense_reference(a);
    BlockEigenConfig config;
    config.count = 12;
    config.seed = seed;
    const BlockEigenPairs all_tight = block_top_eigenpairs(DenseOperator(a), config);
    config.loose_tolerance = 1e-4;
    config.tight_count = [](const Eigen::VectorXd& values) {
      EXPECT_EQ(values.size(), 12);
      return 3;
    };
    const BlockEigenPairs tiered = block_top_eigenpairs(DenseOperator(a), config);
    EXPECT_LT(tiered.operator_applications, all_tight.operator_applications * 17 / 20) << seed;  // 158 vs 204 when written
    for (int c = 0; c < 12; ++c) {
      const double residual = (a * tiered.vectors.col(c) - tiered.values[c] * tiered.vectors.col(c)).norm() /
                              std::abs(tiered.values[c]);
      EXPECT_LE(residual, (c < 3 ? 1e-10 : 1e-4) * 1.01) << seed << " " << c;
      // A Ritz value's error is about its squared residual over the gap (here at least 0.5% of |λ|).
      EXPECT_NEAR(tiered.values[c], reference.values[c], (c < 3 ? 1e-12 : 2e-6) * std::abs(reference.values[c]))
          << seed << " " << c;
    }
    EXPECT_LE(tiered.worst_residual, 1e-10);
    // Some loose pair stopped well short of 1e-10: the tolerances differ in effect, not only in name.
    double loosest = 0.0;
    for (int c = 3; c < 12; ++c)
      loosest = std::max(loosest, (a * tiered.vectors.col(c) - tiered.values[c] * tiered.vectors.col(c)).norm() /
                                      std::abs(tiered.values[c]));
    EXPECT_GT(loosest, 1e-8) << seed;
  }
}

// The residual block of the Ritz pairs at a restart has rank `block` (1 here) in exact arithmetic: the solver
// applies the operator to its range, not to its kept_ritz columns, and confirms a convergence on the residuals
// themselves (count more columns, once). With a random start, and with the leading half of the wanted
// eigenvectors as start columns (as --dim auto warm-starts 32 pairs from 16), applications are the start, the
// first basis, then per restart cycle the refill plus the range's one column, and the confirmation; applying the
// operator to the whole residual block would add kept_ritz − 1 per cycle. A start of perturbed eigenvectors
// leaves the residuals a part outside the next block (the first cycle keeps one direction of the start's
// images): the range is then wider, but still narrower than the block.
TEST(BlockEigenSolver, AppliesTheOperatorToTheResidualBlocksRangeOnly) {
  const Eigen::Index n = 500;
  Eigen::VectorXd spectrum(n);
  for (Eigen::Index i = 0; i < n; ++i) spectrum[i] = (i % 4 == 2 ? -1.0 : 1.0) * 8.0 * std::pow(0.985, static_cast<double>(i));
  for (std::uint64_t seed : {3, 4, 5}) {
    const Eigen::MatrixXd a = matrix_with_spectrum(spectrum, seed);
    const DenseReference reference = dense_reference(a);
    for (int count : {6, 20}) {
      const Eigen::Index kept = count + std::max(4, count / 4), capacity = 2 * kept + 16;
      enum Start { random, converged_half, perturbed };
      for (Start kind : {random, converged_half, perturbed}) {
        BlockEigenConfig config;
        config.count = count;
        config.seed = seed;
        Block start;
        if (kind == converged_half) start = reference.vectors.leftCols(count / 2);
        if (kind == perturbed) {
          std::mt19937_64 rng(seed);
          std::normal_distribution<double> normal;
          start = reference.vectors.leftCols(count);
          for (Eigen::Index i = 0; i < start.size(); ++i) start.data()[i] += 0.05 * normal(rng);
        }
        if (kind != random) config.start = &start;
        const BlockEigenPairs pairs = block_top_eigenpairs(DenseOperator(a), config);
        ASSERT_TRUE(pairs.converged);
        for (int c = 0; c < count; ++c) {
          const double residual = (a * pairs.vectors.col(c) - pairs.values[c] * pairs.vectors.col(c)).norm();
          EXPECT_LE(residual, 1e-10 * std::abs(pairs.values[c]) * 1.01) << seed << " " << count << " " << kind << " " << c;
          EXPECT_NEAR(pairs.values[c], reference.values[c], 1e-11 * std::abs(reference.values[0])) << seed << " " << c;
        }
        EXPECT_GE(pairs.cycles, 2) << seed << " " << count;
        const long start_columns = kind == random ? 1 : start.cols();
        // Cycle 0: the start columns, the first step from all of them, single steps to the capacity. Each later
        // restart: the range, then single steps from kept to the capacity; the last one: the range and the
        // confirmation. Slack: a range of two columns at every restart.
        const long first_basis = start_columns + capacity - 1;
        if (kind == perturbed)
          EXPECT_LT(pairs.operator_applications, first_basis + (pairs.cycles - 1) * (capacity - 1) + kept)
              << seed << " " << count << ", " << pairs.cycles << " cycles";
        else
          EXPECT_LE(pairs.operator_applications,
                    first_basis + (pairs.cycles - 1) * (capacity - kept) + count + pairs.cycles)
              << seed << " " << count << " " << kind << ", " << pairs.cycles << " cycles";
      }
    }
  }
}

// A range floor far above rounding (10^13 rounding units: about 2·10⁻³ of the largest Ritz image) leaves real
// residual directions out of the range, so the range shows convergence too early: the confirmation on the
// residuals themselves must catch it and the solve go on with the whole residual block, to the same accuracy.
TEST(BlockEigenSolver, ConfirmsARangeConvergenceOnTheResiduals) {
  const Eigen::Index n = 400;
  Eigen::VectorXd spectrum(n);
  for (Eigen::Index i = 0; i < n; ++i) spectrum[i] = (i % 3 == 1 ? -1.0 : 1.0) * 10.0 * std::pow(0.98, static_cast<double>(i));
  for (std::uint64_t seed : {6, 7, 8}) {
    const Eigen::MatrixXd a = matrix_with_spectrum(spectrum, seed);
    const DenseReference reference = dense_reference(a);
    for (double floor : {1e3, 1e13}) {
      BlockEigenConfig config;
      config.count = 8;
      config.seed = seed;
      config.range_floor = floor;
      const BlockEigenPairs pairs = block_top_eigenpairs(DenseOperator(a), config);
      ASSERT_TRUE(pairs.converged);
      EXPECT_LE(pairs.worst_residual, 1e-10);
      for (int c = 0; c < 8; ++c) {
        const double residual = (a * pairs.vectors.col(c) - pairs.values[c] * pairs.vectors.col(c)).norm();
        EXPECT_LE(residual, 1e-10 * std::abs(pairs.values[c]) * 1.01) << seed << " " << floor << " " << c;
        EXPECT_NEAR(pairs.values[c], reference.values[c], 1e-11 * std::abs(reference.values[0])) << seed << " " << c;
      }
    }
  }
}

// M self-adjoint in <x, y>_G with a G whose scale spans 10^8 (M = G⁻¹ S: S x = λ G x): Euclidean norms say little
// about G-norms, so the residuals' range (found in Euclidean terms) must not decide convergence alone. Against the
// dense generalised eigen-solver; residuals measured in the G-norm.
TEST(BlockEigenSolver, GeneralisedProblemWithAnIllConditionedGram) {
  const Eigen::Index n = 300;
  for (std::uint64_t seed : {1, 2, 3}) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> uniform(-4.0, 4.0);
    Eigen::VectorXd g(n);
    for (Eigen::Index i = 0; i < n; ++i) g[i] = std::pow(10.0, uniform(rng));
    Eigen::VectorXd spectrum(n);
    for (Eigen::Index i = 0; i < n; ++i) spectrum[i] = (i % 3 == 1 ? -1.0 : 1.0) * 5.0 * std::pow(0.97, static_cast<double>(i));
    // S = G^½ Q diag(spectrum) Qᵀ G^½: the pencil (S, G) has the eigenvalues `spectrum`.
    const Eigen::VectorXd root = g.cwiseSqrt();
    const Eigen::MatrixXd s = root.asDiagonal() * matrix_with_spectrum(spectrum, seed + 10) * root.asDiagonal();
    class PencilOperator final : public BlockOperator {
     public:
      PencilOperator(const Eigen::MatrixXd& s, const Eigen::VectorXd& g) : s_(s), g_(g) {}
      Eigen::Index rows() const override { return s_.rows(); }
      void apply(const ConstBlockView& x, BlockView gram, BlockView image) const override {
        gram = g_.asDiagonal() * x;
        image = g_.cwiseInverse().asDiagonal() * (s_ * x);
      }

     private:
      const Eigen::MatrixXd& s_;
      const Eigen::VectorXd& g_;
    };
    const PencilOperator op(s, g);
    for (int count : {5, 12}) {
      BlockEigenConfig config;
      config.count = count;
      config.seed = seed;
      const BlockEigenPairs pairs = block_top_eigenpairs(op, config);
      ASSERT_TRUE(pairs.converged);
      for (int c = 0; c < count; ++c) {
        EXPECT_NEAR(pairs.values[c], spectrum[c], 1e-9 * std::abs(spectrum[0])) << seed << " " << count << " " << c;
        const Eigen::VectorXd x = pairs.vectors.col(c);
        const Eigen::VectorXd r = g.cwiseInverse().asDiagonal() * (s * x) - pairs.values[c] * x;
        EXPECT_LE(std::sqrt(r.dot(g.asDiagonal() * r)), 1e-10 * std::abs(pairs.values[c]) * 1.01) << seed << " " << c;
        EXPECT_NEAR(x.dot(g.asDiagonal() * x), 1.0, 1e-9);
      }
    }
  }
}

TEST(BlockEigenSolver, LowRankMatrixExhaustsTheKrylovSpace) {
  // Rank 4 with a block of 7: the Krylov space is invariant after one step and the block shrinks.
  Eigen::VectorXd spectrum = Eigen::VectorXd::Zero(50);
  spectrum.head(4) << 5, -4, 3, 2;
  BlockEigenConfig config;
  config.count = 3;
  const BlockEigenPairs pairs = block_top_eigenpairs(DenseOperator(matrix_with_spectrum(spectrum, 2)), config);
  EXPECT_NEAR(pairs.values[0], 5.0, 1e-9);
  EXPECT_NEAR(pairs.values[1], -4.0, 1e-9);
  EXPECT_NEAR(pairs.values[2], 3.0, 1e-9);
}

// The rank-2n reduction, checked against the explicitly formed omnibus matrix: eigenvalues, and eigenvectors
// up to sign, for m = 3 and m = 5.
TEST(ReducedOmnibus, MatchesTheExplicitOmnibusMatrix) {
  for (int m : {3, 5}) {
    const std::int64_t n = 120;
    const std::vector<Graph> graphs = block_model_graphs(n, m, 40 + m);
    const DenseReference reference = dense_reference(dense_omnibus(pointers(graphs)));
    ReducedOmnibusOperator op(pointers(graphs));
    ASSERT_EQ(op.rows(), 2 * n);
    BlockEigenConfig config;
    config.count = 8;
    config.seed = 11;
    const BlockEigenPairs pairs = block_top_eigenpairs(op, config);
    const Block vectors = op.expand(pairs.vectors);
    ASSERT_EQ(vectors.rows(), m * n);
    const auto separated = [&](int c) {  // |λ_c| apart from both neighbours: its eigenvector is unique up to sign
      const auto gap = [&](int r) { return std::abs(std::abs(reference.values[r]) - std::abs(reference.values[r + 1])); };
      return (c == 0 || gap(c - 1) > 1e-3 * std::abs(reference.values[0])) && gap(c) > 1e-3 * std::abs(reference.values[0]);
    };
    int compared = 0;
    for (int c = 0; c < 8; ++c) {
      EXPECT_NEAR(pairs.values[c], reference.values[c], 1e-9 * std::abs(reference.values[0])) << m << " " << c;
      EXPECT_NEAR(vectors.col(c).norm(), 1.0, 1e-9);
      if (!separated(c)) continue;
      ++compared;
      EXPECT_NEAR(std::abs(vectors.col(c).dot(reference.vectors.col(c))), 1.0, 1e-8) << m << " " << c;
    }
    EXPECT_GE(compared, 2) << m;
  }
}

TEST(ReducedOmnibus, OperatorIsHalfJTimesTheGramMatrixOfW) {
  const std::int64_t n = 30;
  const int m = 4;
  const std::vector<Graph> graphs = block_model_graphs(n, m, 9);
  Eigen::MatrixXd w(m * n, 2 * n);
  for (int g = 0; g < m; ++g) {
    w.block(g * n, 0, n, n) = dense_augmented(graphs[g]);
    w.block(g * n, n, n, n) = Eigen::MatrixXd::Identity(n, n);
  }
  Eigen::MatrixXd j = Eigen::MatrixXd::Zero(2 * n, 2 * n);
  j.topRightCorner(n, n) = j.bottomLeftCorner(n, n) = Eigen::MatrixXd::Identity(n, n);
  EXPECT_LT((0.5 * w * j * w.transpose() - dense_omnibus(pointers(graphs))).norm(), 1e-12 * w.norm() * w.norm());
  ReducedOmnibusOperator op(pointers(graphs));
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  Block x(2 * n, 3), gram(2 * n, 3), image(2 * n, 3);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = normal(rng);
  op.apply(x, gram, image);
  const Eigen::MatrixXd g = w.transpose() * w;
  EXPECT_LT((Eigen::MatrixXd(gram) - g * Eigen::MatrixXd(x)).norm(), 1e-12 * g.norm() * x.norm());
  EXPECT_LT((Eigen::MatrixXd(image) - 0.5 * j * g * Eigen::MatrixXd(x)).norm(), 1e-12 * g.norm() * x.norm());
  EXPECT_LT((Eigen::MatrixXd(op.expand(x)) - w * Eigen::MatrixXd(x)).norm(), 1e-12 * w.norm() * x.norm());
}

// The block solvers (on Ω and on its reduction) against the Lanczos solver, m = 2..10.
TEST(OmnibusSolvers, BlockSolversAgreeWithLanczos) {
  for (int m = 2; m <= 10; ++m) {
    const std::int64_t n = 210;
    const std::vector<Graph> graphs = block_model_graphs(n, m, 70 + m);
    OmnibusConfig config;
    config.dim = 3;
    config.seed = 2;
    config.solver = OmnibusSolver::lanczos;
    const OmnibusEmbedding lanczos = embed_omnibus(pointers(graphs), config);
    ASSERT_EQ(lanczos.solver, "lanczos");
    const Eigen::MatrixXd gram = lanczos.latent * lanczos.latent.transpose();
    for (OmnibusSolver solver : {OmnibusSolver::block_explicit, OmnibusSolver::block_reduced}) {
      config.solver = solver;
      const OmnibusEmbedding block = embed_omnibus(pointers(graphs), config);
      ASSERT_EQ(block.eigenvalues.size(), 4);
      for (int c = 0; c < 4; ++c)
        EXPECT_NEAR(block.eigenvalues[c], lanczos.eigenvalues[c], 1e-8 * std::abs(lanczos.eigenvalues[0])) << m << " " << c;
      // Sign-fixed latent positions agree column by column; ẐẐᵀ is free of the sign convention too.
      EXPECT_LT((block.latent - lanczos.latent).norm(), 1e-6 * lanczos.latent.norm()) << m << " " << block.solver;
      EXPECT_LT((block.latent * block.latent.transpose() - gram).norm(), 1e-7 * gram.norm()) << m;
    }
  }
}

TEST(OmnibusSolvers, SameBytesForAnyThreadCount) {
  // Large enough that the sparse products (about 2·10^6 edges) and, with blocks of 16, the dense block products
  // (5,200 rows: three chunks) run in parallel regions.
  const std::vector<Graph> graphs = block_model_graphs(2600, 3, 5);
  const int threads = omp_get_max_threads();
  {
    OmnibusConfig config;
    config.solver = OmnibusSolver::block_reduced;
    config.dim = 3;
    config.seed = 4;
    std::vector<OmnibusEmbedding> runs;
    for (int t : {1, 3}) {
      omp_set_num_threads(t);
      runs.push_back(embed_omnibus(pointers(graphs), config));
    }
    omp_set_num_threads(threads);
    for (std::size_t r = 1; r < runs.size(); ++r) {
      EXPECT_TRUE(runs[r].eigenvalues == runs[0].eigenvalues) << runs[0].solver << ", run " << r;
      EXPECT_TRUE(runs[r].latent == runs[0].latent) << runs[0].solver << ", run " << r;
    }
  }
  ReducedOmnibusOperator op(pointers(graphs));
  BlockEigenConfig config;
  config.count = 8;
  config.block = 16;
  config.seed = 6;
  std::vector<BlockEigenPairs> runs;
  for (int t : {1, 3}) {
    omp_set_num_threads(t);
    runs.push_back(block_top_eigenpairs(op, config));
  }
  omp_set_num_threads(threads);
  for (std::size_t r = 1; r < runs.size(); ++r) {
    EXPECT_TRUE(runs[r].values == runs[0].values) << "blocks of 16, run " << r;
    EXPECT_TRUE(runs[r].vectors == runs[0].vectors) << "blocks of 16, run " << r;
  }
}

// The reduced operator's products, one graph per thread in rounds and the graphs left over with their rows in
// parallel: the same bits for 1, 2 and 3 threads (m = 5: two rounds and one left over at 2 threads, one round and
// two left over at 3), both kernels, against the products formed with the explicit matrices.
TEST(ReducedOmnibus, SameProductBytesForAnyThreadCount) {
  const std::vector<Graph> graphs = block_model_graphs(2600, 5, 12);
  const int threads = omp_get_max_threads();
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  Block x(2 * 2600, 2);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = normal(rng);
  for (GraphKernel kernel : {GraphKernel::augmented, GraphKernel::normalised}) {
    const ReducedOmnibusOperator op(pointers(graphs), nullptr, kernel);
    std::vector<Block> grams, images;
    for (int t : {1, 2, 3}) {
      omp_set_num_threads(t);
      Block gram(x.rows(), x.cols()), image(x.rows(), x.cols());
      op.apply(x, gram, image);
      grams.push_back(gram);
      images.push_back(image);
    }
    omp_set_num_threads(threads);
    for (std::size_t r = 1; r < grams.size(); ++r) {
      EXPECT_TRUE(grams[r] == grams[0]) << "threads run " << r;
      EXPECT_TRUE(images[r] == images[0]) << "threads run " << r;
    }
    // Against W with the kernels formed one graph at a time: G = Wᵀ W.
    const Eigen::Index n = 2600;
    Eigen::MatrixXd top = Eigen::MatrixXd::Zero(n, 2), bottom = 5.0 * x.bottomRows(n);
    for (const Graph& graph : graphs) {
      Block k_a(n, 2), k_shifted(n, 2);
      kernel_block_product(graph, kernel, x.topRows(n), k_a, false);
      bottom += k_a;
      const Block shifted = k_a + x.bottomRows(n);
      kernel_block_product(graph, kernel, shifted, k_shifted, false);
      top += k_shifted;
    }
    EXPECT_LT((grams[0].topRows(n) - top).norm(), 1e-12 * top.norm());
    EXPECT_LT((grams[0].bottomRows(n) - bottom).norm(), 1e-12 * bottom.norm());
  }
}

// The graph kernels' block products at every width (1-4 have their own register-held rows, wider blocks share one
// loop), both kernels, y = K x and y += K x, on strided views into wider blocks, serial (n = 300) and with rows in
// parallel (n = 2600): against the explicitly formed kernel matrices, and column by column the same bits as the
// width-1 product of that column (the same additions in the same order at every width).
TEST(KernelBlockProduct, EveryWidthMatchesTheExplicitKernel) {
  for (std::int64_t n : {300, 2600}) {
    const Graph graph = block_model_graphs(n, 1, 21 + n).front();
    const Eigen::MatrixXd augmented = dense_augmented(graph);
    Eigen::MatrixXd adjacency = augmented;
    adjacency.diagonal().setZero();
    const Eigen::VectorXd r = (adjacency.rowwise().sum().array() + 1.0).rsqrt();
    const Eigen::MatrixXd normalised =
        r.asDiagonal() * (adjacency + Eigen::MatrixXd::Identity(n, n)) * r.asDiagonal();
    std::mt19937_64 rng(static_cast<std::uint64_t>(n));
    std::normal_distribution<double> normal;
    for (GraphKernel kernel : {GraphKernel::augmented, GraphKernel::normalised}) {
      const Eigen::MatrixXd& k = kernel == GraphKernel::augmented ? augmented : normalised;
      for (Eigen::Index width = 1; width <= 6; ++width) {
        Block wide_x(n, width + 3), wide_y(n, width + 2);
        for (Eigen::Index i = 0; i < wide_x.size(); ++i) wide_x.data()[i] = normal(rng);
        for (Eigen::Index i = 0; i < wide_y.size(); ++i) wide_y.data()[i] = normal(rng);
        const Eigen::MatrixXd before = wide_y.middleCols(1, width);
        const Eigen::VectorXd left = wide_y.col(0), right = wide_y.col(width + 1);
        const auto x = wide_x.middleCols(2, width);
        auto y = wide_y.middleCols(1, width);
        kernel_block_product(graph, kernel, x, y, true);
        const Eigen::MatrixXd expected_sum = before + k * Eigen::MatrixXd(x);
        EXPECT_LT((Eigen::MatrixXd(y) - expected_sum).cwiseAbs().maxCoeff(), 1e-12 * expected_sum.cwiseAbs().maxCoeff())
            << n << " " << width;
        kernel_block_product(graph, kernel, x, y, false);
        const Eigen::MatrixXd expected = k * Eigen::MatrixXd(x);
        EXPECT_LT((Eigen::MatrixXd(y) - expected).cwiseAbs().maxCoeff(), 1e-12 * expected.cwiseAbs().maxCoeff())
            << n << " " << width;
        EXPECT_TRUE(Eigen::VectorXd(wide_y.col(0)) == left && Eigen::VectorXd(wide_y.col(width + 1)) == right)
            << "columns beside the view written, width " << width;
        for (Eigen::Index c = 0; c < width; ++c) {
          Block column = x.col(c), single(n, 1);
          kernel_block_product(graph, kernel, column, single, false);
          EXPECT_TRUE(Eigen::VectorXd(single.col(0)) == Eigen::VectorXd(y.col(c))) << n << " " << width << " " << c;
        }
      }
    }
  }
}

TEST(OmnibusDimension, ComputesOnlyTheEigenpairsTheRuleNeeds) {
  const std::vector<Graph> graphs = block_model_graphs(400, 2, 8);
  OmnibusConfig config;
  config.dim = 5;
  EXPECT_EQ(embed_omnibus(pointers(graphs), config).eigenvalues.size(), 6);  // d and λ_{d+1} for the gap
  config.dim = 0;
  const OmnibusEmbedding automatic = embed_omnibus(pointers(graphs), config);
  // 16 eigenvalues, then 32: the same d from both ends the search.
  EXPECT_EQ(automatic.eigenvalues.size(), 32);
  EXPECT_EQ(automatic.dim, 3);
  config.search = 20;  // a cap below the second count: 16, then 20
  EXPECT_EQ(embed_omnibus(pointers(graphs), config).eigenvalues.size(), 20);
}

// --dim auto holds only the d kept pairs to the tolerance (OmnibusConfig::loose_tolerance): the same d and latent
// positions as holding every searched pair to it, eigenvalues within the squared loose tolerance, fewer
// applications.
TEST(OmnibusDimension, OnlyTheKeptPairsMeetTheTightTolerance) {
  for (std::uint64_t seed : {8, 9}) {
    const std::vector<Graph> graphs = block_model_graphs(600, 3, seed);
    OmnibusConfig config;
    config.seed = seed;
    config.loose_tolerance = 0.0;
    const OmnibusEmbedding all_tight = embed_omnibus(pointers(graphs), config);
    config.loose_tolerance = 1e-4;
    const OmnibusEmbedding tiered = embed_omnibus(pointers(graphs), config);
    ASSERT_EQ(tiered.solver, "block, rank-2n reduction");
    ASSERT_EQ(tiered.dim, all_tight.dim);
    ASSERT_EQ(tiered.eigenvalues.size(), all_tight.eigenvalues.size());
    EXPECT_LT(tiered.operator_applications, all_tight.operator_applications) << seed;
    for (Eigen::Index c = 0; c < tiered.eigenvalues.size(); ++c)
      EXPECT_NEAR(tiered.eigenvalues[c], all_tight.eigenvalues[c], 1e-6 * std::abs(all_tight.eigenvalues[0])) << c;
    EXPECT_LT((tiered.latent - all_tight.latent).norm(), 1e-7 * all_tight.latent.norm()) << seed;
  }
}

}  // namespace
}  // namespace dk
