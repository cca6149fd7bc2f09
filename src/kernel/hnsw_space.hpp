// hnswlib's inner-product and squared-L2 spaces with datakernel's distance loops (kernel/hnsw_distances.hpp):
// internal to the kernel stage. Debian's hnswlib picks its SIMD path when the including file is compiled, which for
// a portable build is SSE only (4 floats per step where the machine may take 16); these loops are chosen at run
// time for the CPU. Include only where hnswlib is included already (its header defines non-inline functions).
#pragma once

#include <cstddef>

#include <hnswlib/hnswlib.h>

#include "kernel/hnsw_distances.hpp"

namespace dk {

class HnswSpace final : public hnswlib::SpaceInterface<float> {
 public:
  HnswSpace(std::size_t dim, bool euclidean)
      : dim_(dim),
        distance_(euclidean ? &hnsw_distances::squared_l2_distance : &hnsw_distances::inner_product_distance) {}
  std::size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return distance_; }
  void* get_dist_func_param() override { return &dim_; }

 private:
  std::size_t dim_;
  hnswlib::DISTFUNC<float> distance_;
};

}  // namespace dk
