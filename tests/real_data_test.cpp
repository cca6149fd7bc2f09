// The per-datum test on real text embeddings (data/debian: 3,000 Debian package descriptions embedded by
// multilingual-e5-small; see data/debian/manifest.json) with known interventions on the 67 texts of one section:
//   replaced  their texts replaced by texts of other sections (a gross change);
//   appended  one fixed sentence appended to each (a subtle change);
//   control   every embedding rounded to float16 (nothing moved).
// Targets (issue "Per-datum test v2"): replaced recall >= 0.9 with FDP <= 0.1; appended recall >= 0.6 with
// FDP <= 0.1 and a ranking at least as precise as kNN Jaccard's; control: nothing rejected. Three seeds of the
// reference sample. The paper's omnibus statistic must fail the subtle target (the check can fail).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <numeric>
#include <random>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/io/model_input.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/inference/datum_test.hpp"
#include "datakernel/inference/neighbourhood_shift.hpp"

namespace dk {
namespace {

const std::string kData = DATAKERNEL_DATA_DIR "/debian/";

Embeddings load(const std::string& name) { return read_npy(kData + name).embeddings; }

std::vector<std::int64_t> moved_rows() {
  std::ifstream in(kData + "moved.txt");
  std::vector<std::int64_t> rows;
  for (std::int64_t i; in >> i;) rows.push_back(i);
  return rows;
}

Embeddings with_rows(Embeddings base, const std::string& rows_file, const std::vector<std::int64_t>& rows) {
  const Embeddings replacement = load(rows_file);
  EXPECT_EQ(replacement.n, static_cast<std::int64_t>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    std::copy(replacement.row(static_cast<std::int64_t>(r)), replacement.row(static_cast<std::int64_t>(r)) + base.dim,
              base.row(rows[r]));
  return base;
}

struct Scored {
  std::int64_t rejected = 0, true_positive = 0;
  double precision = 0.0, jaccard_precision = 0.0;
  double recall(std::size_t moved) const { return static_cast<double>(true_positive) / static_cast<double>(moved); }
  double fdp() const { return rejected ? static_cast<double>(rejected - true_positive) / rejected : 0.0; }
};

// Precision of the top-|moved| data of a ranking (best first).
double precision_at(const std::vector<std::int64_t>& order, const std::vector<bool>& is_moved, std::size_t top) {
  std::size_t hits = 0;
  for (std::size_t r = 0; r < top; ++r) hits += is_moved[order[r]];
  return static_cast<double>(hits) / static_cast<double>(top);
}

std::vector<std::int64_t> ranking(const std::vector<double>& q, const Eigen::VectorXd& statistic) {
  std::vector<std::int64_t> order(q.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    return q[a] != q[b] ? q[a] < q[b] : statistic[a] > statistic[b];
  });
  return order;
}

Scored score(const DatumTestResult& result, const Eigen::VectorXd& jaccard, const std::vector<std::int64_t>& moved) {
  std::vector<bool> is_moved(result.rejected.size(), false);
  for (std::int64_t i : moved) is_moved[i] = true;
  Scored s;
  for (std::size_t i = 0; i < result.rejected.size(); ++i) {
    s.rejected += result.rejected[i];
    s.true_positive += result.rejected[i] && is_moved[i];
  }
  if (!moved.empty()) {
    s.precision = precision_at(ranking(result.q_value, result.statistic), is_moved, moved.size());
    const std::vector<double> zero(jaccard.size(), 0.0);
    s.jaccard_precision = precision_at(ranking(zero, jaccard), is_moved, moved.size());
  }
  return s;
}

struct RealPairs : ::testing::Test {
  static void SetUpTestSuite() {
    base = new Embeddings(load("e5.npy"));
    moved = new std::vector<std::int64_t>(moved_rows());
  }
  static void TearDownTestSuite() {
    delete base;
    delete moved;
  }
  static Embeddings* base;
  static std::vector<std::int64_t>* moved;

  // The library's default comparison unless a test names one (the gross, subtle and control checks test the default).
  static NeighbourhoodShift shift_of(const Embeddings& other, std::uint64_t seed,
                                     ScaleComparison comparison = ScaleComparison::marginal_except_identical,
                                     double rounding_lambda = 1.0) {
    KnnConfig knn;
    knn.k = default_k(base->n);
    const NeighbourLists la = knn_search(*base, knn), lb = knn_search(other, knn);
    const SimilarityScale sa = similarity_scale(*base, knn.metric, la, seed),
                          sb = similarity_scale(other, knn.metric, lb, seed);
    return neighbourhood_shift({*base, &la, &sa}, {other, &lb, &sb}, knn.metric, 0, seed, comparison,
                               rounding_lambda);
  }

