// The distances of the HNSW index (internal to the kernel stage, used through kernel/hnsw_space.hpp): 1 − x·y and
// ‖x − y‖² of two float rows, the dimension passed as in hnswlib (a pointer to a size_t). Compiled for AVX-512,
// AVX2 and the baseline and chosen at run time; the same binary on the same CPU gives the same values for any
// thread count.
#pragma once

namespace dk::hnsw_distances {

float inner_product_distance(const void* a, const void* b, const void* dim);
float squared_l2_distance(const void* a, const void* b, const void* dim);

}  // namespace dk::hnsw_distances
