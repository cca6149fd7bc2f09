// The data kernel of one model: A = TOP_k(Y Yᵀ), the k-nearest-neighbour graph of its embeddings: exact, or
// approximate (clustered GEMM search or HNSW) for large n, with its recall measured against exact search on a sample of rows.
//
// Exact search by blocked GEMM: row blocks of Y against row blocks of Y give score tiles of row_block × row_block;
// Y Yᵀ is symmetric, so only the tiles on and above the diagonal are computed, each offering its columns to its
// rows' running top-k lists and its rows to its columns' lists. Memory O(n·k + threads·tile), never n×n. Row blocks
// run in parallel (OpenMP), each with single-threaded BLAS; the top-k under (score, lower index) does not depend on
// the order of the offers, so results are identical for any number of threads. (Searches for a subset of the data,
// exact_neighbours_of, use row_block × col_block tiles of the queries against all data.)
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

// Exact search, an approximate search (clustered: GEMM within k-means cells; hnsw: hnswlib's graph index), or
// exact below `approximate_from` data and the clustered search from there.
enum class KnnMethod { exact, hnsw, clustered, automatic };
KnnMethod parse_knn_method(const std::string& name);  // "exact" | "hnsw" | "clustered" | "auto"
std::string knn_method_name(KnnMethod method);

// HNSW (Malkov & Yashunin 2018) on hnswlib's index. The index is built on `threads` threads in deterministic
// batches (the same index for any thread count; src/kernel/hnsw_build.hpp, README "Approximate kNN"), then every
// datum is queried in parallel for its k + 1 nearest (itself dropped).
struct HnswConfig {
  int m = 16;                 // links per node (2m on the bottom layer)
  int ef_construction = 100;  // candidate list while building
  int ef_search = 0;          // candidate list while querying; 0 = max(2k, 64)
  std::uint64_t seed = 100;   // level generator of the index
};

// Which cells a datum's neighbours are sought in (ClusteredConfig::probe_lists): the `probes` cells whose centroids
// are nearest to the datum itself (per_datum), or those nearest to its cell's centroid (per_cell).
enum class ClusteredProbes { per_datum, per_cell };

// The clustered search (src/kernel/knn_clustered.hpp, README "Approximate kNN"): seeded k-means (spherical for
// cosine) partitions the data into cells; each datum is compared, by GEMM tiles as in exact search, with the data of
// the cells it probes, and every compared pair is offered to both lists (as exact search uses the symmetry of Y Yᵀ).
// Self excluded, ties to the lower index, the same lists for any thread count.
struct ClusteredConfig {
  int clusters = 0;                    // cells; 0 = round(clusters_per_root_n · √n), at most n
  double clusters_per_root_n = 1.0;    // the default number of cells per √n
  int probes = 24;                     // cells probed (the datum's or its cell's own included), at most `clusters`
  ClusteredProbes probe_lists = ClusteredProbes::per_datum;
  int iterations = 6;                  // Lloyd's iterations on the sample
  int sample_per_cluster = 32;         // k-means runs on min(n, clusters · this) seeded rows
  std::uint64_t seed = 100;            // the k-means sample and its initial centroids, and the recall rows
};

struct KnnConfig {
  int k = 0;  // neighbours per datum; 0 = default_k(n)
  KnnMethod method = KnnMethod::automatic;
  std::int64_t approximate_from = 100000;  // automatic: clustered from this many data (README "Approximate kNN")
  HnswConfig hnsw;
  ClusteredConfig clustered;
  std::int64_t recall_rows = 1000;  // approximate search: rows whose exact lists measure the recall (0 = none)
  Metric metric = Metric::cosine;
  Symmetrize symmetrize = Symmetrize::union_of_both;
  int threads = 0;                  // 0 = all available
  std::int64_t row_block = 256;     // tile rows (and columns of the full search's square tiles)
  std::int64_t col_block = 4096;    // tile columns of a subset search (exact_neighbours_of)
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
  KnnMethod method = KnnMethod::exact;  // how they were found (exact, hnsw or clustered)
  double recall = 1.0;                  // approximate: mean share of the exact k found, over `recall_rows` sampled rows
  std::int64_t recall_rows = 0;         // rows the recall was measured on (0 for exact search)
};

// The method a search of n data uses.
KnnMethod resolved_knn_method(const KnnConfig& config, std::int64_t n);

// The rows an approximate search measures its recall on: `count` (at most n) of 0 … n − 1 drawn by a seeded
// shuffle, sorted.
std::vector<std::int64_t> seeded_recall_rows(std::int64_t n, std::int64_t count, std::uint64_t seed);

// Throws InputError naming `what` (the file) when a row is all zero under the cosine metric or k >= n.
void validate_for_knn(const EmbeddingsView& y, const KnnConfig& config, const std::string& what);

// Exact search: float32 views run in float32 (sgemm), float64 views in float64 (dgemm); neither is copied except
// for the L2-normalised copy the cosine metric needs; the clustered search likewise, plus a copy of the data in cell
// order. HNSW search works in float32 on its own copy inside the index. Both approximate searches measure their
// recall on config.recall_rows seeded rows (lists.recall).
NeighbourLists knn_search(const EmbeddingsView& y, const KnnConfig& config);
// Exact lists of the data in `rows` only (result row q is datum rows[q]), by the same search as knn_search.
NeighbourLists exact_neighbours_of(const EmbeddingsView& y, const KnnConfig& config,
                                   const std::vector<std::int64_t>& rows);
// Share of the exact k neighbours of the data in `rows` that `lists` (of all n data) contains.
double knn_recall(const EmbeddingsView& y, const KnnConfig& config, const NeighbourLists& lists,
                  const std::vector<std::int64_t>& rows);
Graph graph_from_neighbours(const NeighbourLists& lists, Symmetrize rule);
Graph knn_graph(const EmbeddingsView& y, const KnnConfig& config);

}  // namespace dk
