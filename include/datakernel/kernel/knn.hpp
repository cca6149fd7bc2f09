// The data kernel of one model: A = TOP_k(Y Yᵀ), the exact k-nearest-neighbour graph of its embeddings.
//
// Exact search by blocked GEMM: row blocks of Y against column blocks of Y give score tiles of
// row_block × col_block floats; each row keeps a running top-k. Memory O(n·k + threads·tile), never n×n.
// Row blocks run in parallel (OpenMP), each with single-threaded BLAS; the tiling does not depend on the
// thread count, so results are identical for any number of threads.
// Ties are broken deterministically: among equal scores the lower datum index wins. Self is excluded.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "datakernel/embeddings.hpp"
#include "datakernel/kernel/graph_builder.hpp"

namespace dk {

enum class Metric {
  cosine,     // rows L2-normalised, then dot product (default)
  dot,        // raw inner product
  euclidean,  // negative squared Euclidean distance (nearest = largest score)
};

Metric parse_metric(const std::string& name);
std::string metric_name(Metric metric);

struct KnnConfig {
  int k = 0;  // neighbours per datum; 0 = default_k(n)
  Metric metric = Metric::cosine;
  Symmetrize symmetrize = Symmetrize::union_of_both;
  int threads = 0;                  // 0 = all available
  std::int64_t row_block = 256;     // tile rows
  std::int64_t col_block = 4096;    // tile columns
  // Called with the number of finished row blocks (of ceil(n / row_block)), one thread at a time.
  std::function<void(std::int64_t)> progress;
  // Polled between row blocks; when it returns true the search stops and throws Cancelled.
  std::function<bool()> cancelled;
};

// Default k: ceil(2 ln n), clamped to [8, 64] (and below n). Justification in README ("Choosing k"):
// a kNN kernel must have degrees well above ln n to be connected and for its spectral embedding to
// concentrate; ⌊ln n⌋ (the authors' demo) sits right at that threshold, twice it leaves margin.
int default_k(std::int64_t n);

// Row i: the k best neighbours of datum i, best first (ids int64, scores float32).
struct NeighbourLists {
  std::int64_t n = 0;
  int k = 0;
  std::vector<std::int64_t> ids;  // n * k
  std::vector<float> scores;      // n * k
};

// Throws InputError naming `what` (the file) when a row is all zero under the cosine metric or k >= n.
void validate_for_knn(const EmbeddingsView& y, const KnnConfig& config, const std::string& what);

// float32 views run in float32 (sgemm), float64 views in float64 (dgemm); neither is copied except for the
// L2-normalised copy the cosine metric needs.
NeighbourLists knn_search(const EmbeddingsView& y, const KnnConfig& config);
Graph graph_from_neighbours(const NeighbourLists& lists, Symmetrize rule);
Graph knn_graph(const EmbeddingsView& y, const KnnConfig& config);

}  // namespace dk
