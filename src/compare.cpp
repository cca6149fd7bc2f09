#include "datakernel/compare.hpp"

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <optional>
#include <set>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "compare_exchange.hpp"
#include "datakernel/error.hpp"
#include "datakernel/io/text_lists.hpp"
#include "datakernel/population/model_distance.hpp"
#include "datakernel/runtime/memory_usage.hpp"

namespace dk {

namespace {

// The indices of a pair of model names given by option `key` (--test-pair, --report-pair); InputError unless it
// is two known names.
std::pair<int, int> named_pair(const std::vector<std::string>& names, const std::vector<std::string>& pair,
                               const std::string& key) {
  if (pair.size() != 2) throw InputError("{" + key + "} needs two model names, e.g. A,B");
  int index[2];
  for (int s = 0; s < 2; ++s) {
    const auto found = std::find(names.begin(), names.end(), pair[s]);
    if (found == names.end()) throw InputError("{" + key + "}: '" + pair[s] + "' is not one of the model names");
    index[s] = static_cast<int>(found - names.begin());
  }
  return {index[0], index[1]};
}

}  // namespace

std::vector<std::pair<int, int>> test_pairs(const std::vector<std::string>& names, const std::string& reference,
                                            const std::vector<std::string>& pair) {
  const int m = static_cast<int>(names.size());
  std::vector<std::pair<int, int>> pairs;
  if (!pair.empty()) {
    if (!reference.empty()) throw InputError("{test_pair} and {reference} exclude each other: give one of them");
    const std::pair<int, int> named = named_pair(names, pair, "test_pair");
    if (named.first == named.second) throw InputError("{test_pair} names model '" + pair[0] + "' twice");
    pairs.push_back(named);
    return pairs;
  }
  if (reference.empty()) {
    for (int a = 0; a < m; ++a)
      for (int b = a + 1; b < m; ++b) pairs.emplace_back(a, b);
    return pairs;
  }
  const auto found = std::find(names.begin(), names.end(), reference);
  if (found == names.end()) throw InputError("{reference} '" + reference + "' is not one of the model names");
  const int r = static_cast<int>(found - names.begin());
  for (int g = 0; g < m; ++g)
    if (g != r) pairs.emplace_back(r, g);
  return pairs;
}

namespace {

// The file an input came from (--ids FILE, --metrics FILE), else the generic name used by the Python API.
std::string source_of(const CompareInput& input, const std::string& key) {
  const auto found = input.sources.find(key);
  return found != input.sources.end() && !found->second.empty() ? found->second : key;
}

}  // namespace

void validate_compare_config(const CompareConfig& config) {
  if (config.knn.k < 0) throw InputError("{k} must be a positive integer (omit it for the default)");
  if (config.knn.threads < 0)
    throw InputError("{threads} must be 0 (all cores) or a positive integer, got " + std::to_string(config.knn.threads));
  if (config.omnibus.dim < 0) throw InputError("{dim} must be 'auto' or a positive integer, got " + std::to_string(config.omnibus.dim));
  if (config.omnibus.elbows < 1 || config.omnibus.elbows > 5)
    throw InputError("{elbows} must be in [1, 5], got " + std::to_string(config.omnibus.elbows));
  if (config.omnibus.search != 0 && (config.omnibus.search < 2 || config.omnibus.search > 1000))
    throw InputError("{max_dim} must be in [2, 1000], got " + std::to_string(config.omnibus.search));
  if (config.manifold_dim < 1 || config.manifold_dim > 100)
    throw InputError("{manifold_dim} must be in [1, 100], got " + std::to_string(config.manifold_dim));
  if (config.measures.normalised_dim < 1)
    throw InputError("{normalised_dim} must be a positive integer, got " + std::to_string(config.measures.normalised_dim));
  if (config.measures.direction_dim < 1)
    throw InputError("{direction_dim} must be a positive integer, got " + std::to_string(config.measures.direction_dim));
  if (config.test.bootstrap < 1)
    throw InputError("{bootstrap} must be at least 1, got " + std::to_string(config.test.bootstrap));
  if (config.test.threads < 0)
    throw InputError("{threads} must be 0 (all cores) or a positive integer, got " + std::to_string(config.test.threads));
  if (config.per_datum_tests) validate_datum_test_config(config.test);
}

void validate_compare_input(const CompareInput& input, const CompareConfig& config) {
  const std::size_t m = input.models.size();
  if (m < 2) throw InputError("compare needs at least 2 models, got " + std::to_string(m));
  if (input.names.size() != m)
    throw InputError("{names} gives " + std::to_string(input.names.size()) + " names for " + std::to_string(m) +
                     " models");
  const std::int64_t n = input.models.front().rows();
  for (const ModelInput& model : input.models)
    if (model.rows() != n)
      throw InputError(model.spec + ": has " + std::to_string(model.rows()) + " rows but " +
                       input.models.front().spec + " has " + std::to_string(n) +
                       "; every model must embed the same data in the same order");
  std::set<std::string> unique(input.names.begin(), input.names.end());
  if (unique.size() != m) throw InputError("model names must be unique (use {names})");
  if (n < 3) throw InputError(input.models.front().spec + ": needs at least 3 data, got " + std::to_string(n));
  // A line break in a name, id, label or text would only surface after the computation, in the output files.
  auto check_text = [](const std::vector<std::string>& values, const std::string& what) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::string problem = control_character_problem(values[i]);
      if (!problem.empty()) throw InputError(what + " " + std::to_string(i + 1) + " " + problem + " (no control characters)");
    }
  };
  check_text(input.names, "model name");
  check_text(input.ids, "id");
  check_text(input.labels, "label");
  check_text(input.texts, "text");
  // A distributed run's rank reads the values of its own models only (InputConfig::rank).
  const ModelPartition partition{static_cast<int>(m), std::max(1, config.input.ranks)};
  for (std::size_t g = 0; g < m; ++g)
    if (input.models[g].has_embeddings() && partition.owner(static_cast<int>(g)) == config.input.rank)
      validate_for_knn(input.models[g].use().view(), config.knn, input.models[g].spec);
  if (!input.texts.empty() && static_cast<std::int64_t>(input.texts.size()) != n)
    throw InputError("text: " + std::to_string(input.texts.size()) + " lines for n = " + std::to_string(n) + " data");
  if (!input.labels.empty() && static_cast<std::int64_t>(input.labels.size()) != n)
    throw InputError("labels: " + std::to_string(input.labels.size()) + " lines for n = " + std::to_string(n) + " data");
  if (!input.ids.empty() && static_cast<std::int64_t>(input.ids.size()) != n)
    throw InputError("ids: " + std::to_string(input.ids.size()) + " ids for n = " + std::to_string(n) + " data");
  if (!input.ids.empty()) {
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < input.ids.size(); ++i) {
      const auto [at, fresh] = seen.emplace(input.ids[i], i);
      if (!fresh)
        throw InputError(source_of(input, "ids") + ": duplicate id '" + input.ids[i] + "' (data " +
                         std::to_string(at->second) + " and " + std::to_string(i) + ", 0-based)");
    }
  }
  if (input.metrics) {
    const MetricsTable& t = *input.metrics;
    if (t.values.size() != t.metric_names.size())
      throw InputError(source_of(input, "metrics") + ": " + std::to_string(t.metric_names.size()) + " metric names but " +
                       std::to_string(t.values.size()) + " value lists");
    std::set<std::string> metric_names;
    for (std::size_t c = 0; c < t.metric_names.size(); ++c) {
      if (t.metric_names[c].empty()) throw InputError(source_of(input, "metrics") + ": a metric has an empty name");
      if (!metric_names.insert(t.metric_names[c]).second)
        throw InputError(source_of(input, "metrics") + ": metric '" + t.metric_names[c] + "' appears twice");
      if (t.values[c].size() != m)
        throw InputError(source_of(input, "metrics") + ": metric '" + t.metric_names[c] + "' has " +
                         std::to_string(t.values[c].size()) + " values for " + std::to_string(m) + " models");
      for (std::size_t g = 0; g < m; ++g)
        if (!std::isfinite(t.values[c][g]))
          throw InputError(source_of(input, "metrics") + ": metric '" + t.metric_names[c] + "' of model '" +
                           input.names[g] + "' is " + fmt::format("{}", t.values[c][g]) +
                           " (every value must be a finite number)");
    }
  }
  validate_compare_config(config);
  if (config.measures.map == PairMeasureKind::linear_cka || config.measures.map == PairMeasureKind::mutual_knn)
    for (const ModelInput& model : input.models)
      if (!model.has_embeddings())
        throw InputError("{distance} " + pair_measure_name(config.measures.map) + " needs every model as embeddings, but " +
                         model.spec + " is a graph (use omnibus, direction or knn_jaccard)");
  if (!config.reference.empty() || !config.test_pair.empty())
    test_pairs(input.names, config.reference, config.test_pair);  // throws for an unknown name
  if (!config.report_pair.empty()) named_pair(input.names, config.report_pair, "report_pair");
  if (input.metrics && m < 3) throw InputError("{metrics} needs at least 3 models to correlate model pairs");
}

