#include "kernel/hnsw_distances.hpp"

#include <cstddef>

namespace dk::hnsw_distances {

// One loop each, vectorised by the compiler for every target listed (omp simd allows the reordered sum).
__attribute__((target_clones("avx512f", "avx2", "default"))) float inner_product_distance(const void* a,
                                                                                           const void* b,
                                                                                           const void* dim) {
  const auto* x = static_cast<const float*>(a);
  const auto* y = static_cast<const float*>(b);
  const std::size_t n = *static_cast<const std::size_t*>(dim);
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (std::size_t i = 0; i < n; ++i) sum += x[i] * y[i];
  return 1.0f - sum;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) float squared_l2_distance(const void* a, const void* b,
                                                                                        const void* dim) {
  const auto* x = static_cast<const float*>(a);
  const auto* y = static_cast<const float*>(b);
  const std::size_t n = *static_cast<const std::size_t*>(dim);
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (std::size_t i = 0; i < n; ++i) sum += (x[i] - y[i]) * (x[i] - y[i]);
  return sum;
}

}  // namespace dk::hnsw_distances
