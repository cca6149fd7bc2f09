// datakernel: command-line front end. A thin layer over the library: parse options, load inputs,
// run_compare / simulate, write results. Exit codes: 0 ok, 1 usage, 2 bad input, 3 computation failed or
// output could not be written (disk full, output directory locked by another run).
#include <signal.h>
#include <unistd.h>

#include <csignal>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <omp.h>
#include <sys/resource.h>

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
#include "datakernel/simulate/simulate.hpp"
#include "datakernel/version.hpp"

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

// OpenBLAS fixes its kernels at load time; if it fell back to generic "Prescott" kernels on a modern CPU,
// re-run this process once with OPENBLAS_CORETYPE set (README "BLAS").
void ensure_fast_blas(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const std::string core = dk::blas_kernel_fallback();
  if (core.empty()) return;
  ::setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure: then carry on with the slow kernels
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

void print_summary(const dk::CompareResult& r) {
  std::cout << fmt::format("datakernel {}: n = {}, models = {}, k = {}, metric = {}\n", dk::kVersion, r.n,
                           r.names.size(), r.k, dk::metric_name(r.config.knn.metric));
  std::cout << fmt::format("embedding dimension d = {} ({})\n", r.joint.dim, r.joint.dim_rule);
  std::cout << "top eigenvalues:";
  for (Eigen::Index i = 0; i < std::min<Eigen::Index>(r.joint.eigenvalues.size(), r.joint.dim + 3); ++i)
    std::cout << fmt::format(" {:.4g}", r.joint.eigenvalues[i]);
  std::cout << "\n\nmodel distances (" << (r.config.pairwise ? "pairwise omnibus" : "joint omnibus") << ")\n";
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
  ensure_fast_blas(argv);
  CLI::App app{"datakernel: compare foundation models by the geometry of their embeddings (data kernels)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", dk::kVersion);

  // compare
  auto* compare = app.add_subcommand("compare", "compare m >= 2 models embedding the same n data");
  std::vector<std::string> inputs;
  std::string names_text, ids_path, metrics_path, out_dir, dim_text = "auto", metric_text = "cosine",
                                                           symmetrize_text = "union";
  dk::CompareConfig config;
  int threads = 0;
  bool quiet = false;
  compare->add_option("inputs", inputs,
                      "embedding files (.npy .npz[:member] .safetensors[:tensor] .fvecs .csv .tsv) or kernels (.mtx)")
      ->required();
  compare->add_option("--names", names_text, "comma-separated model names (default: file names)");
  compare->add_option("--k", config.knn.k, "neighbours per datum (default: ceil(2 ln n) clamped to [8, 64])")
      ->check(CLI::PositiveNumber);
  compare->add_option("--metric", metric_text, "similarity: cosine | dot | euclidean")
      ->check(CLI::IsMember({"cosine", "dot", "euclidean"}));
  compare->add_option("--symmetrize", symmetrize_text, "kNN graph symmetrization: union | mutual")
      ->check(CLI::IsMember({"union", "mutual"}));
  compare->add_option("--dim", dim_text, "embedding dimension: auto (Zhu-Ghodsi) or a positive integer");
  compare->add_option("--elbows", config.omnibus.elbows, "Zhu-Ghodsi elbow used by --dim auto")
      ->check(CLI::Range(1, 5));
  compare->add_option("--max-dim", config.omnibus.search,
                      "eigenvalues searched by --dim auto (default 64)")->check(CLI::Range(2, 1000));
  compare->add_flag("--pairwise", config.pairwise, "model distances from a separate omnibus per pair");
  compare->add_option("--manifold-dim", config.manifold_dim, "coordinates of the model map")->check(CLI::Range(1, 100));
  compare->add_option("--metrics", metrics_path, "CSV: model,METRIC... downstream metrics to correlate with");
  std::string test_text = "neighbourhood", null_text = "empirical", correction_text = "bh";
  compare->add_option("--test", test_text,
                      "per-datum test statistic: neighbourhood (default) | omnibus (the paper's) | none (no test)")
      ->check(CLI::IsMember({"neighbourhood", "neighborhood", "omnibus", "none"}));
  compare->add_option("--null", null_text,
                      "null of the per-datum test: empirical (default) | analytic | pooled | correlated | first | second | "
                      "paper "
                      "(all but empirical: --test omnibus)")
      ->check(CLI::IsMember({"empirical", "analytic", "pooled", "correlated", "first", "second", "paper"}));
  compare->add_option("--bootstrap", config.test.bootstrap,
                      "replicates of a bootstrap null (default 1000; unused by the empirical null)")
      ->check(CLI::PositiveNumber);
  std::string bootstrap_p_text = "pooled";
  compare->add_option("--bootstrap-p", bootstrap_p_text,
                      "p-values of a bootstrap null: pooled (standardized replicates pooled over the data; "
                      "default) | count (1 + exceedances over B + 1) | moments (scaled chi-square per datum: "
                      "too small below 1e-3)")
      ->check(CLI::IsMember({"moments", "count", "pooled"}));
  compare->add_option("--alpha", config.test.alpha, "level of the multiple-testing correction")
      ->check(CLI::Range(0.0, 1.0));
  compare->add_option("--correction", correction_text,
                      "multiple testing over the data of each pair: bh | by | holm | none")
      ->check(CLI::IsMember({"bh", "by", "holm", "none"}));
  compare->add_option("--reference", config.reference, "test every model against this one (default: all pairs)");
  compare->add_option("--ids", ids_path, "one id per line, used in outputs");
  std::string header_text = "auto";
  compare->add_option("--header", header_text,
                      "first line of .csv/.tsv inputs: auto (a header when no field is a number, data when all are; "
                      "says which) | yes | no")
      ->check(CLI::IsMember({"auto", "yes", "no"}));
  std::string text_path, labels_path;
  std::string report_pair_text, timings_path;
  compare->add_option("--timings", timings_path, "write stage and test wall times (JSON) to this file");
  bool force = false, drop_invalid = false;
  std::string memory_limit_text;
  compare->add_flag("--drop-invalid", drop_invalid,
                    "exclude data with NaN/Inf (or all-zero rows under cosine) in any model, from all models");
  compare->add_option("--memory-limit", memory_limit_text,
                      "fail early if the run's estimated memory exceeds this (e.g. 8G; default: available memory)");
  compare->add_flag("--force", force, "write into an output directory that already holds files");
  compare->add_option("--report-pair", report_pair_text, "A,B: the model pair whose data the report plots");
  compare->add_option("--text", text_path, "one line of text per datum, shown in the report");
  compare->add_option("--labels", labels_path, "one label per datum, shown in the report");
  compare->add_option("--seed", config.seed, "random seed (0 to 2^64 - 1)")->check(kSeedValidator);
  compare->add_option("--threads", threads, "threads (default: all cores)")->check(CLI::NonNegativeNumber);
  compare->add_option("--out", out_dir, "output directory")->required();
  compare->add_flag("--quiet", quiet, "no progress messages");
  bool save_kernels = false;
  compare->add_flag("--save-kernels", save_kernels,
                    "also write each model's data kernel as kernel_<i>_<name>.mtx (reusable as input)");

  // simulate
  auto* simulate = app.add_subcommand("simulate", "write a synthetic set of model embeddings with known moved data");
  dk::SimulateConfig sim;
  std::string sim_out;
  simulate->add_option("--models", sim.models, "number of models")->check(CLI::Range(1, 1000));
  simulate->add_option("--n", sim.n, "number of data")->check(CLI::Range(10, 100000000));
  simulate->add_option("--clusters", sim.clusters, "clusters in the shared geometry")->check(CLI::Range(2, 100000));
  simulate->add_option("--separation", sim.separation, "spread of cluster centres (cluster sd = 1)")->check(CLI::PositiveNumber);
  simulate->add_option("--latent-dim", sim.latent_dim, "dimension of the shared latent geometry")->check(CLI::Range(1, 4096));
  simulate->add_option("--dims", sim.dims, "embedding dimension per model (cycled)")->delimiter(',');
  simulate->add_option("--noise", sim.noise, "noise level per model (cycled)")->delimiter(',');
  simulate->add_option("--moved-fraction", sim.moved_fraction, "share of data moved in one model")->check(CLI::Range(0.0, 0.5));
  simulate->add_option("--seed", sim.seed, "random seed (0 to 2^64 - 1)")->check(kSeedValidator);
  simulate->add_option("--out", sim_out, "output directory")->required();

  auto* info = app.add_subcommand("info", "show the BLAS in use and its measured GEMM rate");
  auto* report = app.add_subcommand("report", "regenerate report.html from the files of an earlier compare run");
  std::string report_dir;
  report->add_option("dir", report_dir, "output directory of `datakernel compare`")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }

  try {
    if (threads > 0) omp_set_num_threads(threads);
    if (*info) {
      std::cout << fmt::format("datakernel {}\nOpenBLAS core: {}\nOPENBLAS_CORETYPE: {}\nthreads: {}\n", dk::kVersion,
                               dk::blas_core_name(),
                               std::getenv("OPENBLAS_CORETYPE") ? std::getenv("OPENBLAS_CORETYPE") : "(unset)",
                               omp_get_max_threads());
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
    // compare
    config.knn.metric = dk::parse_metric(metric_text);
    config.knn.symmetrize = symmetrize_text == "mutual" ? dk::Symmetrize::mutual : dk::Symmetrize::union_of_both;
    config.knn.threads = threads;
    config.test.threads = threads;
    if (!report_pair_text.empty()) config.report_pair = split_names(report_pair_text, "--report-pair");
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
    install_stop_handlers();
    dk::TerminalProgress terminal(stderr, ::isatty(::fileno(stderr)) != 0, quiet, &g_stop);
    dk::ProgressSink* progress = &terminal;
    config.input.drop_invalid = drop_invalid;
    config.input.header = dk::parse_header_mode(header_text);
    if (!memory_limit_text.empty()) config.input.memory_limit = dk::parse_byte_size(memory_limit_text);
    // Output paths are checked, and the output directory locked against other runs, before any work.
    dk::StagedOutput output = dk::StagedOutput::open(out_dir, force);
    for (const auto& note : output.notes()) warn(note);
    if (!timings_path.empty()) dk::check_writable_path(timings_path);
    dk::InputFiles files;
    files.models = inputs;
    if (!names_text.empty()) files.names = split_names(names_text, "--names");
    files.ids = ids_path, files.texts = text_path, files.labels = labels_path, files.metrics = metrics_path;
    dk::PreparedInput prepared = dk::load_compare_input(files, config, progress);
    stop_if_requested();
    for (const auto& note : prepared.notes) progress->message(dk::render_option_names(note, dk::OptionStyle::cli));
    // Said before the comparison runs (and even with --quiet): dropped data, duplicates, a bootstrap too small.
    for (const auto& warning : prepared.warnings) warn(warning);
    const dk::CompareInput& input = prepared.input;
    const dk::CompareResult result = dk::run_compare(input, config, progress);
    stop_if_requested();
    for (const auto& warning : result.warnings)
      if (std::find(prepared.warnings.begin(), prepared.warnings.end(), warning) == prepared.warnings.end())
        warn(warning);
    dk::write_results(result, output, save_kernels);
    if (!timings_path.empty()) {
      nlohmann::json timings = dk::timings_json(result);
      timings["memory_estimate_bytes"] = prepared.memory_estimate;
      rusage usage{};
      getrusage(RUSAGE_SELF, &usage);
      timings["peak_rss_bytes"] = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
      dk::write_file_checked(timings_path, timings.dump(2) + "\n");
    }
    output.commit();  // the timings are written first: if they fail, the output directory is left as it was
    print_summary(result);
    std::cout << "\nwrote report.html, summary.json, model_distances.csv, manifold.csv, datum_shift.csv"
              << (result.tests.empty() ? "" : ", datum_tests.csv") << ", latent_2d.csv to " << out_dir << "\n";
    return 0;
  } catch (const dk::InputError& e) {
    std::cerr << "datakernel: error: " << dk::render_option_names(e.what(), dk::OptionStyle::cli) << "\n";
    return kExitInput;
  } catch (const dk::ComputeError& e) {
    std::cerr << "datakernel: error: " << dk::render_option_names(e.what(), dk::OptionStyle::cli) << "\n";
    return kExitCompute;
  } catch (const dk::Cancelled&) {
    std::cerr << "datakernel: interrupted; no output was written\n";
    return kExitInterrupted;
  } catch (const std::bad_alloc&) {
    std::cerr << "datakernel: error: out of memory\n";
    return kExitCompute;
  } catch (const std::exception& e) {  // e.g. a system error from a library: still a message and exit 3
    std::cerr << "datakernel: error: " << e.what() << "\n";
    return kExitCompute;
  }
}