namespace {

// Spearman correlation of the omnibus statistic at d with the statistic recomputed at d/2 and at 2d.
std::vector<std::pair<int, double>> dim_stability(const Graph& a, const Graph& b, int dim,
                                                  const Eigen::VectorXd& statistic, std::uint64_t seed) {
  std::vector<std::pair<int, double>> out;
  const std::vector<double> at_d(statistic.data(), statistic.data() + statistic.size());
  for (const int other : {std::max(1, dim / 2), 2 * dim}) {
    if (other == dim || other >= 2 * a.n) continue;
    OmnibusConfig omni;
    omni.dim = other;
    omni.seed = seed;
    const OmnibusEmbedding e = embed_omnibus({&a, &b}, omni);
    const Eigen::VectorXd t = (e.block(0) - e.block(1)).rowwise().norm();
    out.emplace_back(other, spearman_correlation(at_d, std::vector<double>(t.data(), t.data() + t.size())));
  }
  return out;
}

// Pairs without bootstrap replicates are spread over the ranks (pair t on rank t mod P) and gathered to rank 0
// in pair order; a pair with replicates is run by every rank together, its replicates spread over them
// (DatumTestConfig::communicator), and the rest of its work (Jaccard, rank change, d-stability) done by rank 0.
// Only rank 0's result.tests is complete; every rank agrees on failure before the gathering.
void run_pair_tests(const CompareInput& input, CompareResult& result, ProgressSink* progress, Communicator& comm) {
  const CompareConfig& config = result.config;
  const auto pairs = test_pairs(input.names, config.reference, config.test_pair);
  const int rank = comm.rank(), ranks = comm.size();
  std::vector<PairRecord> records;  // this rank's pairs, in pair order
  std::exception_ptr failure;
  DatumTestConfig test = config.test;
  if (is_bootstrap_null(test.null) && test.bootstrap_p == BootstrapP::count) {
    const std::string advice = bootstrap_size_advice(result.n, test.bootstrap, test.alpha, test.correction);
    if (!advice.empty()) result.warnings.push_back(advice);
  }
  bool fell_back = false;
  auto config_of = [&](int a, int b) {
    const bool embeddings = input.models[a].has_embeddings() && input.models[b].has_embeddings();
    DatumTestConfig pair_config = test;
    if (!embeddings && test.statistic == TestStatistic::neighbourhood)
      pair_config.statistic = TestStatistic::omnibus;  // the neighbourhood statistic needs similarities
    return pair_config;
  };
  // The pairs whose embeddings this rank reads (it runs them and keeps their results). A model another rank read
  // (ModelInput::elsewhere) is read here at its first such pair and let go after its last.
  auto reads_values = [&](std::size_t t) {
    const auto [a, b] = pairs[t];
    if (!input.models[a].has_embeddings() || !input.models[b].has_embeddings()) return false;
    const DatumTestConfig pair_config = config_of(a, b);
    const bool shared =
        pair_config.statistic == TestStatistic::omnibus && is_bootstrap_null(pair_config.null) && ranks > 1;
    return shared ? rank == 0 : static_cast<int>(t % static_cast<std::size_t>(ranks)) == rank;
  };
  std::vector<std::size_t> last_read(input.models.size(), 0);
  for (std::size_t t = 0; t < pairs.size(); ++t)
    if (reads_values(t)) last_read[pairs[t].first] = last_read[pairs[t].second] = t;
  std::vector<std::optional<ModelInput>> read_here(input.models.size());
  auto values_of = [&](int g) -> EmbeddingsView {
    if (input.models[g].has_values()) return input.models[g].view();
    if (!read_here[g]) read_here[g] = read_model_here(input.models[g]);
    return read_here[g]->view();
  };
  std::vector<std::optional<SimilarityScale>> scales(input.models.size());
  auto scale_of = [&](int g) -> const SimilarityScale& {
    if (!scales[g]) scales[g] = similarity_scale(values_of(g), config.knn.metric, result.lists[g], config.seed);
    return *scales[g];
  };
  try {
    for (std::size_t t = 0; t < pairs.size(); ++t) {
      const auto [a, b] = pairs[t];
      const bool embeddings = input.models[a].has_embeddings() && input.models[b].has_embeddings();
      DatumTestConfig pair_config = config_of(a, b);
      if (pair_config.statistic != test.statistic) fell_back = true;
      const bool omnibus = pair_config.statistic == TestStatistic::omnibus;
      const bool replicates = omnibus && is_bootstrap_null(pair_config.null);
      // Who works on this pair: everyone (replicates), its rank (the rest); only rank 0 keeps a shared pair.
      const bool shared = replicates && ranks > 1;
      if (!shared && static_cast<int>(t % static_cast<std::size_t>(ranks)) != rank) continue;
      const bool keeps = !shared || rank == 0;
      if (shared) pair_config.communicator = &comm;
      ProgressStage stage(progress,
                          "per-datum test " + std::to_string(t + 1) + "/" + std::to_string(pairs.size()) + " " +
                              input.names[a] + " vs " + input.names[b] + " (" +
                              test_statistic_name(pair_config.statistic) + " statistic, " +
                              null_model_name(pair_config.null) + " null" +
                              (omnibus ? ", d " + std::to_string(result.joint.dim) : std::string()) + ")",
                          replicates ? pair_config.bootstrap : 0);
      pair_config.progress = [&](int done, int) { stage.advance(done); };
      pair_config.cancelled = [&] { return progress != nullptr && progress->cancelled(); };
      PairRecord record;
      record.index = static_cast<std::int64_t>(t);
      PairTest& pair = record.test;
      pair.model_a = a;
      pair.model_b = b;
      if (embeddings && keeps) {
        const NeighbourhoodShift shift =
            neighbourhood_shift({values_of(a), &result.lists[a], &scale_of(a)},
                                {values_of(b), &result.lists[b], &scale_of(b)}, config.knn.metric,
                                config.knn.threads, config.seed);
        pair.jaccard = shift.jaccard;
        pair.rank_change = shift.rank_change;
        if (!omnibus) pair.result = test_neighbourhood_shift(shift, pair_config);
      } else if (keeps) {
        pair.jaccard = graph_jaccard(result.graphs[a], result.graphs[b]);
      }
      if (omnibus) {
        // One random stream per pair: a pair's result does not depend on which other pairs are tested.
        const std::uint64_t stream = static_cast<std::uint64_t>(a) * 1000003u + static_cast<std::uint64_t>(b);
        pair.result = test_datum_shift(result.graphs[a], result.graphs[b], result.joint.dim, pair_config, stream);
        pair.result.config.communicator = nullptr;
        if (!keeps) continue;
        pair.dim_stability = dim_stability(result.graphs[a], result.graphs[b], result.joint.dim, pair.result.statistic,
                                           config.seed);
        double weakest = 1.0;
        int at = 0;
        for (const auto& [d, rho] : pair.dim_stability)
          if (rho < weakest) weakest = rho, at = d;
        if (weakest < 0.8)
          record.warnings.push_back(fmt::format(
              "per-datum test {} vs {} (omnibus statistic): the ranking of the data depends on d (Spearman {:.2f} "
              "between d = {} and d = {}); its results are conditional on d = {} (the neighbourhood statistic does "
              "not use d)",
              input.names[a], input.names[b], weakest, result.joint.dim, at, result.joint.dim));
      }
      // Only the pair being tested is resident (a mapped model's pages are read again by the next pair using it).
      for (const int g : {a, b}) {
        input.models[g].release_pages();
        if (read_here[g]) read_here[g]->release_pages();
        if (read_here[g] && last_read[g] == t) read_here[g].reset();
      }
      if (progress != nullptr && progress->cancelled()) throw Cancelled("cancelled");
      records.push_back(std::move(record));
    }
  } catch (...) {
    failure = std::current_exception();
  }
  agree_on_failure(comm, failure);
  if (ranks > 1) {  // every rank's pairs to rank 0, then in pair order
    ByteWriter mine;
    mine.put<std::uint64_t>(records.size());
    for (const PairRecord& record : records) write_pair_record(mine, record);
    const std::vector<Bytes> all = comm.gather(mine.bytes(), 0);
    if (rank != 0) return;
    records.clear();
    for (const Bytes& bytes : all) {
      ByteReader reader(bytes);
      const std::uint64_t count = reader.get<std::uint64_t>();
      for (std::uint64_t i = 0; i < count; ++i) {
        PairRecord record = read_pair_record(reader);
        const auto [a, b] = pairs[static_cast<std::size_t>(record.index)];
        record.test.result.config = config_of(a, b);
        record.test.result.config.progress = nullptr;
        record.test.result.config.cancelled = nullptr;
        if (record.test.result.config.statistic != test.statistic) fell_back = true;
        records.push_back(std::move(record));
      }
    }
    std::sort(records.begin(), records.end(),
              [](const PairRecord& x, const PairRecord& y) { return x.index < y.index; });
  }
  for (PairRecord& record : records) {
    for (std::string& warning : record.warnings) result.warnings.push_back(std::move(warning));
    result.tests.push_back(std::move(record.test));
  }
  if (fell_back)
    result.warnings.push_back("models given as graphs have no similarities for the neighbourhood statistic: their "
                              "pairs were tested with the omnibus statistic (same null)");
}

// Linear CKA's cost: Σ over pairs g ≤ h of n p_g p_h multiply-adds (PairMeasureConfig::linear_cka_budget).
double linear_cka_work(const CompareInput& input) {
  double work = 0.0;
  for (std::size_t g = 0; g < input.models.size(); ++g)
    for (std::size_t h = g; h < input.models.size(); ++h)
      work += static_cast<double>(input.models[g].rows()) * static_cast<double>(input.models[g].dim()) *
              static_cast<double>(input.models[h].dim());
  return work;
}

// The population measures of the run (pair_measures.hpp): the map's, and with config.measures.simple the others.
// Steps of an eigen-solve's progress bar: thousandths of log(residual) / log(tolerance).
constexpr std::int64_t kSolveSteps = 1000;

void compute_pair_measures(const CompareInput& input, CompareResult& result, const std::vector<const Graph*>& graphs,
                           const std::vector<NeighbourSets>& sets, const NormalisedOmnibus* normalised_solve,
                           ProgressSink* progress) {
  const CompareConfig& config = result.config;
  const bool embeddings = std::all_of(input.models.begin(), input.models.end(),
                                      [](const ModelInput& model) { return model.has_embeddings(); });
  const std::string neighbours =
      embeddings ? fmt::format("the top-k lists of the run (k = {}, {} similarity{}, self excluded)", result.k,
                               metric_name(config.knn.metric),
                               config.knn.metric == Metric::cosine ? ": rows L2-normalised" : ": rows as given")
                 : std::string("the rows of the data kernels (some models were given as graphs)");
  for (const PairMeasureKind kind : all_pair_measures()) {
    if (!config.measures.simple && kind != config.measures.map) continue;
    if (!embeddings && (kind == PairMeasureKind::linear_cka || kind == PairMeasureKind::mutual_knn)) continue;
    if (kind == PairMeasureKind::linear_cka && kind != config.measures.map) {
      const double work = linear_cka_work(input);
      if (work > config.measures.linear_cka_budget) {
        result.warnings.push_back(fmt::format(
            "linear CKA skipped: its cross products need {:.2g} multiply-adds (budget {:.2g}: about a minute on two "
            "cores); ask for it with {{distance}} linear_cka to compute it anyway",
            work, config.measures.linear_cka_budget));
        continue;
      }
    }
    PairMeasure measure;
    measure.kind = kind;
    measure.name = pair_measure_name(kind);
    switch (kind) {
      case PairMeasureKind::omnibus:
        if (config.pairwise) {
          ProgressStage stage(progress, "pairwise omnibus embeddings (" + std::to_string(graphs.size() * (graphs.size() - 1) / 2) + " pairs)", 0);
          measure.distances = pairwise_model_distances(graphs, result.joint.dim, config.seed);
        } else {
          measure.distances = model_distances(result.joint);
        }
        measure.definition = fmt::format(
            "‖Ẑ_g − Ẑ_h‖_F / ‖(Ẑ_g + Ẑ_h)/2‖_F of the {} omnibus embedding at d = {} (the paper's model distance)",
            config.pairwise ? "pairwise (one per pair)" : "joint", result.joint.dim);
        break;
      case PairMeasureKind::direction:
        measure.distances = direction_distances(result.joint, config.measures.direction_dim);
        measure.dim = direction_dim(result.joint, config.measures.direction_dim);
        measure.definition = fmt::format(
            "sqrt(mean over data of ‖z_g[i] − z_h[i]‖²), z_g[i] = the row Ẑ_g[i] of the joint omnibus embedding's "
            "first {} of d = {} dimensions scaled to unit length (direction only: each datum's row length, its "
            "hubness, removed)",
            direction_dim(result.joint, config.measures.direction_dim), result.joint.dim);
        break;
      case PairMeasureKind::normalised_omnibus: {
        if (normalised_solve == nullptr) throw ComputeError("normalised omnibus distance: the eigen-solve did not run");
        const NormalisedOmnibus& normalised = *normalised_solve;
        measure.distances = normalised.distances;
        measure.dim = normalised.dim;
        // No warning for a small gap here: the normalised spectrum is flat on real and simulated data alike
        // (docs/method.md, section 7), so it would fire on every run; the gap goes into the definition.
        measure.definition = fmt::format(
            "‖Ẑ_g − Ẑ_h‖_F / ‖(Ẑ_g + Ẑ_h)/2‖_F of the joint omnibus embedding at d = {} of the degree-normalised "
            "kernels D^-1/2 (A + I) D^-1/2 (hubness divided out of the kernel); eigengap at d {:.3g}%; eigen-solve: "
            "{} restarts, {} operator applications, largest relative residual {:.1e}{}",
            normalised.dim, 100.0 * normalised.relative_gap, normalised.cycles, normalised.operator_applications,
            normalised.worst_residual, normalised.converged ? "" : " (not converged)");
        break;
      }
      case PairMeasureKind::knn_jaccard:
      case PairMeasureKind::mutual_knn: {
        std::vector<const NeighbourSets*> pointers;
        for (const NeighbourSets& set : sets) pointers.push_back(&set);
        const NeighbourOverlapDistances overlap = neighbour_overlap_distances(pointers);
        if (kind == PairMeasureKind::knn_jaccard) {
          measure.distances = overlap.jaccard;
          measure.definition = "1 − mean over data of the Jaccard index |N_g(i) ∩ N_h(i)| / |N_g(i) ∪ N_h(i)| of " + neighbours;
        } else {
          measure.distances = overlap.mutual;
          measure.definition = "1 − mean over data of |N_g(i) ∩ N_h(i)| / k, N = " + neighbours;
        }
        break;
      }
      case PairMeasureKind::linear_cka: {
        ProgressStage stage(progress, "linear CKA (" + std::to_string(input.models.size() * (input.models.size() + 1) / 2) +
                                          " cross products)", 0);
        // Every model's values on rank 0: a model another rank read is read here for its cross products.
        std::vector<ModelInput> read_here;
        read_here.reserve(input.models.size());
        std::vector<EmbeddingsView> views;
        for (const ModelInput& model : input.models) {
          if (!model.has_values()) read_here.push_back(read_model_here(model));
          views.push_back(model.has_values() ? model.view() : read_here.back().view());
        }
        measure.distances = linear_cka_distances(views, config.knn.threads);
        measure.definition = "1 − linear CKA ‖Y_gᵀ Y_h‖²_F / (‖Y_gᵀ Y_g‖_F ‖Y_hᵀ Y_h‖_F) of the column-centred "
                             "embeddings (rows as given, not normalised)";
        break;
      }
    }
    if (input.metrics)
      for (std::size_t c = 0; c < input.metrics->metric_names.size(); ++c)
        measure.correlations.push_back(correlate_with_metric(measure.distances, input.metrics->values[c],
                                                             input.metrics->metric_names[c], config.mantel));
    result.measures.push_back(std::move(measure));
  }
}

}  // namespace

