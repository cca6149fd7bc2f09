#include "kernel/kmeans_partition.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "datakernel/runtime/blas.hpp"
#include "runtime/random.hpp"

namespace dk {
namespace {

constexpr std::int64_t chunk_rows = 256;  // rows per GEMM of an assignment: fixed, so results do not depend on threads

// |c|² of each centroid (plain k-means), or nothing (spherical: every centroid has norm 1).
template <class T>
std::vector<T> offsets_of(const KmeansPartition<T>& partition, bool spherical) {
  if (spherical) return {};
  std::vector<T> offsets(static_cast<std::size_t>(partition.clusters));
  for (std::int64_t c = 0; c < partition.clusters; ++c) {
    double s = 0.0;
    for (std::int64_t j = 0; j < partition.dim; ++j) {
      const double v = partition.centroids[c * partition.dim + j];
      s += v * v;
    }
    offsets[c] = static_cast<T>(s);
  }
  return offsets;
}

// New centroids from the rows' assignment: means in double, summed in the rows' order; L2-normalised when
// spherical. A cluster left empty keeps its centroid.
template <class T>
void update_centroids(const std::vector<T>& rows, const std::vector<std::int32_t>& nearest, bool spherical,
                      KmeansPartition<T>& partition) {
  const std::int64_t dim = partition.dim, clusters = partition.clusters;
  std::vector<double> sums(static_cast<std::size_t>(clusters * dim), 0.0);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(clusters), 0);
  for (std::size_t i = 0; i < nearest.size(); ++i) {
    const std::int64_t c = nearest[i];
    ++counts[c];
    const T* x = rows.data() + static_cast<std::int64_t>(i) * dim;
    double* s = sums.data() + c * dim;
    for (std::int64_t j = 0; j < dim; ++j) s[j] += x[j];
  }
  for (std::int64_t c = 0; c < clusters; ++c) {
    if (counts[c] == 0) continue;
    const double* s = sums.data() + c * dim;
    double scale = 1.0 / static_cast<double>(counts[c]);
    if (spherical) {
      double norm = 0.0;
      for (std::int64_t j = 0; j < dim; ++j) norm += s[j] * s[j];
      if (norm == 0.0) continue;  // opposite rows cancelled out: keep the old direction
      scale = 1.0 / std::sqrt(norm);
    }
    for (std::int64_t j = 0; j < dim; ++j) partition.centroids[c * dim + j] = static_cast<T>(s[j] * scale);
  }
}

// The `listed` nearest centroids of each of the `count` rows at `rows`, nearest first, written to
// nearest[row · listed …]: by x·c (spherical: no offsets) or 2 x·c − |c|², ties to the lower index.
template <class T>
void assign_to_nearest(const T* rows, std::int64_t count, const KmeansPartition<T>& partition,
                       const std::vector<T>& centroid_offsets, int threads, const std::function<bool()>& cancelled,
                       std::int32_t* nearest, int listed = 1) {
  const std::int64_t clusters = partition.clusters, dim = partition.dim;
  const std::int64_t chunks = (count + chunk_rows - 1) / chunk_rows;
  BlasSingleThreaded single_threaded_blas;
#pragma omp parallel num_threads(threads)
  {
    std::vector<T> products(static_cast<std::size_t>(chunk_rows * clusters)), best_scores(listed);
    std::vector<std::int32_t> best_ids(listed);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t b = 0; b < chunks; ++b) {
      if (cancelled && cancelled()) continue;
      const std::int64_t r0 = b * chunk_rows, size = std::min(chunk_rows, count - r0);
      gemm_abt(rows + r0 * dim, partition.centroids.data(), products.data(), size, clusters, dim, clusters);
      for (std::int64_t r = 0; r < size; ++r) {
        const T* t = products.data() + r * clusters;
        if (listed > 1) {  // insertion into a list kept best first; centroids come in index order, so ties stay behind
          int size = 0;
          for (std::int64_t c = 0; c < clusters; ++c) {
            const T score = centroid_offsets.empty() ? t[c] : T(2) * t[c] - centroid_offsets[c];
            if (size == listed && !(score > best_scores[listed - 1])) continue;
            int at = size < listed ? size++ : listed - 1;
            for (; at > 0 && score > best_scores[at - 1]; --at) {
              best_scores[at] = best_scores[at - 1];
              best_ids[at] = best_ids[at - 1];
            }
            best_scores[at] = score;
            best_ids[at] = static_cast<std::int32_t>(c);
          }
          std::copy(best_ids.begin(), best_ids.end(), nearest + (r0 + r) * listed);
          continue;
        }
        std::int32_t best = 0;
        T best_score = centroid_offsets.empty() ? t[0] : T(2) * t[0] - centroid_offsets[0];
        for (std::int64_t c = 1; c < clusters; ++c) {
          const T score = centroid_offsets.empty() ? t[c] : T(2) * t[c] - centroid_offsets[c];
          if (score > best_score) best_score = score, best = static_cast<std::int32_t>(c);
        }
        nearest[r0 + r] = best;
      }
    }
  }
}

}  // namespace

template <class T>
KmeansPartition<T> kmeans_partition(const T* rows, std::int64_t n, std::int64_t dim, const KmeansSettings& settings) {
  KmeansPartition<T> partition;
  partition.clusters = settings.clusters;
  partition.dim = dim;
  // The sample: a seeded shuffle of the data's indices; its first `clusters` rows (distinct data) start the centroids.
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  rand::Engine engine(settings.seed);
  rand::shuffle(order.begin(), order.end(), engine);
  const std::int64_t sample_size =
      std::clamp<std::int64_t>(settings.clusters * settings.sample_per_cluster, settings.clusters, n);
  partition.centroids.resize(static_cast<std::size_t>(settings.clusters * dim));
  for (std::int64_t c = 0; c < settings.clusters; ++c)
    std::copy(rows + order[c] * dim, rows + (order[c] + 1) * dim, partition.centroids.data() + c * dim);
  order.resize(static_cast<std::size_t>(sample_size));
  std::sort(order.begin(), order.end());
  std::vector<T> sample(static_cast<std::size_t>(sample_size * dim));
  for (std::int64_t i = 0; i < sample_size; ++i)
    std::copy(rows + order[i] * dim, rows + (order[i] + 1) * dim, sample.data() + i * dim);

  std::vector<std::int32_t> nearest(static_cast<std::size_t>(sample_size));
  for (int iteration = 0; iteration < settings.iterations; ++iteration) {
    assign_to_nearest(sample.data(), sample_size, partition, offsets_of(partition, settings.spherical),
                      settings.threads, settings.cancelled, nearest.data());
    if (settings.cancelled && settings.cancelled()) return partition;
    update_centroids(sample, nearest, settings.spherical, partition);
  }
  const int listed = static_cast<int>(std::clamp<std::int64_t>(settings.nearest_count, 1, settings.clusters));
  partition.nearest.resize(static_cast<std::size_t>(n * listed));
  assign_to_nearest(rows, n, partition, offsets_of(partition, settings.spherical), settings.threads,
                    settings.cancelled, partition.nearest.data(), listed);
  if (settings.cancelled && settings.cancelled()) return partition;
  partition.assignment.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) partition.assignment[i] = partition.nearest[i * listed];
  if (listed == 1) partition.nearest.clear();
  return partition;
}

template KmeansPartition<float> kmeans_partition(const float*, std::int64_t, std::int64_t, const KmeansSettings&);
template KmeansPartition<double> kmeans_partition(const double*, std::int64_t, std::int64_t, const KmeansSettings&);

}  // namespace dk
