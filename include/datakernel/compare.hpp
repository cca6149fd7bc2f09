// The whole comparison of m models on the same n data, as one library call:
//   data kernels (kNN graphs) → joint omnibus embedding (d chosen or fixed) → model distances →
//   classical MDS model map → correlations with downstream metrics → per-datum shifts.
// The CLI (`datakernel compare`) and the Python package are thin layers over run_compare().
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/io/model_input.hpp"
#include "datakernel/io/text_lists.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/population/cmds.hpp"
#include "datakernel/population/correlation.hpp"
#include "datakernel/population/pair_measures.hpp"
#include "datakernel/runtime/communicator.hpp"
#include "datakernel/runtime/progress.hpp"
#include "datakernel/inference/datum_test.hpp"
#include "datakernel/inference/neighbourhood_shift.hpp"

namespace dk {

// How the inputs are read and prepared before the comparison (prepare_input.hpp).
struct InputConfig {
  HeaderMode header = HeaderMode::automatic;  // first line of .csv/.tsv inputs
  bool drop_invalid = false;       // remove data with NaN/Inf (or all-zero rows under cosine) in any model, from all
  std::uint64_t memory_limit = 0;  // refuse a run whose estimated peak memory exceeds this (bytes; 0 = available)
  // This process's share of a distributed run (docs/distributed.md): the checks that read a model's values
  // (non-zero rows, duplicate rows) run only for the models of `rank` (ModelPartition). run_compare sets them
  // from its communicator; the CLI sets them before loading. 0 and 1: one process, every model.
  int rank = 0, ranks = 1;
};

// The one options object of a comparison. The CLI's options and the Python API's parameters are its fields
// under their own names (--max-dim / max_dim = omnibus.search, ...); validate_compare_config checks them all.
struct CompareConfig {
  InputConfig input;
  KnnConfig knn;
  OmnibusConfig omnibus;
  bool pairwise = false;   // omnibus distances from a separate 2-graph omnibus per pair (the authors' procedure)
  // Which population measure the model map uses, the direction distance's cap on d, and whether the other
  // measures (pair_measures.hpp) are computed beside it and correlated with the metrics.
  PairMeasureConfig measures;
  int manifold_dim = 2;
  MantelConfig mantel;
  bool per_datum_tests = true;  // test each pair (every pair, or each model against `reference`) per datum
  DatumTestConfig test;    // statistic, null, correction and level of the per-datum tests
  std::string reference;   // test every model against this one; empty = all pairs
  // Test only this pair (two model names; not with `reference`): e.g. a base model and its fine-tune among many
  // models that are mapped but not tested. Empty = the pairs `reference` gives.
  std::vector<std::string> test_pair;
  std::vector<std::string> report_pair;  // the pair whose data the report plots; empty = most rejections
  std::uint64_t seed = 0;  // propagated to the eigen-solver, the bootstrap and the Mantel permutations
};

struct CompareInput {
  std::vector<std::string> names;   // one per model, unique
  std::vector<ModelInput> models;   // loaded models (embeddings or graphs), same n
  std::vector<std::string> ids;     // optional, n ids
  std::vector<std::string> texts;   // optional, n lines shown in the report (--text)
  std::vector<std::string> labels;  // optional, n labels shown in the report (--labels)
  std::optional<MetricsTable> metrics;
  // Where ids / text / labels / metrics came from ("ids", "text", "labels", "metrics" -> path), reported in
  // summary.json and the report's reproduce line.
  std::map<std::string, std::string> sources;
  std::vector<std::string> dropped;  // ids of data removed by --drop-invalid (reported in summary.json)
};

struct ModelSummary {
  std::string name, source, kind;  // kind: "embeddings" or "graph"
  std::int64_t dim = 0;            // embedding columns (0 for a graph)
  std::string source_dtype;
  double mean_degree = 0.0;
  std::int64_t edges = 0;
  std::string knn_method;         // "exact" or "hnsw" ("" for a graph)
  double knn_recall = 1.0;        // hnsw: share of the exact k found on knn_recall_rows sampled rows
  std::int64_t knn_recall_rows = 0;
};

struct DatumShifts {
  int model_a = 0, model_b = 0;
  Eigen::VectorXd shift;            // ‖Ẑ_a[i] − Ẑ_b[i]‖
  std::vector<std::int64_t> rank;   // 1 = largest shift
};

struct PairTest {
  int model_a = 0, model_b = 0;
  DatumTestResult result;
  Eigen::VectorXd jaccard;      // kNN Jaccard distance per datum (directed lists; graph rows for graph inputs)
  Eigen::VectorXd rank_change;  // top-k footrule per datum; empty when a model was given as a graph
  // Omnibus statistic only: Spearman correlation of the statistic at d with the statistic at d/2 and 2d.
  std::vector<std::pair<int, double>> dim_stability;
};

struct CompareResult {
  std::int64_t n = 0;
  int k = 0;
  CompareConfig config;
  std::vector<std::string> names, ids, texts, labels;
  std::optional<MetricsTable> metrics;
  std::map<std::string, std::string> sources;
  std::vector<std::string> dropped;
  std::vector<ModelSummary> models;
  std::vector<Graph> graphs;
  std::vector<NeighbourLists> lists;  // directed kNN lists per model (empty for graph inputs or without tests)
  OmnibusEmbedding joint;
  Eigen::MatrixXd distances;                    // the map's measure (config.measures.map)
  CmdsResult manifold;
  std::vector<MetricCorrelation> correlations;  // of `distances`, one per metric
  // Every population measure computed (the map's among them, all_pair_measures() order), each with its
  // correlations with every metric.
  std::vector<PairMeasure> measures;
  std::vector<DatumShifts> shifts;  // every pair a<b
  std::vector<PairTest> tests;      // per-datum tests, per tested pair
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, double>> seconds;  // stage timings
  // Peak resident memory of the process (bytes, runtime/memory_usage.hpp) when each stage ended: the peak so far,
  // so the stage whose value rises is the one that set it. Same stage names as `seconds`.
  std::vector<std::pair<std::string, std::uint64_t>> peak_rss;
  // The ranks of the run, and this rank's bytes sent and received in each stage (same stage names as `seconds`;
  // all zero for one process). Not part of summary.json: the results are the same for any number of ranks.
  int ranks = 1;
  std::vector<std::pair<std::string, CommunicationCounts>> communication;
};

// The model pairs to test: every pair a<b, or (reference, g) for every other g, or the one pair `pair` names (in
// its order). Throws InputError for an unknown name, a pair that is not two different names, or both rules.
std::vector<std::pair<int, int>> test_pairs(const std::vector<std::string>& names, const std::string& reference,
                                            const std::vector<std::string>& pair = {});

// Checks the options alone, the same for the CLI and the Python package: k ≥ 0 (0 = default), threads ≥ 0,
// dim ≥ 0 (0 = auto), elbows in [1, 5], max-dim 0 (default) or in [2, 1000], manifold-dim in [1, 100],
// direction-dim ≥ 1,
// bootstrap ≥ 1, and the per-datum test's options (alpha in (0, 1), statistic/null combination). Throws InputError
// naming the option.
void validate_compare_config(const CompareConfig& config);

// Checks everything that can be checked before computing (≥ 2 models, same n, k < n, cosine rows non-zero,
// a map distance that needs embeddings (linear_cka, mutual_knn) only when every model is given as embeddings,
// ids count and uniqueness, names unique, metrics finite with one value per model, validate_compare_config);
// throws InputError naming the offending file or option.
void validate_compare_input(const CompareInput& input, const CompareConfig& config);

// Long stages (kNN per model, eigen-solve, bootstrap replicates) report to `progress` when it is not null.
// With a communicator of P > 1 ranks (docs/distributed.md) every rank calls run_compare with the same input and
// config (the same models, or, from load_compare_input with the communicator, each rank's own models' values and
// the others' shapes: ModelInput::elsewhere, read on a rank only where a later stage needs them): each builds its
// own models' kernels (ModelPartition) and shares them, the eigen-solve's products are
// split over the ranks, the per-datum tests (or a pair's bootstrap replicates) too. The result is complete on
// rank 0 only, and the same bits as one process's; a failure on any rank throws on every rank (agree_on_failure).
CompareResult run_compare(const CompareInput& input, const CompareConfig& config, ProgressSink* progress = nullptr,
                          Communicator* communicator = nullptr);

}  // namespace dk
