// Approximate kNN lists by GEMM within k-means cells (KnnMethod::clustered, ClusteredConfig): internal to the kernel
// stage, reached through knn_search (include/datakernel/kernel/knn.hpp) on data prepared as for exact search.
//
// 1. kmeans_partition (kernel/kmeans_partition.hpp) splits the data into C cells.
// 2. Each cell probes the `probes` cells whose centroids score highest against its own centroid (itself first).
//    Cells a ≤ b are compared when either probes the other; each such pair is computed once.
// 3. The data are copied in cell order, so a cell is a contiguous block of rows. For each cell a, the rows of its
//    partner cells b ≥ a are gathered into column blocks, and GEMM tiles (a's rows × the block) are offered to a's
//    lists and, transposed, to each b's lists (b ≠ a), as exact search offers its off-diagonal tiles; self excluded.
//    The running top-k keeps (score, lower index) order, which does not depend on the order of the offers, and the
//    tiles are fixed by the partition alone: the same lists for any thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "datakernel/kernel/knn.hpp"
#include "kernel/exact_search.hpp"

namespace dk {

// Cells and probes the search of n data uses (config defaults resolved); throws InputError for bad parameters.
struct ClusteredPlan {
  std::int64_t clusters = 0;
  std::int64_t probes = 0;
};
ClusteredPlan clustered_plan(const ClusteredConfig& config, std::int64_t n);

// Every datum's k best among its cell's partners (self excluded), best first, ties to the lower id: as
// exact_search_all, on the same prepared data. Returns without a result when config.cancelled() became true.
template <class T>
void clustered_search_all(const PreparedData<T>& data, const KnnConfig& config, int k, std::vector<T>& scores,
                          NeighbourLists& out);

}  // namespace dk
