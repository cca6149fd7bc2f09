// datakernel: command-line front end. A thin layer over the library: parse options, load inputs,
// run_compare / simulate, write results. Exit codes: 0 ok, 1 usage, 2 bad input, 3 computation failed or
// output could not be written (disk full, output directory locked by another run).
#include <signal.h>
#include <unistd.h>

#include <csignal>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <omp.h>

#include "datakernel/compare.hpp"
#include "datakernel/error.hpp"
#include "datakernel/prepare_input.hpp"
#include "io/checked_file.hpp"
#include "datakernel/io/array_readers.hpp"
#include "io/csv.hpp"
#include "datakernel/io/model_input.hpp"
#include "datakernel/io/text_lists.hpp"
#include "datakernel/report/html_report.hpp"
#include "datakernel/report/results_writer.hpp"
#include "datakernel/report/staged_output.hpp"
#include "datakernel/runtime/blas.hpp"
#include "datakernel/runtime/communicator.hpp"
#include "datakernel/runtime/memory_usage.hpp"
#ifdef DATAKERNEL_WITH_MPI
#include "datakernel/runtime/mpi_communicator.hpp"
#endif
#include "datakernel/simulate/simulate.hpp"
#include "datakernel/version.hpp"

#include "cli_support.hpp"

namespace {

constexpr int kExitUsage = 1, kExitInput = 2, kExitCompute = 3, kExitInterrupted = 130;

// Set by SIGINT/SIGTERM; long stages poll it and stop with dk::Cancelled, so no partial output is left.
volatile std::sig_atomic_t g_stop = 0;

void request_stop(int) { g_stop = 1; }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // a second signal terminates at once
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void stop_if_requested() {
  if (g_stop) throw dk::Cancelled("interrupted");
}

// Settings OpenBLAS and OpenMP read once, when they are loaded, so they are set here and this process re-run once
// (README "BLAS" and "Threads"), each only when the user has not set it:
//  * OPENBLAS_CORETYPE where OpenBLAS fell back to generic "Prescott" kernels on a modern CPU;
//  * OMP_WAIT_POLICY=passive (unless GOMP_SPINCOUNT is set): OpenMP threads that find no work sleep at once
//    instead of spinning, so the single-threaded stretches of the eigen-solves do not burn the other cores.
void ensure_runtime_settings(char** argv) {
  bool changed = false;
  if (std::getenv("OPENBLAS_CORETYPE") == nullptr) {
    const std::string core = dk::blas_kernel_fallback();
    if (!core.empty()) changed = ::setenv("OPENBLAS_CORETYPE", core.c_str(), 1) == 0;
  }
  if (std::getenv("OMP_WAIT_POLICY") == nullptr && std::getenv("GOMP_SPINCOUNT") == nullptr)
    changed = ::setenv("OMP_WAIT_POLICY", "passive", 1) == 0 || changed;
  if (changed) ::execv("/proc/self/exe", argv);  // returns only on failure: then carry on as loaded
}

// --names / --report-pair: one CSV record read by the project's RFC 4180 parser, so a name may hold a comma
// when quoted ('"a,b",c'); a line break or other control character is refused here, before anything is read.
std::vector<std::string> split_names(const std::string& text, const std::string& option) {
  const std::string problem = dk::control_character_problem(text);
  if (!problem.empty()) throw dk::InputError(option + " " + problem + " (names: no control characters)");
  if (text.empty()) return {""};
  dk::CsvParser parser(text, ',', option);
  dk::CsvRecord record;
  parser.next(record);
  return record.fields;
}

// --seed: a decimal integer in [0, 2^64 - 1]. CLI11 alone wraps -1 to 2^64 - 1 and clamps 2^64 and beyond to
// 2^64 - 1, silently running with another seed than the one asked for.
const CLI::Validator kSeedValidator(
    [](std::string& text) -> std::string {
      std::uint64_t value = 0;
      const char* end = text.data() + text.size();
      const auto result = std::from_chars(text.data(), end, value);
      if (text.empty() || result.ec != std::errc() || result.ptr != end)
        return "must be an integer from 0 to 18446744073709551615 (2^64 - 1), got '" + text + "'";
      return "";
    },
    "SEED");

// Library messages name options by key ("{max_dim}"); the CLI shows them as its options ("--max-dim").
void warn(const std::string& message) {
  std::cerr << "datakernel: warning: " << dk::render_option_names(message, dk::OptionStyle::cli) << "\n";
}

// --verbose: per stage its wall time and the peak resident memory when it ended, then the run's peak beside the
// estimate the memory check used.
void print_memory(const dk::CompareResult& r, double reading_seconds, std::uint64_t reading_peak,
                  std::uint64_t estimate) {
  const auto mib = [](std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); };
  std::cerr << fmt::format("datakernel: {:<20} {:>9} {:>14}\n", "stage", "seconds", "peak RSS MiB");
  std::cerr << fmt::format("datakernel: {:<20} {:>9.1f} {:>14.0f}\n", "reading_inputs", reading_seconds, mib(reading_peak));
  for (std::size_t s = 0; s < r.seconds.size(); ++s)
    std::cerr << fmt::format("datakernel: {:<20} {:>9.1f} {:>14.0f}\n", r.seconds[s].first, r.seconds[s].second,
                             mib(s < r.peak_rss.size() ? r.peak_rss[s].second : 0));
  std::cerr << fmt::format("datakernel: peak RSS {:.0f} MiB (estimate {:.0f} MiB)\n", mib(dk::peak_rss_bytes()),
                           mib(estimate));
}

