// Per-datum neighbourhood comparison of two models from their embeddings and directed kNN lists: how much of
// each datum's neighbourhood changed, and how far the similarities to its neighbours moved.
//
// For datum i with top-k lists L_a(i), L_b(i) (best first, self excluded) and U_i = L_a(i) ∪ L_b(i):
//   jaccard_i     = 1 − |L_a(i) ∩ L_b(i)| / |U_i|                       (the plain per-datum kNN Jaccard distance)
//   rank_change_i = Σ_{j ∈ U_i} |r_a(j) − r_b(j)| / (k (k+1))            (Spearman footrule between the two top-k
//                   lists, a neighbour absent from a list at rank k+1; 0 = same order, 1 = disjoint lists)
//   shift_i       = median_{j ∈ U_i} c_ij                                (the test statistic)
//   c_ij          = |F_a(s_a(i,j)) − F_b(s_b(i,j))|, or 0 when s_a(i,j) and s_b(i,j) agree to within float32
//                   rounding (identical_tolerance below; default, ScaleComparison::marginal_except_identical)
// s_g is model g's similarity (the kNN metric: cosine, dot, or −‖y_i − y_j‖²) and F_g the model's similarity
// scale (below); any monotone rescaling of a model's similarities leaves shift unchanged. A pair both models
// measure identically (to float32 rounding) did not change, whatever the scales say: the scales differ at its
// level only because other pairs (those of moved data) changed (issue 9: the appended pair at n = 10,000, where
// FDP fell from 0.08–0.24 to 0.02, also when model b's rows are recomputed with rounding differences;
// docs/per-datum-test.md).
// Alternative (ScaleComparison::paired_map): median_{j ∈ U_i} |F(s_b(i,j)) − F(g(s_a(i,j)))|, g the paired
// similarity map
// (similarity_map.hpp): model b's similarity predicted from model a's, the running median over pairs both
// models measure (all (i, j ∈ U_i) and common random pairs), so a monotone difference between the models is
// not a change, and the pairs of moved data do not distort it while they are a minority at each similarity
// level. F = (F_a + F_b)/2, F_g the model's similarity scale: the piecewise-linear distribution function of a
// seeded reference sample of its similarities (the similarities of kNN pairs, at most 2^19, and of three times
// as many random pairs). F puts the residual in units of "share of pairs crossed", spanning both near and far
// pairs, so a neighbour that became a stranger counts fully.
// The median makes shift_i robust to collateral change: when a minority of i's neighbours moved, i's own
// similarities to the rest are unchanged and shift_i stays small; when i itself moved, its similarities to
// all of U_i change. Cost O(n k p) per pair after O(n k p + N log N) per model for the reference sample.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "datakernel/embeddings.hpp"
#include "datakernel/kernel/knn.hpp"

namespace dk {

// A model's similarity scale F_g: value(s) is the piecewise-linear interpolation through the distinct reference
// similarities at their mid ranks, divided by (N − 1): continuous and non-decreasing, in [0, 1], so that a
// rounding-sized change of a similarity is a rounding-sized change of its value.
class SimilarityScale {
 public:
  SimilarityScale() = default;
  explicit SimilarityScale(const std::vector<double>& sorted_reference);
  double value(double similarity) const;
  std::size_t size() const { return size_; }

