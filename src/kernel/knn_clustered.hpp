// Approximate kNN lists by GEMM within k-means cells (KnnMethod::clustered, ClusteredConfig): internal to the kernel
// stage, reached through knn_search (include/datakernel/kernel/knn.hpp) on data prepared as for exact search.
//
// 1. kmeans_partition (kernel/kmeans_partition.hpp) splits the data into C cells; the data are copied in cell
//    order, so a cell is a contiguous block of rows.
// 2. per_datum probes (the default): each datum is a query of the `probes` cells nearest to it (its own first). For
//    each cell b, GEMM tiles of its queries (gathered) × b's rows are offered to the queries' lists and, transposed,
//    to b's lists; a pair whose two data probe each other's cells is scored only in the larger cell's tiles (the
//    smaller cell's tiles leave those b-data out): each pair is scored once and reaches each list at most once.
//    per_cell probes: each cell probes the `probes` cells whose centroids score highest against its own centroid;
//    cells a ≤ b are compared, once, when either probes the other: tiles of a's rows × the gathered rows of its
//    partners b ≥ a, offered to a's lists and, transposed, to b's (b ≠ a), as exact search offers its tiles.
// 3. The running top-k keeps (score, lower index) order, which does not depend on the order of the offers, and the
//    tiles are fixed by the partition alone: the same lists for any thread count. Self excluded. Data whose probed
//    cells hold fewer than k others get exact lists.
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