// --verbose under mpirun: rank 0's bytes sent and received per stage, and per operator application of the
// eigen-solve (docs/distributed.md has the formulas).
void print_communication(const dk::CompareResult& r) {
  const auto mib = [](std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); };
  std::cerr << fmt::format("datakernel: communication of rank 0 of {} ranks\n", r.ranks);
  std::cerr << fmt::format("datakernel: {:<20} {:>12} {:>12} {:>9}\n", "stage", "sent MiB", "received MiB", "messages");
  for (const auto& [stage, c] : r.communication)
    std::cerr << fmt::format("datakernel: {:<20} {:>12.3f} {:>12.3f} {:>9}\n", stage, mib(c.sent), mib(c.received),
                             c.messages);
  for (const auto& [stage, c] : r.communication)
    if (stage == "omnibus_embedding" && r.joint.operator_applications > 0)
      std::cerr << fmt::format("datakernel: eigen-solve: operator applied to {} vectors, {:.0f} bytes sent + received "
                               "per vector\n",
                               r.joint.operator_applications,
                               static_cast<double>(c.sent + c.received) / static_cast<double>(r.joint.operator_applications));
}

void print_summary(const dk::CompareResult& r) {
  std::cout << fmt::format("datakernel {}: n = {}, models = {}, k = {}, metric = {}\n", dk::kVersion, r.n,
                           r.names.size(), r.k, dk::metric_name(r.config.knn.metric));
  std::cout << fmt::format("embedding dimension d = {} ({})\n", r.joint.dim, r.joint.dim_rule);
  std::cout << "top eigenvalues:";
  for (Eigen::Index i = 0; i < std::min<Eigen::Index>(r.joint.eigenvalues.size(), r.joint.dim + 3); ++i)
    std::cout << fmt::format(" {:.4g}", r.joint.eigenvalues[i]);
  const std::string distance_name = r.config.measures.map == dk::PairMeasureKind::omnibus
                                        ? (r.config.pairwise ? "pairwise omnibus" : "joint omnibus")
                                        : dk::pair_measure_name(r.config.measures.map);
  std::cout << "\n\nmodel distances (" << distance_name << ")\n";
  std::size_t width = 8;
  for (const auto& name : r.names) width = std::max(width, name.size() + 1);
  std::cout << fmt::format("{:<{}}", "", width);
  for (const auto& name : r.names) std::cout << fmt::format("{:>{}}", name, width);
  std::cout << "\n";
  for (std::size_t g = 0; g < r.names.size(); ++g) {
    std::cout << fmt::format("{:<{}}", r.names[g], width);
    for (std::size_t h = 0; h < r.names.size(); ++h) std::cout << fmt::format("{:>{}.4f}", r.distances(g, h), width);
    std::cout << "\n";
  }
  std::cout << "\nmodel map (classical MDS, stress " << fmt::format("{:.3g}", r.manifold.stress)
            << ", negative eigenvalue mass " << fmt::format("{:.3g}", r.manifold.negative_mass) << ")\n";
  for (std::size_t g = 0; g < r.names.size(); ++g) {
    std::cout << fmt::format("{:<{}}", r.names[g], width);
    for (Eigen::Index c = 0; c < r.manifold.coordinates.cols(); ++c)
      std::cout << fmt::format("{:>10.4f}", r.manifold.coordinates(g, c));
    std::cout << "\n";
  }
  for (const auto& c : r.correlations)
    std::cout << fmt::format("\n{}: Spearman {:.3f} (Mantel p {:.3g}), Pearson {:.3f} (p {:.3g}), {} pairs", c.metric,
                             c.spearman, c.spearman_p, c.pearson, c.pearson_p, c.pairs);
  if (!r.correlations.empty()) std::cout << "\n";
  if (r.measures.size() > 1 && !r.correlations.empty()) {
    std::cout << "\npopulation measures against |metric difference| (Spearman, Mantel p):\n";
    std::cout << fmt::format("{:<14}", "measure");
    for (const auto& c : r.correlations) std::cout << fmt::format("{:>24}", c.metric);
    std::cout << "\n";
    for (const dk::PairMeasure& measure : r.measures) {
      std::cout << fmt::format("{:<14}", measure.name);
      for (const auto& c : measure.correlations)
        std::cout << fmt::format("{:>24}", fmt::format("{:+.3f} (p {:.3g})", c.spearman, c.spearman_p));
      std::cout << "\n";
    }
    for (const dk::BestMeasure& b : dk::best_measures(r.measures))
      std::cout << fmt::format("tracks {} best: {} (Spearman {:.3f})\n", b.metric, b.measure, b.spearman);
  }
  for (const auto& t : r.tests) {
    const dk::DatumTestConfig& c = t.result.config;
    const std::string detail =
        (dk::is_bootstrap_null(c.null) ? fmt::format("{} null, B = {}", dk::null_model_name(c.null), c.bootstrap)
                                       : dk::null_model_name(c.null) + " null") +
        (c.statistic == dk::TestStatistic::omnibus ? fmt::format(", d = {}", t.result.dim) : std::string());
    std::cout << fmt::format("\nper-datum test {} vs {}: {} of {} data rejected by {} at {} ({} statistic, {}); mean "
                             "kNN Jaccard distance {:.3f}",
                             r.names[t.model_a], r.names[t.model_b], t.result.n_rejected, r.n,
                             dk::correction_name(c.correction), c.alpha, dk::test_statistic_name(c.statistic), detail,
                             t.jaccard.size() ? t.jaccard.mean() : 0.0);
  }
  if (!r.tests.empty()) std::cout << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  ensure_runtime_settings(argv);
  CLI::App app{"datakernel: compare foundation models by the geometry of their embeddings (data kernels)",
               "datakernel"};
  app.formatter(dkcli::help_formatter());              // groups, defaults, wrapped descriptions (cli/cli_support)
  app.option_defaults()->always_capture_default();     // every option shows its default in --help
  app.require_subcommand(1);
  app.set_version_flag("--version", dk::kVersion);
  using dkcli::kGroupInputs, dkcli::kGroupKernel, dkcli::kGroupEmbedding, dkcli::kGroupTest, dkcli::kGroupOutput,
      dkcli::kGroupResources;

  // compare
  auto* compare = app.add_subcommand("compare", "compare m >= 2 models embedding the same n data")
                      ->group(dkcli::kGroupCommands);
  compare->footer(dkcli::compare_footer());
  std::vector<std::string> inputs;
  std::string names_text, ids_path, metrics_path, out_dir, dim_text = "auto", metric_text = "cosine",
                                                           symmetrize_text = "union";
  dk::CompareConfig config;
  int threads = 0;
  bool quiet = false;
  compare->add_option("inputs", inputs,
                      "embedding files (.npy .npz[:member] .safetensors[:tensor] .fvecs .csv .tsv) or kernels (.mtx)")
      ->required()
      ->type_name("FILE");
  // Inputs
  compare->add_option("--names", names_text, "comma-separated model names (one CSV record: quote a name with a comma)")
      ->group(kGroupInputs)->type_name("A,B,...")->default_str("file names");
  compare->add_option("--ids", ids_path, "one id per line, used in outputs")
      ->group(kGroupInputs)->type_name("FILE")->default_str("row numbers");
  std::string header_text = "auto";
  dkcli::choice(compare->add_option("--header", header_text,
                                    "first line of .csv/.tsv inputs: auto (a header when no field is a number, data "
                                    "when all are; says which) | yes | no"),
                {"auto", "yes", "no"})
      ->group(kGroupInputs);
  bool force = false, drop_invalid = false;
  compare->add_flag("--drop-invalid", drop_invalid,
                    "exclude data with NaN/Inf (or all-zero rows under cosine) in any model, from all models")
      ->group(kGroupInputs);
  compare->add_option("--metrics", metrics_path, "CSV: model,METRIC... downstream metrics to correlate with")
      ->group(kGroupInputs)->type_name("FILE");
  std::string text_path, labels_path;
  std::string report_pair_text, test_pair_text, timings_path;
  compare->add_option("--text", text_path, "one line of text per datum, shown in the report")
      ->group(kGroupInputs)->type_name("FILE");
  compare->add_option("--labels", labels_path, "one label per datum, shown in the report")
      ->group(kGroupInputs)->type_name("FILE");
  // kNN graph
  compare->add_option("--k", config.knn.k, "neighbours per datum")
      ->group(kGroupKernel)->type_name("N")->check(dkcli::positive_integer())
      ->default_str("ceil(2 ln n) clamped to [8, 64]");
  dkcli::choice(compare->add_option("--metric", metric_text, "similarity of the kNN graph"),
                {"cosine", "dot", "euclidean"})
      ->group(kGroupKernel);
  std::string knn_text = "auto";
  dkcli::choice(compare->add_option("--knn", knn_text,
                                    "kNN search: exact | clustered (approximate: GEMM within k-means cells) | "
                                    "hnsw (approximate: hnswlib); an approximate search's recall is measured on "
                                    "1000 rows and written to summary.json | auto (clustered from 100000 data)"),
                {"exact", "clustered", "hnsw", "auto"})
      ->group(kGroupKernel);
  dkcli::choice(compare->add_option("--symmetrize", symmetrize_text,
                                    "kNN graph symmetrization: union max(A, A') | mutual min(A, A')"),
                {"union", "mutual"})
      ->group(kGroupKernel);
  // Embedding and model map
  compare->add_option("--dim", dim_text, "embedding dimension: auto (Zhu-Ghodsi) or a positive integer")
      ->group(kGroupEmbedding)->type_name("auto|N");
  compare->add_option("--elbows", config.omnibus.elbows, "Zhu-Ghodsi elbow used by --dim auto")
      ->group(kGroupEmbedding)->type_name("E")->check(dkcli::integer_in(1, 5));
  compare->add_option("--max-dim", config.omnibus.search, "most eigenvalues computed by --dim auto (16, doubled until d repeats)")
      ->group(kGroupEmbedding)->type_name("S")->check(dkcli::integer_in(2, 1000))->default_str("64");
  compare->add_flag("--pairwise", config.pairwise, "omnibus model distances from a separate omnibus per pair")
      ->group(kGroupEmbedding);
  std::string distance_text = dk::pair_measure_name(config.measures.map), measures_text = "all";
  dkcli::choice(compare->add_option("--distance", distance_text,
                                    "model distance of the map and model_distances.csv: omnibus (the paper's) | "
                                    "direction (omnibus rows scaled to unit length) | normalised_omnibus (omnibus "
                                    "of the degree-normalised kernels) | knn_jaccard | mutual_knn | linear_cka"),
                {"omnibus", "direction", "normalised_omnibus", "knn_jaccard", "mutual_knn", "linear_cka"})
      ->group(kGroupEmbedding)->type_name("MEASURE");
  compare->add_option("--direction-dim", config.measures.direction_dim,
                      "dimensions of the direction distance: the first min(d, D) omnibus dimensions")
      ->group(kGroupEmbedding)->type_name("D")->check(dkcli::positive_integer());
  compare->add_option("--normalised-dim", config.measures.normalised_dim,
                      "dimension of the normalised omnibus embedding (normalised_omnibus distance)")
      ->group(kGroupEmbedding)->type_name("D")->check(dkcli::positive_integer());
  dkcli::choice(compare->add_option("--measures", measures_text,
                                    "population measures computed and correlated with --metrics: all (omnibus, "
                                    "direction, normalised_omnibus, knn_jaccard, mutual_knn, linear_cka) | map (only --distance)"),
                {"all", "map"})
      ->group(kGroupEmbedding);
  compare->add_option("--manifold-dim", config.manifold_dim, "coordinates of the model map")
      ->group(kGroupEmbedding)->type_name("C")->check(dkcli::integer_in(1, 100));
  // Per-datum test
  std::string test_text = "neighbourhood", null_text = "empirical", correction_text = "bh";
  dkcli::choice(compare->add_option("--test", test_text,
                                    "per-datum test statistic: neighbourhood | omnibus (the paper's) | none (no test)"),
                {"neighbourhood", "omnibus", "none"}, {"neighborhood"})
      ->group(kGroupTest);
  dkcli::choice(compare->add_option("--null", null_text,
                                    "null of the per-datum test (all but empirical: --test omnibus; analytic: the "
                                    "omnibus CLT, no replicates)"),
                {"empirical", "analytic", "pooled", "correlated", "first", "second", "paper"})
      ->group(kGroupTest);
  compare->add_option("--bootstrap", config.test.bootstrap,
                      "replicates of a bootstrap null (unused by the empirical null)")
      ->group(kGroupTest)->type_name("B")->check(dkcli::positive_integer());
  std::string bootstrap_p_text = "pooled";
  dkcli::choice(compare->add_option("--bootstrap-p", bootstrap_p_text,
                                    "p-values of a bootstrap null: pooled (standardized replicates pooled over the "
                                    "data) | count (1 + exceedances over B + 1) | moments (scaled chi-square per "
                                    "datum: too small below 1e-3)"),
                {"pooled", "count", "moments"})
      ->group(kGroupTest);
  compare->add_option("--alpha", config.test.alpha, "level of the multiple-testing correction")
      ->group(kGroupTest)->type_name("A")->check(dkcli::number_in(0.0, 1.0));
  dkcli::choice(compare->add_option("--correction", correction_text,
                                    "multiple testing over the data of each pair: Benjamini-Hochberg | "
                                    "Benjamini-Yekutieli | Holm | raw p-values"),
                {"bh", "by", "holm", "none"})
      ->group(kGroupTest);
  compare->add_option("--reference", config.reference, "test every model against this one")
      ->group(kGroupTest)->type_name("NAME")->default_str("all pairs");
  compare->add_option("--test-pair", test_pair_text,
                      "test only this pair (the other models are mapped, not tested; not with --reference)")
      ->group(kGroupTest)->type_name("A,B");
  compare->add_option("--seed", config.seed, "random seed: eigen-solver start, bootstrap, Mantel permutations")
      ->group(kGroupTest)->type_name("S")->check(CLI::Validator(kSeedValidator).description(""));
  // Output
  compare->add_option("--out", out_dir, "output directory")->required()->group(kGroupOutput)->type_name("DIR");
  compare->add_flag("--force", force, "write into an output directory that already holds files")
      ->group(kGroupOutput);
  bool save_kernels = false;
  compare->add_flag("--save-kernels", save_kernels,
                    "also write each model's data kernel as kernel_<i>_<name>.mtx (reusable as input)")
      ->group(kGroupOutput);
  compare->add_option("--report-pair", report_pair_text, "the model pair whose data the report plots")
      ->group(kGroupOutput)->type_name("A,B")->default_str("most rejections");
  compare->add_option("--timings", timings_path, "write stage and test wall times (JSON) to this file")
      ->group(kGroupOutput)->type_name("FILE");
  compare->add_flag("--quiet", quiet, "no progress messages")->group(kGroupOutput);
  bool verbose = false;
  compare->add_flag("--verbose", verbose, "after the run, each stage's wall time and the peak memory (RSS) so far")
      ->group(kGroupOutput);
  // Resources
  compare->add_option("--threads", threads, "threads (results do not depend on it)")
      ->group(kGroupResources)->type_name("T")->check(dkcli::non_negative_integer())->default_str("all cores");
  std::string memory_limit_text;
  compare->add_option("--memory-limit", memory_limit_text,
                      "fail early if the run's estimated memory exceeds this (e.g. 8G)")
      ->group(kGroupResources)->type_name("SIZE")->default_str("available memory");

  // simulate
  auto* simulate = app.add_subcommand("simulate", "write a synthetic set of model embeddings with known moved data")
                       ->group(dkcli::kGroupCommands);
  simulate->footer(dkcli::simulate_footer());
  dk::SimulateConfig sim;
  std::string sim_out;
  simulate->add_option("--models", sim.models, "number of models")->type_name("M")->check(dkcli::integer_in(1, 1000));
  simulate->add_option("--n", sim.n, "number of data")->type_name("N")->check(dkcli::integer_in(10, 100000000));
  simulate->add_option("--clusters", sim.clusters, "clusters in the shared geometry")
      ->type_name("K")->check(dkcli::integer_in(2, 100000));
  simulate->add_option("--separation", sim.separation, "spread of cluster centres (cluster sd = 1)")
      ->type_name("X")->check(dkcli::positive_number());
  simulate->add_option("--latent-dim", sim.latent_dim, "dimension of the shared latent geometry")
      ->type_name("D")->check(dkcli::integer_in(1, 4096));
  simulate->add_option("--dims", sim.dims, "embedding dimension per model (cycled)")
      ->delimiter(',')->type_name("D,D,...")->check(dkcli::any_integer())->default_str("384,256,512,128");
  simulate->add_option("--noise", sim.noise, "noise level per model (cycled)")
      ->delimiter(',')->type_name("X,X,...")->check(dkcli::any_number())->default_str("0.3,0.6,0.9,0.3");
  simulate->add_option("--moved-fraction", sim.moved_fraction, "share of data moved in one model")
      ->type_name("F")->check(dkcli::number_in(0.0, 0.5));
  simulate->add_option("--seed", sim.seed, "random seed (0 to 2^64 - 1)")
      ->type_name("S")->check(CLI::Validator(kSeedValidator).description(""));
  simulate->add_option("--out", sim_out, "output directory")->required()->type_name("DIR");

  auto* info = app.add_subcommand("info", "show the BLAS in use and its measured GEMM rate")
                   ->group(dkcli::kGroupCommands);
  auto* report = app.add_subcommand("report", "regenerate report.html from the files of an earlier compare run")
                     ->group(dkcli::kGroupCommands);
  report->footer(dkcli::report_footer());
  std::string report_dir;
  report->add_option("dir", report_dir, "output directory of `datakernel compare`")->required()->type_name("DIR");

  // Shell integration: answered while parsing (CLI::Success ends the parse with exit 0).
  auto* completion = app.add_subcommand("completion", "print a bash completion script (source it, or install it)")
                         ->group(dkcli::kGroupShell);
  std::string completion_shell = "bash";
  dkcli::choice(completion->add_option("shell", completion_shell, "the shell")->required(), {"bash"});
  completion->callback([&] {
    std::cout << dkcli::bash_completion(app);
    throw CLI::Success();
  });
  app.add_subcommand("manpage", "print the man page (roff): datakernel manpage > datakernel.1")
      ->group(dkcli::kGroupShell)
      ->callback([&] {
        std::cout << dkcli::man_page(app, dk::kVersion);
        throw CLI::Success();
      });
  app.footer(dkcli::root_footer());  // after the subcommands, which would inherit it

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return dkcli::report_parse_error(app, e, kExitUsage);  // "datakernel: error: ..." with suggestions; exit 1
  }

  // `compare` under mpirun: the MPI communicator (a build with DATAKERNEL_MPI); otherwise this process alone.
