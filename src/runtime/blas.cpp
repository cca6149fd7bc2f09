#include "datakernel/runtime/blas.hpp"

#include <cblas.h>
#include <omp.h>

#include <chrono>
#include <vector>

extern "C" {
char* openblas_get_corename(void);
char* openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
}

namespace dk {

std::string blas_core_name() { return openblas_get_corename(); }
std::string blas_version() { return openblas_get_config(); }
int blas_threads() { return openblas_get_num_threads(); }
void set_blas_threads(int threads) { openblas_set_num_threads(threads); }

namespace {
thread_local int guarded_team = 0;  // the innermost BlasSingleThreaded's outer team on this thread; 0 = none
}  // namespace

BlasSingleThreaded::BlasSingleThreaded()
    : previous_(blas_threads()), previous_openmp_(omp_get_max_threads()), outer_team_(guarded_team) {
  guarded_team = openmp_threads();
  set_blas_threads(1);
}

BlasSingleThreaded::~BlasSingleThreaded() {
  set_blas_threads(previous_);
  omp_set_num_threads(previous_openmp_);  // OpenBLAS set it to previous_, which may differ
  guarded_team = outer_team_;
}

int openmp_threads() { return guarded_team > 0 ? guarded_team : omp_get_max_threads(); }

std::string blas_kernel_fallback() {
  const std::string core = blas_core_name();
  if (core != "Prescott" && core != "prescott") return "";
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "SkylakeX";
  if (__builtin_cpu_supports("avx2")) return "Haswell";
  return "";
}

void gemm_abt(const float* a, const float* b, float* c, long rows, long cols, long depth, long ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(cols),
              static_cast<int>(depth), 1.0f, a, static_cast<int>(depth), b, static_cast<int>(depth), 0.0f, c,
              static_cast<int>(ldc));
}

void gemm_abt(const double* a, const double* b, double* c, long rows, long cols, long depth, long ldc) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(cols),
              static_cast<int>(depth), 1.0, a, static_cast<int>(depth), b, static_cast<int>(depth), 0.0, c,
              static_cast<int>(ldc));
}

double measure_gemm_gflops(long size, int repeats) {
  const long depth = 384;
  std::vector<float> a(static_cast<std::size_t>(size * depth)), c(static_cast<std::size_t>(size * size));
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>((i * 2654435761u) % 1000) / 1000.0f;
  double best = 0.0;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    gemm_abt(a.data(), a.data(), c.data(), size, size, depth, size);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, 2.0 * size * size * depth / seconds / 1e9);
  }
  return best;
}

}  // namespace dk
