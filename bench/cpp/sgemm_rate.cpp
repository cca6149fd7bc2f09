// SGEMM rate of any BLAS library file, loaded at run time (dlopen), for bench/knn_exact.sh: the same product
// C = A·Bᵀ that exact kNN computes, in two shapes:
//   one call   one large product (4096 × 4096 × depth) with the library's own threads (as FAISS calls it);
//   tiles      every thread calls single-threaded SGEMM on its own tile × tile × depth products, concurrently
//              (as datakernel's exact kNN calls it).
// Usage: sgemm_rate LIBRARY DEPTH THREADS [TILE] [REPEATS]
// Prints one line per shape: GFLOP/s best and median over the repeats (2·rows·cols·depth flops per product).
#include <dlfcn.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

enum Order { row_major = 101 };
enum Transpose { no_trans = 111, trans = 112 };
using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
// numpy's bundled OpenBLAS (scipy-openblas64): 64-bit integers, prefixed and suffixed names.
using Sgemm64 = void (*)(int, int, int, long, long, long, float, const float*, long, const float*, long, float, float*,
                         long);
using SetThreads = void (*)(int);  // openblas_set_num_threads / bli_thread_set_num_threads / omp_set_num_threads

struct Library {
  Sgemm sgemm32 = nullptr;
  Sgemm64 sgemm64 = nullptr;
  SetThreads set_threads = nullptr;
  std::string name;
  void sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
             int ldb, float beta, float* c, int ldc) const {
    if (sgemm32) sgemm32(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    else sgemm64(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
};

Library load(const char* path) {
  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "sgemm_rate: cannot load %s: %s\n", path, dlerror());
    std::exit(2);
  }
  Library lib;
  lib.sgemm32 = reinterpret_cast<Sgemm>(dlsym(handle, "cblas_sgemm"));
  lib.sgemm64 = reinterpret_cast<Sgemm64>(dlsym(handle, "scipy_cblas_sgemm64_"));
  if (!lib.sgemm32 && !lib.sgemm64) {
    std::fprintf(stderr, "sgemm_rate: %s has no cblas_sgemm\n", path);
    std::exit(2);
  }
  for (const char* setter :
       {"openblas_set_num_threads", "scipy_openblas_set_num_threads64_", "bli_thread_set_num_threads"})
    if (auto f = reinterpret_cast<SetThreads>(dlsym(handle, setter))) {
      lib.set_threads = f;
      lib.name = setter;
      break;
    }
  using CoreName = char* (*)();
  if (auto core = reinterpret_cast<CoreName>(dlsym(handle, "openblas_get_corename"))) lib.name = core();
  else if (auto core64 = reinterpret_cast<CoreName>(dlsym(handle, "scipy_openblas_get_corename64_"))) lib.name = core64();
  else if (lib.name == "bli_thread_set_num_threads") lib.name = "BLIS";
  return lib;
}

void fill(std::vector<float>& v, unsigned salt) {
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(((i + salt) * 2654435761u) % 1000) / 1000.0f - 0.5f;
}

struct Rate {
  double best = 0, median = 0;
};

template <class F>
Rate time_rate(int repeats, double flops, F&& run) {
  std::vector<double> rates;
  run();  // warm-up: page faults, thread pools, kernel selection
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(flops / seconds / 1e9);
  }
  std::sort(rates.begin(), rates.end());
  return {rates.back(), rates[rates.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: sgemm_rate LIBRARY DEPTH THREADS [TILE] [REPEATS]\n");
    return 2;
  }
  const Library lib = load(argv[1]);
  const int depth = std::atoi(argv[2]), threads = std::atoi(argv[3]);
  const int tile = argc > 4 ? std::atoi(argv[4]) : 512;
  const int repeats = argc > 5 ? std::atoi(argv[5]) : 5;

  // One call: 4096 × 4096 × depth with the library's threads.
  const int big = 4096;
  std::vector<float> a(static_cast<std::size_t>(big) * depth), b(a.size()), c(static_cast<std::size_t>(big) * big);
  fill(a, 1);
  fill(b, 7);
  omp_set_num_threads(threads);
  if (lib.set_threads) lib.set_threads(threads);
  const Rate one = time_rate(repeats, 2.0 * big * big * depth, [&] {
    lib.sgemm(row_major, no_trans, trans, big, big, depth, 1.0f, a.data(), depth, b.data(), depth, 0.0f, c.data(), big);
  });

  // Tiles: each thread runs single-threaded SGEMM on its own tile × tile products against a 4096-row block.
  if (lib.set_threads) lib.set_threads(1);
  const int per_thread = big / tile;  // tiles per thread per repeat
  std::vector<std::vector<float>> out(static_cast<std::size_t>(threads),
                                      std::vector<float>(static_cast<std::size_t>(tile) * tile));
  const Rate tiles = time_rate(repeats, 2.0 * tile * tile * depth * per_thread * threads, [&] {
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num();
      for (int j = 0; j < per_thread; ++j)
        lib.sgemm(row_major, no_trans, trans, tile, tile, depth, 1.0f, a.data() + static_cast<std::size_t>(t) * tile * depth,
                  depth, b.data() + static_cast<std::size_t>(j) * tile * depth, depth, 0.0f, out[t].data(), tile);
    }
  });
  std::printf("%s depth=%d threads=%d  one-call %.0f GFLOP/s (median %.0f)  tiles-%d %.0f GFLOP/s (median %.0f)\n",
              lib.name.c_str(), depth, threads, one.best, one.median, tile, tiles.best, tiles.median);
  return 0;
}
