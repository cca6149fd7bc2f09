// Exact kNN by tiles of Y Yᵀ (BLAS GEMM) and a running top-k per datum, on data already prepared for the metric
// (rows L2-normalised for cosine; squared norms for euclidean). Internal to the kernel stage: reached through
// knn_search and exact_neighbours_of (include/datakernel/kernel/knn.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "datakernel/kernel/knn.hpp"

namespace dk {

// The data as the search sees them: n rows of dim values; score(i, j) = yᵢ·yⱼ, or 2 yᵢ·yⱼ − |yⱼ|² when
// squared_norms is given (euclidean).
template <class T>
struct PreparedData {
  const T* rows;
  std::int64_t n, dim;
  const T* squared_norms;  // null unless euclidean
};

// Every datum's k best (self excluded), best first, ties to the lower id. Uses the symmetry of Y Yᵀ: only the
// tiles on and above the diagonal (config.row_block square) are computed, and each serves both its rows' lists
// and its columns'. Lists are guarded per row block; the top-k of a list does not depend on the order of offers,
// so the result is the same for any thread count. `scores` (n·k) receives the scores in T, out.ids the ids.
template <class T>
void exact_search_all(const PreparedData<T>& data, const KnnConfig& config, int k, std::vector<T>& scores,
                      NeighbourLists& out);

// The k best of the queries (rows of the same prepared data, listed in `subset`) among all data: tiles of
// config.row_block queries × config.col_block data, query blocks in parallel.
template <class T>
void exact_search_rows(const PreparedData<T>& data, const std::vector<std::int64_t>& subset, const KnnConfig& config,
                       int k, std::vector<T>& scores, NeighbourLists& out);

}  // namespace dk
