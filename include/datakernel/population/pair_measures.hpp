// Population measures: for every pair of models, how different their representations of the same n data are,
// each as an m×m matrix (symmetric, zero diagonal, larger = more different). Besides the omnibus model distance
// (model_distance.hpp) these are:
//
//   direction     ‖z_g − z_h‖ over the data, with z_g[i] the row Ẑ_g[i, 1:d'] of the joint omnibus embedding
//                 scaled to unit length (d' = min(d, cap), the leading columns by |λ|; a zero row stays zero):
//                     D_gh = sqrt( (1/n) Σ_i ‖z_g[i] − z_h[i]‖² ) = sqrt( (2/n) Σ_i (1 − cos_i) ),  in [0, 2].
//                 The omnibus distance also counts each datum's row length ‖Ẑ_g[i]‖, which follows the datum's
//                 degree in the kNN graph (its hubness); the direction distance drops it (docs/method.md).
//   normalised_omnibus
//                 the omnibus distance ‖Ẑ_g − Ẑ_h‖_F / ‖(Ẑ_g + Ẑ_h)/2‖_F of a second omnibus embedding, built from
//                 the degree-normalised kernels N_g = D_g^-1/2 (A_g + I) D_g^-1/2 (D_g = row sums of A_g + I)
//                 instead of the augmented adjacency, at a fixed d (`normalised_dim`, default 24). Dividing by
//                 the degrees takes the hubness out of the kernel itself, so rows keep a length but it no
//                 longer follows the degree (docs/method.md, section 7).
//   knn_jaccard   1 − mean_i |N_g(i) ∩ N_h(i)| / |N_g(i) ∪ N_h(i)|   (the kNN lists of the run)
//   mutual_knn    1 − mean_i |N_g(i) ∩ N_h(i)| / k
//   linear_cka    1 − CKA(Y_g, Y_h), CKA = ‖Y_gᵀ Y_h‖²_F / (‖Y_gᵀ Y_g‖_F ‖Y_hᵀ Y_h‖_F) of the column-centred
//                 embeddings (rows as given, not normalised); O(n p_g p_h) per pair, never n×n. A model whose
//                 centred embedding is all zero has CKA 0 with every other model.
//
// N_g(i) is datum i's neighbour set: its directed top-k list (self excluded) when the models were given as
// embeddings, the row of its data kernel (graph) otherwise (then mutual_knn is not defined).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/embeddings.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/population/correlation.hpp"