 private:
  std::vector<double> distinct_, mid_rank_;
  std::size_t size_ = 0;
};

// Similarity of data i and j under `metric`, with `norms` the rows' L2 norms (used by cosine).
double pair_similarity(const EmbeddingsView& y, Metric metric, const std::vector<double>& norms, std::int64_t i,
                       std::int64_t j);
std::vector<double> row_norms(const EmbeddingsView& y);

// The reference sample of one model: its kNN pairs (all, or `max_each` list slots drawn at random) and
// `random_per_knn` random pairs for each of them. The draws depend only on (seed, n, k), not on the model: every
// model of a comparison uses the same random pairs and list slots (common random numbers), so the sampling noise
// of the reference cancels between two models instead of posing as a change.
// Why one kNN pair in four (docs/per-datum-test.md): with half the mass on kNN pairs, the scale spends half its
// range on the order among near neighbours, and the whole range from "not a neighbour" to "another cluster" is
// squeezed into the other half; on clustered data jittered by the cluster spread the recall of moved data was
// 0.82–0.85. With a quarter it is 0.92–0.98 (FDP 0.00). Every kNN pair is still in the sample.
constexpr int kRandomPairsPerKnnPair = 3;
// The random pairs (i, j), i ≠ j, uniform, of similarity_scale's reference sample with these arguments: they
// depend only on (n, k, seed, max_each), the same for every model.
std::vector<std::pair<std::int64_t, std::int64_t>> reference_random_pairs(std::int64_t n, std::int64_t k,
                                                                          std::uint64_t seed,
                                                                          std::int64_t max_each = 1 << 19,
                                                                          int random_per_knn = kRandomPairsPerKnnPair);
SimilarityScale similarity_scale(const EmbeddingsView& y, Metric metric, const NeighbourLists& lists,
                                 std::uint64_t seed, std::int64_t max_each = 1 << 19,
                                 int random_per_knn = kRandomPairsPerKnnPair);

struct NeighbourhoodModel {
  EmbeddingsView embeddings;
  const NeighbourLists* lists = nullptr;
  const SimilarityScale* scale = nullptr;
};

enum class ScaleComparison;

struct NeighbourhoodShift {
  Eigen::VectorXd shift, jaccard, rank_change;
  // True when a change of exactly 0 means "no change at all" (the pair's two similarities agree to float32
  // rounding, or on the paired map's prediction): marginal_except_identical and paired_map. The empirical null then counts
  // statistics of 0 as less than one step (empirical_null.hpp).
  bool zero_means_unchanged = false;
  // True when the changes are residuals of the paired similarity map.
  bool paired_map = false;
  // The step of the scale's values: one rank of the smaller reference sample, 1/(N − 1), halved on the averaged
  // scale F of the paired map. Changes of a few steps are the scales' own resolution (a rounding-sized change of
  // a similarity crosses a few reference values).
  double resolution = 0.0;
  // Per datum i, the changes (|F_a(s_a(i,j)) − F_b(s_b(i,j))|, or the paired map's) for j ∈ U_i: entries
  // offsets[i] .. offsets[i+1].
  std::vector<std::int64_t> offsets;
  std::vector<std::int32_t> neighbours;
  std::vector<double> changes;
};

// shift_i recomputed without the neighbours j flagged in `moved` (changes explained by j's own move), when at
// least `minimum_left` unflagged neighbours remain; otherwise shift_i unchanged.
Eigen::VectorXd shift_without(const NeighbourhoodShift& shift, const std::vector<bool>& moved, int minimum_left = 3);

// The largest change of one model's similarity of rows i, j (norms norm_i, norm_j; `similarity` its value) when
// each row is perturbed by a relative amount `epsilon` (‖Δy‖ ≤ ε‖y‖, e.g. every component within a relative ε):
//   cosine: each row's direction turns by at most asin ε, and a cosine is 1-Lipschitz in the angle: 2ε + ε²;
//   dot: |(x + e)·(y + f) − x·y| ≤ (2ε + ε²) ‖x‖ ‖y‖;
//   euclidean (−‖x − y‖²): 2ε ‖x − y‖ (‖x‖ + ‖y‖) + ε² (‖x‖ + ‖y‖)², with ‖x − y‖ = √(−similarity).
double rounding_tolerance(Metric metric, double epsilon, double norm_i, double norm_j, double similarity);
// The relative rounding ε of a float32 row of dimension p: λ √p u, u = 2^-24 the unit roundoff of float32.
// √p u is the probabilistic size of the rounding error of a p-term float32 inner product (Higham & Mary 2019,
// "A new approach to probabilistic rounding error analysis", SIAM J. Sci. Comput.: λ √p u in place of the
// worst case γ_p = p u / (1 − p u)), which is how an embedding's components are computed; λ = 1. The worst case
// γ_p was not taken: at p = 384 it is 2.3 × 10⁻⁵, and every similarity of rows rounded to float16 (a real
// change of resolution, which must stay on the marginal scales) moved by less than twice that.
double float32_rounding(std::int64_t dim, double lambda = 1.0);

// How the two models' similarities are compared.
// marginal_except_identical (default): each on its own model's scale, |F_a(s_a) − F_b(s_b)|, except that a pair
//   whose two similarities agree to within float32 rounding has change 0: |s_a − s_b| ≤ the larger of the two
//   models' rounding_tolerance(metric, float32_rounding(p, λ), ...) (the same rows, computed again with other
//   rounding: the pair did not change; bit-identical similarities always qualify). λ is neighbourhood_shift's
//   `rounding_lambda` (1; 0 = bit-identical only). Where no pair agrees (two different models, float16
//   rounding, jitter) it is `marginal` up to the few pairs that agree by chance.
// marginal: |F_a(s_a) − F_b(s_b)| for every pair (the default until issue 9's last target: where most data are
//   bit-identical in both models, the moved data's pairs distort the two scales against each other and unmoved
//   data at the distorted levels were rejected: FDP 0.08–0.24 on the appended pair at n = 10,000).
// paired_map: residuals from the paired map g on the averaged scale (issue 9; it removes that distortion too, but
//   under jitter as large as the cluster spread it loses recall of planted moves, 0.52–0.78 against 0.9
//   required; docs/per-datum-test.md).
enum class ScaleComparison { paired_map, marginal, marginal_except_identical };

// `seed` draws the map's common random pairs (reference_random_pairs; pass the seed of the scales, so the pairs
// are the scales' own). Results do not depend on `threads`.
NeighbourhoodShift neighbourhood_shift(const NeighbourhoodModel& a, const NeighbourhoodModel& b, Metric metric,
                                       int threads = 0, std::uint64_t seed = 0,
                                       ScaleComparison comparison = ScaleComparison::marginal_except_identical,
                                       double rounding_lambda = 1.0);

// Jaccard distance between the rows of two symmetric graphs (for models given as graphs, without lists).
Eigen::VectorXd graph_jaccard(const Graph& a, const Graph& b);

}  // namespace dk
