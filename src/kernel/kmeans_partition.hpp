// Seeded k-means that partitions the data for the clustered kNN search (kernel/knn_clustered.hpp): Lloyd's
// iterations on a seeded sample, then every datum assigned to its nearest centroid. Spherical (centroids
// L2-normalised, nearest = largest dot product) when the rows are L2-normalised (cosine); plain k-means (nearest =
// smallest Euclidean distance, scored as 2 x·c − |c|²) otherwise. Assignments are computed by BLAS GEMM on fixed
// chunks of rows (ties to the lower centroid), centroid sums in double in the data's order: the same partition for
// any thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace dk {

struct KmeansSettings {
  std::int64_t clusters = 0;            // number of centroids, 1 ≤ clusters ≤ n
  std::int64_t sample_per_cluster = 0;  // Lloyd's iterations run on min(n, clusters · this) seeded rows
  int iterations = 0;                   // Lloyd's iterations on the sample
  bool spherical = true;                // rows L2-normalised: spherical k-means
  int nearest_count = 1;                // centroids listed per datum by the final assignment, nearest first
  std::uint64_t seed = 0;               // sample and initial centroids
  int threads = 1;
  std::function<bool()> cancelled;  // polled between chunks; the caller throws
};

template <class T>
struct KmeansPartition {
  std::int64_t clusters = 0, dim = 0;
  std::vector<T> centroids;               // clusters × dim
  std::vector<std::int32_t> assignment;   // n: the nearest centroid of each datum
  std::vector<std::int32_t> nearest;      // n × nearest_count: each datum's nearest centroids, nearest first
};

// rows: n × dim, row-major. Returns an empty assignment when cancelled.
template <class T>
KmeansPartition<T> kmeans_partition(const T* rows, std::int64_t n, std::int64_t dim, const KmeansSettings& settings);

}  // namespace dk