#ifdef DATAKERNEL_WITH_MPI
  std::optional<dk::MpiCommunicator> mpi;
  if (*compare) mpi.emplace(&argc, &argv);
  dk::Communicator& comm = mpi ? static_cast<dk::Communicator&>(*mpi) : dk::serial_communicator();
#else
  dk::Communicator& comm = dk::serial_communicator();
#endif
  // An error: said once (by rank 0 when every rank knows it, else by the rank that saw it); a failure the ranks
  // could not agree on (inside a stage where they exchange data) ends them all (MPI_Abort).
  auto fail = [&](const std::string& text, int code) {
    if (comm.rank() == 0 || !comm.failure_agreed()) std::cerr << text;
    if (comm.size() > 1 && !comm.failure_agreed()) comm.abort(code);
    return code;
  };
  try {
    if (threads > 0) omp_set_num_threads(threads);
    if (*info) {
      const auto setting = [](const char* name) { return std::getenv(name) ? std::getenv(name) : "(unset)"; };
      std::cout << fmt::format("datakernel {}\nOpenBLAS core: {}\nOPENBLAS_CORETYPE: {}\nOMP_WAIT_POLICY: {}\nthreads: {}\n",
                               dk::kVersion, dk::blas_core_name(), setting("OPENBLAS_CORETYPE"),
                               setting("OMP_WAIT_POLICY"), omp_get_max_threads());
      std::cout << fmt::format("sgemm 2000x2000x384: {:.1f} GFLOP/s\n", dk::measure_gemm_gflops(2000, 5));
      return 0;
    }
    if (*report) {
      dk::write_report(report_dir);
      std::cout << "wrote " << report_dir << "/report.html\n";
      return 0;
    }
    if (*simulate) {
      const dk::SimulatedSet set = dk::simulate(sim);
      dk::write_simulated_set(set, sim, sim_out);
      std::cout << fmt::format("wrote {} models × {} data to {} ({} moved in {})\n", set.models.size(), sim.n, sim_out,
                               set.moved.size(), set.names[set.moved_model]);
      return 0;
    }
    // compare. Under mpirun (a build with DATAKERNEL_MPI) every rank runs this; rank 0 alone locks and writes the
    // output directory, prints and reports progress. The ranks agree on failure after each stage
    // (dk::agree_on_failure), so a failure on any rank ends every rank with its message and no output.
    const bool root = comm.rank() == 0;
    install_stop_handlers();
    dk::TerminalProgress terminal(stderr, ::isatty(::fileno(stderr)) != 0, quiet || !root, &g_stop);
    dk::ProgressSink* progress = &terminal;
    std::optional<dk::StagedOutput> output;
    dk::PreparedInput prepared;
    double reading_seconds = 0.0;
    std::uint64_t reading_peak = 0;
    dk::InputFiles files;
    std::exception_ptr setup_failure;
    try {
      config.knn.metric = dk::parse_metric(metric_text);
      config.measures.map = dk::parse_pair_measure(distance_text);
      config.measures.simple = measures_text == "all";
      config.knn.method = dk::parse_knn_method(knn_text);
      config.knn.symmetrize = symmetrize_text == "mutual" ? dk::Symmetrize::mutual : dk::Symmetrize::union_of_both;
      config.knn.threads = threads;
      config.test.threads = threads;
      if (!report_pair_text.empty()) config.report_pair = split_names(report_pair_text, "--report-pair");
      if (!test_pair_text.empty()) config.test_pair = split_names(test_pair_text, "--test-pair");
      config.per_datum_tests = test_text != "none";
      if (config.per_datum_tests) config.test.statistic = dk::parse_test_statistic(test_text);
      config.test.null = dk::parse_null_model(null_text);
      config.test.bootstrap_p = dk::parse_bootstrap_p(bootstrap_p_text);
      config.test.correction = dk::parse_correction(correction_text);
      if (dim_text != "auto") {
        try {
          std::size_t used = 0;
          config.omnibus.dim = std::stoi(dim_text, &used);
          if (used != dim_text.size() || config.omnibus.dim < 1) throw std::invalid_argument("dim");
        } catch (const std::exception&) {
          throw dk::InputError("--dim must be 'auto' or a positive integer, got '" + dim_text + "'");
        }
      }
      config.input.drop_invalid = drop_invalid;
      config.input.header = dk::parse_header_mode(header_text);
      if (!memory_limit_text.empty()) config.input.memory_limit = dk::parse_byte_size(memory_limit_text);
      config.input.rank = comm.rank();
      config.input.ranks = comm.size();
      // Output paths are checked, and the output directory locked against other runs, before any work.
      if (root) {
        output.emplace(dk::StagedOutput::open(out_dir, force));
        for (const auto& note : output->notes()) warn(note);
        if (!timings_path.empty()) dk::check_writable_path(timings_path);
      }
      files.models = inputs;
      if (!names_text.empty()) files.names = split_names(names_text, "--names");
      files.ids = ids_path, files.texts = text_path, files.labels = labels_path, files.metrics = metrics_path;
    } catch (...) {
      setup_failure = std::current_exception();
    }
    // Agreed before reading: the reading is collective (each rank reads its own models' files and tells the
    // others their shapes), so every rank must start it, or none.
    dk::agree_on_failure(comm, setup_failure);
    std::exception_ptr reading_failure;
    try {
      const auto reading_started = std::chrono::steady_clock::now();
      prepared = dk::load_compare_input(files, config, progress, &comm);
      reading_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - reading_started).count();
      reading_peak = dk::peak_rss_bytes();
      stop_if_requested();
    } catch (...) {
      reading_failure = std::current_exception();
    }
    dk::agree_on_failure(comm, reading_failure);
    for (const auto& note : prepared.notes)
      if (root) progress->message(dk::render_option_names(note, dk::OptionStyle::cli));
    // Said before the comparison runs (and even with --quiet): dropped data, duplicates, a bootstrap too small.
    // Another rank says only what concerns its own model files (the others are rank 0's to say).
    for (const auto& warning : prepared.warnings)
      if (root || std::any_of(inputs.begin(), inputs.end(),
                              [&](const std::string& spec) { return warning.rfind(spec + ":", 0) == 0; }))
        warn(warning);
    const dk::CompareInput& input = prepared.input;
    const dk::CompareResult result = dk::run_compare(input, config, progress, &comm);
    std::exception_ptr write_failure;
    try {
      stop_if_requested();
      if (root) {
        for (const auto& warning : result.warnings)
          if (std::find(prepared.warnings.begin(), prepared.warnings.end(), warning) == prepared.warnings.end())
            warn(warning);
        dk::write_results(result, *output, save_kernels);
        if (!timings_path.empty()) {
          nlohmann::json timings = dk::timings_json(result);
          timings["memory_estimate_bytes"] = prepared.memory_estimate;
          timings["reading_inputs_seconds"] = reading_seconds;
          timings["stage_peak_rss_bytes"]["reading_inputs"] = reading_peak;
          timings["peak_rss_bytes"] = dk::peak_rss_bytes();
          dk::write_file_checked(timings_path, timings.dump(2) + "\n");
        }
        output->commit();  // the timings are written first: if they fail, the output directory is left as it was
      }
    } catch (...) {
      write_failure = std::current_exception();
    }
    dk::agree_on_failure(comm, write_failure);
    if (!root) return 0;
    print_summary(result);
    if (verbose) {
      print_memory(result, reading_seconds, reading_peak, prepared.memory_estimate);
      if (comm.size() > 1) print_communication(result);
    }
    std::cout << "\nwrote report.html, summary.json, model_distances.csv, manifold.csv, datum_shift.csv"
              << (result.tests.empty() ? "" : ", datum_tests.csv") << ", latent_2d.csv to " << out_dir << "\n";
    return 0;
  } catch (const dk::InputError& e) {
    return fail("datakernel: error: " + dk::render_option_names(e.what(), dk::OptionStyle::cli) + "\n", kExitInput);
  } catch (const dk::ComputeError& e) {
    return fail("datakernel: error: " + dk::render_option_names(e.what(), dk::OptionStyle::cli) + "\n", kExitCompute);
  } catch (const dk::Cancelled&) {
    return fail("datakernel: interrupted; no output was written\n", kExitInterrupted);
  } catch (const std::bad_alloc&) {
    return fail("datakernel: error: out of memory\n", kExitCompute);
  } catch (const std::exception& e) {  // e.g. a system error from a library: still a message and exit 3
    return fail(std::string("datakernel: error: ") + e.what() + "\n", kExitCompute);
  }
}
