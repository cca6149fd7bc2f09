// Approximate kNN by the clustered search (knn_search, method clustered, cosine, default k) on one embeddings file,
// for bench/knn_approx.sh. Usage:
//   knn_clustered_bench EMBEDDINGS.npy THREADS CLUSTERS_PER_ROOT_N PROBES ITERATIONS SAMPLE_PER_CLUSTER [RECALL_ROWS
//   [per_datum|per_cell]]   (0 for any parameter: the library's default). Prints one JSON line: the search's seconds (k-means and search,
// without the recall check), the number of cells, recall@k on RECALL_ROWS (default 1000) rows drawn with the
// search's seed, the seconds of that check, and an FNV-1a hash of the neighbour lists (equal across thread counts).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "datakernel/io/model_input.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/runtime/blas.hpp"
#include "kernel/knn_clustered.hpp"

int main(int argc, char** argv) {
  if (!std::getenv("OPENBLAS_CORETYPE") && !dk::blas_kernel_fallback().empty()) {  // as the CLI (README "BLAS")
    ::setenv("OPENBLAS_CORETYPE", dk::blas_kernel_fallback().c_str(), 1);
    ::execv("/proc/self/exe", argv);
  }
  if (argc < 7) {
    std::fprintf(stderr,
                 "usage: %s EMBEDDINGS.npy THREADS CLUSTERS_PER_ROOT_N PROBES ITERATIONS SAMPLE_PER_CLUSTER "
                 "[RECALL_ROWS]\n",
                 argv[0]);
    return 2;
  }
  const dk::ModelInput input = dk::load_model(argv[1]);
  const dk::EmbeddingsView y = input.view();
  dk::KnnConfig config;
  config.method = dk::KnnMethod::clustered;
  config.threads = std::stoi(argv[2]);
  if (std::stod(argv[3]) > 0) config.clustered.clusters_per_root_n = std::stod(argv[3]);
  if (std::stoi(argv[4]) > 0) config.clustered.probes = std::stoi(argv[4]);
  if (std::stoi(argv[5]) > 0) config.clustered.iterations = std::stoi(argv[5]);
  if (std::stoi(argv[6]) > 0) config.clustered.sample_per_cluster = std::stoi(argv[6]);
  const std::int64_t recall_rows = argc > 7 ? std::stoll(argv[7]) : 1000;
  if (argc > 8) config.clustered.probe_lists = std::string(argv[8]) == "per_cell" ? dk::ClusteredProbes::per_cell
                                                                                  : dk::ClusteredProbes::per_datum;
  config.recall_rows = 0;

  const auto t0 = std::chrono::steady_clock::now();
  const dk::NeighbourLists lists = dk::knn_search(y, config);
  const auto t1 = std::chrono::steady_clock::now();
  const double recall =
      dk::knn_recall(y, config, lists, dk::seeded_recall_rows(y.n, recall_rows, config.clustered.seed));
  const auto t2 = std::chrono::steady_clock::now();

  const dk::ClusteredPlan plan = dk::clustered_plan(config.clustered, y.n);
  std::uint64_t hash = 1469598103934665603ull;
  for (const std::int64_t id : lists.ids) hash = (hash ^ static_cast<std::uint64_t>(id)) * 1099511628211ull;
  std::printf(
      "{\"n\": %lld, \"dim\": %lld, \"k\": %d, \"threads\": %d, \"clusters\": %lld, \"probes\": %lld, "
      "\"probe_lists\": \"%s\", \"clusters_per_root_n\": %g, \"iterations\": %d, \"sample_per_cluster\": %d, \"seconds\": %.3f, \"recall\": %.4f, \"recall_rows\": %lld, "
      "\"recall_seconds\": %.3f, \"hash\": \"%016llx\"}\n",
      static_cast<long long>(y.n), static_cast<long long>(y.dim), lists.k, config.threads,
      static_cast<long long>(plan.clusters), static_cast<long long>(plan.probes),
      config.clustered.probe_lists == dk::ClusteredProbes::per_cell ? "per_cell" : "per_datum",
      config.clustered.clusters_per_root_n, config.clustered.iterations,
      config.clustered.sample_per_cluster, std::chrono::duration<double>(t1 - t0).count(), recall,
      static_cast<long long>(std::min<std::int64_t>(recall_rows, y.n)), std::chrono::duration<double>(t2 - t1).count(),
      static_cast<unsigned long long>(hash));
  return 0;
}
