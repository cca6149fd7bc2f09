// Exact kNN (knn_search, method exact, cosine, default k) on one embeddings file, for bench/knn_exact.sh.
// Usage: knn_exact_bench EMBEDDINGS.npy THREADS RUNS SPLIT [BLOCK ...]   (knn_exact_bench --block: the default)
// For each tile size BLOCK (default: the library's): the median seconds of RUNS searches; with SPLIT = 1 also the
// median seconds of the same tiles' GEMMs alone (same schedule and threads, no top-k selection), which splits the
// time into GEMM and selection; and the rate of the flops actually computed (the tiles on and above the diagonal
// of Y Yᵀ).
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "datakernel/io/model_input.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/runtime/blas.hpp"

namespace {

template <typename F>
double median_seconds(int runs, F&& f) {
  std::vector<double> s;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

// The GEMMs of exact_search_all's schedule (src/kernel/exact_search.cpp) without the selection.
void tiles_only(const std::vector<float>& y, std::int64_t n, std::int64_t dim, std::int64_t block, int threads) {
  const std::int64_t blocks = (n + block - 1) / block;
  const dk::BlasSingleThreaded single_threaded_blas;
#pragma omp parallel num_threads(threads)
  {
    std::vector<float> tile(static_cast<std::size_t>(std::min(block, n) * std::min(block, n)));
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t bi = 0; bi < blocks; ++bi)
      for (std::int64_t bj = bi; bj < blocks; ++bj) {
        const std::int64_t r0 = bi * block, c0 = bj * block;
        const std::int64_t rows = std::min(block, n - r0), cols = std::min(block, n - c0);
        dk::gemm_abt(y.data() + r0 * dim, y.data() + c0 * dim, tile.data(), rows, cols, dim, cols);
      }
  }
}

double tile_flops(std::int64_t n, std::int64_t dim, std::int64_t block) {
  double flops = 0;
  for (std::int64_t r0 = 0; r0 < n; r0 += block)
    for (std::int64_t c0 = r0; c0 < n; c0 += block)
      flops += 2.0 * std::min(block, n - r0) * std::min(block, n - c0) * dim;
  return flops;
}

}  // namespace

int main(int argc, char** argv) {
  // The kernels the CLI runs (cli/main.cpp, README "BLAS"): where OpenBLAS mis-detects the CPU, run again once
  // with OPENBLAS_CORETYPE set, unless it is set already.
  if (!std::getenv("OPENBLAS_CORETYPE") && !dk::blas_kernel_fallback().empty()) {
    ::setenv("OPENBLAS_CORETYPE", dk::blas_kernel_fallback().c_str(), 1);
    ::execv("/proc/self/exe", argv);
  }
  if (argc == 2 && std::string(argv[1]) == "--block") {
    std::printf("%lld\n", static_cast<long long>(dk::KnnConfig{}.row_block));
    return 0;
  }
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s EMBEDDINGS.npy THREADS RUNS SPLIT [BLOCK ...]\n", argv[0]);
    return 2;
  }
  const dk::ModelInput input = dk::load_model(argv[1]);
  const dk::EmbeddingsView y = input.view();
  if (!y.f32) {
    std::fprintf(stderr, "%s: float32 embeddings expected\n", argv[1]);
    return 2;
  }
  const int threads = std::stoi(argv[2]), runs = std::stoi(argv[3]);
  const bool split = std::stoi(argv[4]) != 0;
  std::vector<std::int64_t> block_sizes;
  for (int a = 5; a < argc; ++a) block_sizes.push_back(std::stoll(argv[a]));
  if (block_sizes.empty()) block_sizes.push_back(dk::KnnConfig{}.row_block);
  const std::vector<float> rows(y.f32, y.f32 + y.n * y.dim);

  for (const std::int64_t block : block_sizes) {
    dk::KnnConfig config;
    config.method = dk::KnnMethod::exact;
    config.threads = threads;
    config.row_block = block;
    const double search = median_seconds(runs, [&] { dk::knn_search(y, config); });
    const double flops = tile_flops(y.n, y.dim, block);
    std::printf("n=%lld d=%lld k=%d threads=%d block=%lld %s  knn %.3f s  %.0f GFLOP/s computed",
                static_cast<long long>(y.n), static_cast<long long>(y.dim), dk::default_k(y.n), threads,
                static_cast<long long>(block), dk::blas_core_name().c_str(), search, flops / search / 1e9);
    if (split) {
      const double gemm = median_seconds(runs, [&] { tiles_only(rows, y.n, y.dim, block, threads); });
      std::printf("  (gemm alone %.3f s = %.0f GFLOP/s; selection and the rest %.0f%%)", gemm, flops / gemm / 1e9,
                  100.0 * (search - gemm) / search);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}