  static Scored neighbourhood(const Embeddings& other, std::uint64_t seed) {
    const NeighbourhoodShift shift = shift_of(other, seed);
    return score(test_neighbourhood_shift(shift, DatumTestConfig{}), shift.jaccard, *moved);
  }
};
Embeddings* RealPairs::base = nullptr;
std::vector<std::int64_t>* RealPairs::moved = nullptr;

TEST_F(RealPairs, GrossChangeIsFound) {
  const Embeddings replaced = with_rows(*base, "e5_replaced_rows.npy", *moved);
  for (std::uint64_t seed : {0u, 1u, 2u}) {
    const Scored s = neighbourhood(replaced, seed);
    std::cout << "replaced, seed " << seed << ": rejected " << s.rejected << ", recall " << s.recall(moved->size())
              << ", FDP " << s.fdp() << "\n";
    EXPECT_GE(s.recall(moved->size()), 0.9);
    EXPECT_LE(s.fdp(), 0.1);
  }
}

TEST_F(RealPairs, SubtleChangeIsFoundAndRankedAtLeastAsWellAsJaccard) {
  const Embeddings appended = with_rows(*base, "e5_appended_rows.npy", *moved);
  for (std::uint64_t seed : {0u, 1u, 2u}) {
    const Scored s = neighbourhood(appended, seed);
    std::cout << "appended, seed " << seed << ": rejected " << s.rejected << ", recall " << s.recall(moved->size())
              << ", FDP " << s.fdp() << ", precision@" << moved->size() << " " << s.precision << " (kNN Jaccard "
              << s.jaccard_precision << ")\n";
    EXPECT_GE(s.recall(moved->size()), 0.6);
    EXPECT_LE(s.fdp(), 0.1);
    EXPECT_GE(s.precision, s.jaccard_precision);
  }
}

// Issue 9: in the appended pair every embedding but the 67 moved ones is bit-identical, so a datum none of whose
// neighbours (in either model) moved has, in truth, no change at all. The default (ScaleComparison::
// marginal_except_identical) and the paired map see exactly that: shift 0, never rejected. The two models'
// separate scales applied to every pair (ScaleComparison::marginal, the default before) are distorted by the
// moved data's pairs and give such data a shift of their own, largest where the distortion is (near-duplicate
// texts); some of them were rejected (here on some reference seeds; at n = 10,000 they made the FDP 0.08-0.24).
TEST_F(RealPairs, UntouchedNeighbourhoodsHaveNoShiftAndAreNotRejected) {
  const Embeddings appended = with_rows(*base, "e5_appended_rows.npy", *moved);
  std::vector<bool> is_moved(static_cast<std::size_t>(base->n), false);
  for (std::int64_t i : *moved) is_moved[i] = true;
  const ScaleComparison comparisons[3] = {ScaleComparison::marginal_except_identical, ScaleComparison::paired_map,
                                          ScaleComparison::marginal};
  const char* names[3] = {"default", "paired map", "marginal (before)"};
  std::int64_t most_rejected_untouched[3] = {0, 0, 0};
  for (std::uint64_t seed : {0u, 1u, 2u}) {
    for (int c = 0; c < 3; ++c) {
      const NeighbourhoodShift shift = shift_of(appended, seed, comparisons[c]);
      const DatumTestResult result = test_neighbourhood_shift(shift, DatumTestConfig{});
      std::int64_t untouched = 0, zero = 0, rejected = 0;
      for (std::int64_t i = 0; i < base->n; ++i) {
        bool touched = is_moved[i];
        for (std::int64_t e = shift.offsets[i]; e < shift.offsets[i + 1]; ++e) touched |= is_moved[shift.neighbours[e]];
        if (touched) continue;
        ++untouched;
        zero += shift.shift[i] == 0.0;
        rejected += result.rejected[i];
      }
      const double share = static_cast<double>(zero) / static_cast<double>(untouched);
      std::cout << "appended, seed " << seed << ", " << names[c] << ": " << untouched
                << " untouched neighbourhoods, shift 0 for " << share << " of them, " << rejected << " rejected\n";
      most_rejected_untouched[c] = std::max(most_rejected_untouched[c], rejected);
      if (c < 2) {
        EXPECT_GE(share, 0.99) << names[c] << " seed " << seed;
        EXPECT_EQ(rejected, 0) << names[c] << " seed " << seed;
      } else {
        EXPECT_LT(share, 0.5) << seed;  // the check above can fail: it does for the design before
      }
    }
  }
  EXPECT_GT(most_rejected_untouched[2], 0);  // the design before rejects untouched data on some seed
}

// The same appended pair with model b recomputed "on other hardware": every component of every unmoved row
// multiplied by 1 ± 2^-23 (one float32 unit in the last place, seeded signs), so no pair of two unmoved rows is
// bit-identical any more. The default counts similarities equal to within float32 rounding as unchanged, so it
// rejects exactly the data it rejects on the unperturbed pair, on every reference seed. Counting only
// bit-identical pairs (rounding_lambda = 0) gives the marginal scales' result instead and differs on some seed.
TEST_F(RealPairs, RoundingOfUnmovedRowsChangesNoRejection) {
  const Embeddings appended = with_rows(*base, "e5_appended_rows.npy", *moved);
  Embeddings perturbed = appended;
  std::vector<bool> is_moved(static_cast<std::size_t>(base->n), false);
  for (std::int64_t i : *moved) is_moved[i] = true;
  std::mt19937_64 rng(5);
  const float up = 1.0f + std::ldexp(1.0f, -23), down = 1.0f - std::ldexp(1.0f, -23);
  for (std::int64_t i = 0; i < base->n; ++i)
    if (!is_moved[i])
      for (std::int64_t c = 0; c < base->dim; ++c) perturbed.row(i)[c] *= (rng() & 1) ? up : down;
  ASSERT_NE(perturbed.values, appended.values);
  bool bit_identical_only_differs = false;
  for (std::uint64_t seed : {0u, 1u, 2u}) {
    auto rejected = [&](const Embeddings& other, double lambda) {
      return test_neighbourhood_shift(shift_of(other, seed, ScaleComparison::marginal_except_identical, lambda),
                                      DatumTestConfig{})
          .rejected;
    };
    const auto reference = rejected(appended, 1.0), rounded = rejected(perturbed, 1.0),
               bit_identical_only = rejected(perturbed, 0.0);
    auto count = [](const auto& r) { return std::count(r.begin(), r.end(), true); };
    std::cout << "appended, seed " << seed << ": rejected " << count(reference) << "; rows rounded: " << count(rounded)
              << " (bit-identical pairs only: " << count(bit_identical_only) << ")\n";
    EXPECT_EQ(rounded, reference) << seed;
    EXPECT_EQ(rejected(appended, 0.0), reference) << seed;  // unperturbed: the tolerance changes nothing
    bit_identical_only_differs |= bit_identical_only != reference;
  }
  EXPECT_TRUE(bit_identical_only_differs);
}

TEST_F(RealPairs, ControlRejectsNothing) {
  const Embeddings control = load("e5_control.npy");  // float16 on disk: every embedding rounded
  double largest_change = 0.0;
  for (std::size_t v = 0; v < control.values.size(); ++v)
    largest_change = std::max(largest_change, std::abs(double(control.values[v]) - base->values[v]));
  ASSERT_GT(largest_change, 0.0);  // a real (tiny) perturbation, not the same matrix
  for (std::uint64_t seed : {0u, 1u, 2u}) {
    const Scored s = neighbourhood(control, seed);
    std::cout << "control, seed " << seed << ": rejected " << s.rejected << "\n";
    EXPECT_EQ(s.rejected, 0);
  }
}

TEST_F(RealPairs, ThePapersOmnibusStatisticMissesTheSubtleChange) {
  const Embeddings appended = with_rows(*base, "e5_appended_rows.npy", *moved);
  KnnConfig knn;
  knn.k = default_k(base->n);
  const Graph a = knn_graph(*base, knn), b = knn_graph(appended, knn);
  DatumTestConfig config;
  config.statistic = TestStatistic::omnibus;
  const DatumTestResult result = test_datum_shift(a, b, 16, config);
  const Scored s = score(result, graph_jaccard(a, b), *moved);
  std::cout << "omnibus statistic, appended: rejected " << s.rejected << ", recall " << s.recall(moved->size())
            << ", precision " << s.precision << "\n";
  EXPECT_LT(s.recall(moved->size()), 0.6);
  EXPECT_LT(s.precision, 0.8);
}

}  // namespace
}  // namespace dk
