// Approximate kNN (knn_search, method hnsw, cosine, default k) on one embeddings file, for bench/knn_approx.sh
// and bench/run.sh. Usage: knn_hnsw_bench EMBEDDINGS.npy THREADS M EF_CONSTRUCTION EF_SEARCH [RECALL_ROWS]
// (0 for M, EF_CONSTRUCTION or EF_SEARCH: the library's default). Prints one JSON line: the search's seconds (index build and queries, without the recall check), recall@k on
// RECALL_ROWS (default 1000) rows drawn with the index's seed, the seconds of that check, and an FNV-1a hash of
// the neighbour lists (equal hashes across thread counts: the same graph).
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "datakernel/io/model_input.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/runtime/blas.hpp"
#include "runtime/random.hpp"

int main(int argc, char** argv) {
  if (!std::getenv("OPENBLAS_CORETYPE") && !dk::blas_kernel_fallback().empty()) {  // as the CLI (README "BLAS")
    ::setenv("OPENBLAS_CORETYPE", dk::blas_kernel_fallback().c_str(), 1);
    ::execv("/proc/self/exe", argv);
  }
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s EMBEDDINGS.npy THREADS M EF_CONSTRUCTION EF_SEARCH [RECALL_ROWS]\n", argv[0]);
    return 2;
  }
  const dk::ModelInput input = dk::load_model(argv[1]);
  const dk::EmbeddingsView y = input.view();
  dk::KnnConfig config;
  config.method = dk::KnnMethod::hnsw;
  config.threads = std::stoi(argv[2]);
  if (std::stoi(argv[3]) > 0) config.hnsw.m = std::stoi(argv[3]);  // 0: the library's default, for each
  if (std::stoi(argv[4]) > 0) config.hnsw.ef_construction = std::stoi(argv[4]);
  config.hnsw.ef_search = std::stoi(argv[5]);
  const std::int64_t recall_rows = std::min<std::int64_t>(argc > 6 ? std::stoll(argv[6]) : 1000, y.n);
  config.recall_rows = 0;

  const auto t0 = std::chrono::steady_clock::now();
  const dk::NeighbourLists lists = dk::knn_search(y, config);
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<std::int64_t> rows(static_cast<std::size_t>(y.n));  // as knn_search_hnsw draws them
  std::iota(rows.begin(), rows.end(), 0);
  dk::rand::Engine engine(config.hnsw.seed);
  dk::rand::shuffle(rows.begin(), rows.end(), engine);
  rows.resize(static_cast<std::size_t>(recall_rows));
  std::sort(rows.begin(), rows.end());
  const double recall = dk::knn_recall(y, config, lists, rows);
  const auto t2 = std::chrono::steady_clock::now();

  std::uint64_t hash = 1469598103934665603ull;
  for (const std::int64_t id : lists.ids) hash = (hash ^ static_cast<std::uint64_t>(id)) * 1099511628211ull;
  std::printf(
      "{\"n\": %lld, \"dim\": %lld, \"k\": %d, \"threads\": %d, \"m\": %d, \"ef_construction\": %d, "
      "\"ef_search\": %d, \"seconds\": %.3f, \"recall\": %.4f, \"recall_rows\": %lld, \"recall_seconds\": %.3f, "
      "\"hash\": \"%016llx\"}\n",
      static_cast<long long>(y.n), static_cast<long long>(y.dim), lists.k, config.threads, config.hnsw.m,
      config.hnsw.ef_construction, config.hnsw.ef_search > 0 ? config.hnsw.ef_search : std::max(2 * lists.k, 64), std::chrono::duration<double>(t1 - t0).count(), recall,
      static_cast<long long>(recall_rows), std::chrono::duration<double>(t2 - t1).count(),
      static_cast<unsigned long long>(hash));
  return 0;
}