CompareResult run_compare(const CompareInput& input, const CompareConfig& config, ProgressSink* progress,
                          Communicator* communicator) {
  Communicator& comm = communicator != nullptr ? *communicator : serial_communicator();
  CompareConfig checked = config;
  checked.input.rank = comm.rank();
  checked.input.ranks = comm.size();
  validate_compare_input(input, checked);
  CompareResult result;
  result.config = config;
  result.names = input.names;
  result.ids = input.ids;
  result.texts = input.texts;
  result.labels = input.labels;
  result.metrics = input.metrics;
  result.sources = input.sources;
  result.dropped = input.dropped;
  result.n = input.models.front().rows();
  result.k = config.knn.k > 0 ? config.knn.k : default_k(result.n);
  result.config.knn.k = result.k;
  result.config.omnibus.seed = config.seed;
  result.config.mantel.seed = config.seed;
  result.config.test.seed = config.seed;
  result.config.test.progress = nullptr;
  result.config.test.cancelled = nullptr;
  auto clock = std::chrono::steady_clock::now();
  result.ranks = comm.size();
  CommunicationCounts counted = comm.counts();
  auto lap = [&](const std::string& stage) {
    const auto now = std::chrono::steady_clock::now();
    result.seconds.emplace_back(stage, std::chrono::duration<double>(now - clock).count());
    result.peak_rss.emplace_back(stage, peak_rss_bytes());
    const CommunicationCounts& total = comm.counts();
    result.communication.emplace_back(stage, CommunicationCounts{total.sent - counted.sent,
                                                                 total.received - counted.received,
                                                                 total.messages - counted.messages});
    counted = total;
    clock = now;
  };

  const std::size_t m = input.models.size();
  const bool all_embeddings = std::all_of(input.models.begin(), input.models.end(),
                                          [](const ModelInput& model) { return model.has_embeddings(); });
  std::vector<NeighbourSets> neighbour_sets_of;  // for the kNN overlap measures
  const bool overlap_wanted = config.measures.simple || config.measures.map == PairMeasureKind::knn_jaccard ||
                              config.measures.map == PairMeasureKind::mutual_knn;
  const int rank = comm.rank(), ranks = comm.size();
  const ModelPartition partition{static_cast<int>(m), ranks};
  // Lists travel with a model's record when the tests or the overlap measures need them.
  const bool keep_lists = config.per_datum_tests || (overlap_wanted && all_embeddings);
  // One model's kNN stage, on the rank that owns it: reads only that model's values.
  auto build_model = [&](std::size_t g) {
    const ModelInput& model = input.models[g];
    ModelRecord record;
    ModelSummary& summary = record.summary;
    summary.name = input.names[g];
    summary.source = model.spec;
    if (model.has_embeddings()) {
      const std::int64_t blocks = (result.n + config.knn.row_block - 1) / config.knn.row_block;
      ProgressStage stage(progress,
                          "kNN graph " + std::to_string(g + 1) + "/" + std::to_string(m) + " " + summary.name +
                              " (dim " + std::to_string(model.view().dim) + ", k " +
                              std::to_string(result.k) + ")",
                          blocks);
      KnnConfig knn = result.config.knn;
      knn.progress = [&](std::int64_t done) { stage.advance(done); };
      knn.cancelled = [&] { return progress != nullptr && progress->cancelled(); };
      NeighbourLists lists = knn_search(model.use().view(), knn);  // the model's pages are dropped after its search
      summary.knn_method = knn_method_name(lists.method);
      summary.knn_recall = lists.recall;
      summary.knn_recall_rows = lists.recall_rows;
      if (lists.method != KnnMethod::exact && lists.recall < 0.95)
        record.warnings.push_back(fmt::format("{}: approximate kNN recall {:.3f} on {} sampled rows is below 0.95; "
                                              "use {{knn=exact}} for an exact data kernel",
                                              model.spec, lists.recall, lists.recall_rows));
      record.graph = graph_from_neighbours(lists, knn.symmetrize);
      if (keep_lists) record.lists = std::move(lists);
      summary.kind = "embeddings";
      summary.dim = model.view().dim;
      summary.source_dtype = model.embeddings ? model.embeddings->info.source_dtype
                                              : (model.view().f32 ? "float32" : "float64");
    } else {
      record.graph = *model.graph;
      summary.kind = "graph";
      std::int64_t isolated = 0;
      for (std::int64_t i = 0; i < model.graph->n; ++i) isolated += model.graph->degree(i) == 0;
      if (isolated > 0)
        record.warnings.push_back(fmt::format("{}: {} of n = {} data have no neighbour in this kernel; a kNN data "
                                              "kernel gives every datum k neighbours (their positions are noise)",
                                              model.spec, isolated, result.n));
      summary.source_dtype = "graph";
    }
    summary.edges = record.graph.edge_count();
    summary.mean_degree = 2.0 * static_cast<double>(summary.edges) / static_cast<double>(result.n);
    if (record.graph.edge_count() == 0) throw InputError(model.spec + ": the data kernel has no edges");
    return record;
  };
  // A model's record into the result, in model order (rank 0 alone computes the overlap measures).
  auto absorb = [&](ModelRecord& record) {
    for (std::string& warning : record.warnings) result.warnings.push_back(std::move(warning));
    result.graphs.push_back(std::move(record.graph));
    if (overlap_wanted && all_embeddings && rank == 0) neighbour_sets_of.push_back(neighbour_sets(record.lists));
    result.lists.push_back(config.per_datum_tests ? std::move(record.lists) : NeighbourLists{});
    result.models.push_back(std::move(record.summary));
  };
  if (ranks == 1) {
    for (std::size_t g = 0; g < m; ++g) {
      ModelRecord record = build_model(g);
      absorb(record);
    }
  } else {  // each rank builds its own models' kernels; every rank then holds every model's record
    ByteWriter mine;
    std::exception_ptr failure;
    try {
      for (int g = partition.first(rank); g < partition.end(rank); ++g)
        write_model_record(mine, build_model(static_cast<std::size_t>(g)));
    } catch (...) {
      failure = std::current_exception();
    }
    agree_on_failure(comm, failure);
    const std::vector<Bytes> all = comm.allgather(mine.bytes());
    mine.bytes() = Bytes{};
    for (int r = 0; r < ranks; ++r) {
      ByteReader reader(all[static_cast<std::size_t>(r)]);
      for (int g = partition.first(r); g < partition.end(r); ++g) {
        ModelRecord record = read_model_record(reader);
        absorb(record);
      }
    }
  }
  if (overlap_wanted && !all_embeddings && rank == 0)
    for (const Graph& graph : result.graphs) neighbour_sets_of.push_back(neighbour_sets(graph));
  lap("knn_graphs");
  if (progress != nullptr && progress->cancelled()) throw Cancelled("cancelled");

  std::vector<const Graph*> graphs;
  for (const Graph& g : result.graphs) graphs.push_back(&g);
  {
    // Block solvers report how far they have come (log residual / log tolerance) in thousandths; Lanczos cannot.
    const OmnibusSolver solver = config.omnibus.solver == OmnibusSolver::automatic ? omnibus_solver_for(static_cast<int>(m))
                                                                                   : config.omnibus.solver;
    const bool reports = solver != OmnibusSolver::lanczos && m * result.n > 400;
    ProgressStage stage(progress, "omnibus eigen-solve (" + std::to_string(m) + " graphs, " +
                                      std::to_string(m * result.n) + " rows)", reports ? kSolveSteps : 0);
    OmnibusConfig omnibus = result.config.omnibus;
    omnibus.communicator = &comm;
    // One process polls Ctrl-C inside the solve; ranks could stop at different steps of a collective, so under
    // MPI the solve finishes first and the stop takes effect at the next stage.
    if (comm.size() == 1) omnibus.cancelled = [&] { return progress != nullptr && progress->cancelled(); };
    if (reports) omnibus.progress = [&](double done) { stage.advance(std::llround(done * kSolveSteps)); };
    std::exception_ptr failure;
    try {
      result.joint = embed_omnibus(graphs, omnibus);
    } catch (...) {
      failure = std::current_exception();
    }
    agree_on_failure(comm, failure);
  }
  lap("omnibus_embedding");
  // The normalised omnibus eigen-solve, when a measure needs it: on every rank (its products are split like the
  // joint solve's); the distances then go to rank 0 with the other population measures.
  std::optional<NormalisedOmnibus> normalised;
  if (config.measures.simple || config.measures.map == PairMeasureKind::normalised_omnibus) {
    ProgressStage stage(progress, "normalised omnibus eigen-solve (" + std::to_string(m) + " graphs, d = " +
                                      std::to_string(normalised_omnibus_dim(graphs, config.measures.normalised_dim)) + ")",
                        m * result.n > 400 ? kSolveSteps : 0);
    NormalisedOmnibusConfig solve;
    solve.dim = config.measures.normalised_dim;
    solve.seed = config.seed;
    solve.communicator = &comm;
    if (comm.size() == 1) solve.cancelled = [&] { return progress != nullptr && progress->cancelled(); };
    solve.progress = [&](double done) { stage.advance(std::llround(done * kSolveSteps)); };
    std::exception_ptr failure;
    try {
      normalised = normalised_omnibus(graphs, solve);
    } catch (...) {
      failure = std::current_exception();
    }
    agree_on_failure(comm, failure);
    if (!normalised->converged)
      result.warnings.push_back(fmt::format(
          "the normalised omnibus eigen-solve stopped after {} restarts without converging (largest relative "
          "residual {:.2g}, wanted {:.2g}): the normalised omnibus distances are approximate",
          normalised->cycles, normalised->worst_residual, solve.tolerance));
    lap("normalised_omnibus_embedding");
  }
  if (result.joint.near_degenerate) {
    int clear = 0;  // the largest smaller d that ends at a clear gap, to suggest
    for (int d = result.joint.dim - 1; d >= 1 && clear == 0; --d)
      if (relative_eigengap(result.joint.eigenvalues, d) >= config.omnibus.degenerate_gap) clear = d;
    const bool omnibus_test = config.per_datum_tests && config.test.statistic == TestStatistic::omnibus;
    // Only the omnibus and direction measures use the joint embedding's d (normalised_omnibus has its own).
    const bool map_uses_d = config.measures.map == PairMeasureKind::omnibus || config.measures.map == PairMeasureKind::direction;
    const std::string text = fmt::format(
        "near-degenerate eigenspace: |λ_{}| and |λ_{}| differ by only {:.3g}% (relative): the {}-dim omnibus "
        "embedding is not identifiable, so {}{} are conditional on d = {}{}{}",
        result.joint.dim, result.joint.dim + 1, 100.0 * result.joint.relative_gap, result.joint.dim,
        map_uses_d ? "model distances and the map" : "the omnibus and direction distances (not the map's)",
        omnibus_test ? " and the omnibus per-datum statistic" : "", result.joint.dim,
        clear > 0 ? fmt::format(" (d = {} ends at a clear gap: {{dim={}}})", clear, clear) : std::string(),
        config.per_datum_tests && !omnibus_test ? "; the default per-datum test does not use d" : "");
    result.warnings.emplace_back(text);
  }
  if (result.joint.negative_selected > 0)
    result.warnings.push_back(std::to_string(result.joint.negative_selected) +
                              " of the selected eigenvalues are negative (the kernels are indefinite); their "
                              "dimensions are embedded with |λ|");

  // The population measures, map and shifts are rank 0's alone (it writes the outputs).
  std::exception_ptr population_failure;
  if (rank == 0) try {
  compute_pair_measures(input, result, graphs, neighbour_sets_of, normalised ? &*normalised : nullptr, progress);
  neighbour_sets_of.clear();
  for (const PairMeasure& measure : result.measures)
    if (measure.kind == config.measures.map) {
      result.distances = measure.distances;
      result.correlations = measure.correlations;
    }
  result.manifold = classical_mds(result.distances, config.manifold_dim);
  for (int a = 0; a < static_cast<int>(m); ++a)
    for (int b = a + 1; b < static_cast<int>(m); ++b) {
      DatumShifts s;
      s.model_a = a;
      s.model_b = b;
      s.shift = datum_shift(result.joint, a, b);
      s.rank = descending_ranks(s.shift);
      result.shifts.push_back(std::move(s));
    }
  } catch (...) {
    population_failure = std::current_exception();
  }
  agree_on_failure(comm, population_failure);
  lap("population");

  if (config.per_datum_tests) {
    run_pair_tests(input, result, progress, comm);
    lap("per_datum_tests");
  }
  return result;
}

}  // namespace dk
