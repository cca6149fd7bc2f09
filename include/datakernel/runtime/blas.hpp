// The BLAS this library runs on (OpenBLAS), and what it detected.
//
// OpenBLAS 0.3.21 (Debian 12) mis-detects some recent Intel CPUs as "Prescott" and then runs its generic
// kernels, about 5x slower. Its core type is fixed when the library loads, from OPENBLAS_CORETYPE, so the
// fix must happen before the process starts: blas_kernel_fallback() tells what to set, and the CLI re-executes
// itself once with it (see cli/main.cpp and README "BLAS").
#pragma once

#include <string>

namespace dk {

std::string blas_core_name();
std::string blas_version();  // OpenBLAS's build configuration string
int blas_threads();
void set_blas_threads(int threads);

// When OpenBLAS runs its generic "Prescott" kernels on a CPU that has AVX-512 or AVX2, the
// OPENBLAS_CORETYPE value that selects the right ones ("SkylakeX" or "Haswell"); otherwise "".
std::string blas_kernel_fallback();

// Single-precision C = A·Bᵀ for row-major A (rows×depth), B (cols×depth), C (rows×cols, leading dim ldc).
void gemm_abt(const float* a, const float* b, float* c, long rows, long cols, long depth, long ldc);
void gemm_abt(const double* a, const double* b, double* c, long rows, long cols, long depth, long ldc);

// Measured single-precision GEMM rate in GFLOP/s (square-ish product of `size`), for `datakernel info`.
double measure_gemm_gflops(long size, int repeats);

// Scope guard: BLAS single-threaded inside (for calls made from parallel regions), restored after.
// OpenBLAS's OpenMP build takes its thread count from the caller's OpenMP thread count (openblas_set_num_threads
// sets both, and each call outside a parallel region re-reads it), so inside the guard omp_get_max_threads() is 1:
// parallel regions in its scope must size their team with openmp_threads().
class BlasSingleThreaded {
 public:
  BlasSingleThreaded();
  ~BlasSingleThreaded();
  BlasSingleThreaded(const BlasSingleThreaded&) = delete;
  BlasSingleThreaded& operator=(const BlasSingleThreaded&) = delete;

 private:
  int previous_;
  int previous_openmp_;
  int outer_team_;
};

// The OpenMP thread count the caller asked for: omp_get_max_threads(), or inside a BlasSingleThreaded scope on
// this thread the count from before it.
int openmp_threads();

}  // namespace dk