namespace dk {

// The population measures by name, in the order they are reported.
enum class PairMeasureKind { omnibus, direction, normalised_omnibus, knn_jaccard, mutual_knn, linear_cka };
PairMeasureKind parse_pair_measure(const std::string& name);  // throws InputError listing the names
std::string pair_measure_name(PairMeasureKind kind);
std::vector<PairMeasureKind> all_pair_measures();

// Which measure the model map (classical MDS) and `distances` use, and the direction distance's cap on d.
struct PairMeasureConfig {
  // The default tracked both downstream accuracy gaps of the 15-model study at least as well as the best simple
  // measure on debian3000, its held-out texts and three subsamples (examples/model_population).
  PairMeasureKind map = PairMeasureKind::normalised_omnibus;
  int direction_dim = 8;  // d' = min(d, direction_dim)
  int normalised_dim = 24;  // d of the normalised omnibus embedding (at most m·n − 1)
  bool simple = true;     // compute the other measures besides the map's (false: only the map's)
  // Linear CKA costs Σ over pairs g ≤ h of n p_g p_h multiply-adds; beyond this budget (about a minute on two
  // cores; exceeded by 100 models at n = 10⁵ or 10 at n = 10⁶) it is skipped, with a warning, unless it is the
  // map's measure.
  double linear_cka_budget = 1e12;
};

// Each datum's neighbour set, sorted ascending (a CSR of n rows).
struct NeighbourSets {
  std::int64_t n = 0;
  int k = 0;                           // list length; 0 for graph rows (degrees vary)
  std::vector<std::int64_t> offsets;   // n + 1
  std::vector<std::int32_t> ids;       // sorted within a row
};
NeighbourSets neighbour_sets(const NeighbourLists& lists);
NeighbourSets neighbour_sets(const Graph& graph);

// |A ∩ B| of two sorted rows.
std::int64_t sorted_intersection_size(const std::int32_t* a, std::int64_t a_size, const std::int32_t* b,
                                      std::int64_t b_size);

struct NeighbourOverlapDistances {
  Eigen::MatrixXd jaccard;  // m×m
  Eigen::MatrixXd mutual;   // m×m; empty when any set comes from a graph (k = 0)
};
// Every set must have the same n (and, for `mutual`, the same k).
NeighbourOverlapDistances neighbour_overlap_distances(const std::vector<const NeighbourSets*>& sets);

// CKA similarity of two n-row embeddings (any widths), and the m×m matrix of 1 − CKA. Deterministic for any
// thread count (row blocks of fixed size, one pair per thread, single-threaded BLAS inside).
double linear_cka(const EmbeddingsView& a, const EmbeddingsView& b);
Eigen::MatrixXd linear_cka_distances(const std::vector<EmbeddingsView>& models, int threads = 0);

// d' = min(joint.dim, cap), and the m×m direction distances at d'.
int direction_dim(const OmnibusEmbedding& joint, int cap);
Eigen::MatrixXd direction_distances(const OmnibusEmbedding& joint, int cap);

// The normalised omnibus: the omnibus embedding (embed/omnibus.hpp, GraphKernel::normalised) of the kernels
// N_g = D_g^-½ (A_g + I) D_g^-½ at a fixed d, by the block solver on the rank-2n reduction (dense below 400 rows),
// and the m×m model distances of that embedding. Seeded: the same result for any thread count and rank count.
struct NormalisedOmnibusConfig {
  int dim = 24;              // embedding dimension (capped at m·n − 1)
  std::uint64_t seed = 0;    // start block of the eigen-solver
  // ‖N x − θ x‖ ≤ tolerance · |θ| per eigenpair. The distances change by less than 10⁻⁶ between 10⁻⁶ and 10⁻¹⁰
  // on the population of 15 real models (docs/method.md, section 7), and 10⁻¹⁰ costs several times the work.
  double tolerance = 1e-6;
  // If > 0, the solve also ends when no distance moved by more than this over each of the last
  // `stable_restarts` restarts (stopped_early says so). Off by default: on a nearly degenerate spectrum (3 × 10⁵
  // data grown from real ones with many near-duplicates) the distances rested within 3·10⁻⁴ for two restarts and
  // then moved by 10⁻³ again, drifting by 0.06 in all (docs/method.md, section 7).
  double distance_tolerance = 0.0;
  int stable_restarts = 2;
  // Restarts before the solve stops and returns its current pairs with a warning (converged = false): about
  // 15 minutes on 3 models × 10⁵ data on two cores; real populations of 3,000-10,000 data needed 3-5.
  int max_cycles = 100;
  Communicator* communicator = nullptr;  // ranks sharing the operator's products (docs/distributed.md)
  std::function<bool()> cancelled;       // polled by the solver; true throws Cancelled
  std::function<void(double)> progress;  // how far the solve has come, 0..1 (OmnibusConfig::progress)
};

struct NormalisedOmnibus {
  int dim = 0;
  Eigen::VectorXd eigenvalues;  // d + 1 when m·n > d + 1 (for the gap)
  double relative_gap = 1.0;    // (|λ_d| − |λ_{d+1}|) / |λ_d|; 1 when λ_{d+1} was not computed
  bool converged = true;        // false: max_cycles ran out, or the distances settled first (stopped_early)
  bool stopped_early = false;   // ended by distance_tolerance, before the residual test was met
  double worst_residual = 0.0;  // largest relative residual of the returned pairs (block solver)
  int cycles = 0;               // restarts the solve took
  long operator_applications = 0;
  Eigen::MatrixXd distances;
};
int normalised_omnibus_dim(const std::vector<const Graph*>& graphs, int dim);
NormalisedOmnibus normalised_omnibus(const std::vector<const Graph*>& graphs, const NormalisedOmnibusConfig& config);

// One measure's matrix and its correlations with each downstream metric (correlation.hpp: Spearman and
// Pearson of D_gh against |f_g − f_h| over the pairs, with Mantel permutation p-values).
struct PairMeasure {
  PairMeasureKind kind = PairMeasureKind::omnibus;
  std::string name;
  std::string definition;    // one line, with the settings used (d, d', k, how rows were normalised)
  int dim = 0;               // the embedding dimension it used (direction: d', normalised_omnibus: d); else 0
  Eigen::MatrixXd distances;
  std::vector<MetricCorrelation> correlations;  // one per metric, in the metrics' order
};

// Per metric, the measure with the largest Spearman correlation (the first on ties; NaN never wins).
struct BestMeasure {
  std::string metric, measure;
  double spearman = 0.0;
  double spearman_p = 1.0;
};
std::vector<BestMeasure> best_measures(const std::vector<PairMeasure>& measures);

}  // namespace dk
