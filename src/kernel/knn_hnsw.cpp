#include "kernel/knn_hnsw.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include <hnswlib/hnswlib.h>

#include "datakernel/error.hpp"
#include "datakernel/runtime/blas.hpp"
#include "kernel/hnsw_build.hpp"
#include "kernel/hnsw_space.hpp"

namespace dk {

namespace {

// Row i of y as float32: L2-normalised (cosine) or as given.
void row_as_float(const EmbeddingsView& y, std::int64_t i, bool normalise, float* out) {
  double s = 0.0;
  for (std::int64_t c = 0; c < y.dim; ++c) {
    out[c] = static_cast<float>(y.at(i, c));
    s += y.at(i, c) * y.at(i, c);
  }
  if (!normalise) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(s));
  for (std::int64_t c = 0; c < y.dim; ++c) out[c] *= inv;
}

// The score exact search gives the pair (in double from the index's float rows): cosine and dot the inner
// product, euclidean 2 x_i·x_j − ‖x_j‖² (the same order as −‖x_i − x_j‖² within a row).
double pair_score(const float* xi, const float* xj, std::int64_t dim, Metric metric) {
  double dot = 0.0, jj = 0.0;
  for (std::int64_t c = 0; c < dim; ++c) {
    dot += static_cast<double>(xi[c]) * xj[c];
    jj += static_cast<double>(xj[c]) * xj[c];
  }
  return metric == Metric::euclidean ? 2.0 * dot - jj : dot;
}

}  // namespace

NeighbourLists knn_search_hnsw(const EmbeddingsView& y, const KnnConfig& config) {
  const std::int64_t n = y.n, dim = y.dim;
  const int k = config.k > 0 ? config.k : default_k(n);
  const int threads = config.threads > 0 ? config.threads : openmp_threads();
  const std::int64_t blocks = (n + config.row_block - 1) / config.row_block;  // the progress scale of exact search
  auto report = [&](std::int64_t done_of_2n) {
    if (config.progress) config.progress(std::min(blocks, done_of_2n * blocks / (2 * n)));
  };
  auto cancelled = [&] { return config.cancelled && config.cancelled(); };

  HnswSpace space(static_cast<std::size_t>(dim), config.metric == Metric::euclidean);
  hnswlib::HierarchicalNSW<float> index(&space, static_cast<std::size_t>(n), static_cast<std::size_t>(config.hnsw.m),
                                        static_cast<std::size_t>(config.hnsw.ef_construction),
                                        static_cast<std::size_t>(config.hnsw.seed));
  // Built in deterministic batches on `threads` threads (kernel/hnsw_build.hpp): the same index for any count.
  const bool normalise = config.metric == Metric::cosine;
  HnswBuildHooks hooks;
  hooks.inserted = [&](std::int64_t inserted) { report(inserted); };
  hooks.cancelled = cancelled;
  const bool built = build_hnsw_in_batches(
      index, n, [&](std::int64_t i, float* out) { row_as_float(y, i, normalise, out); }, config.hnsw.seed, threads,
      hooks);
  if (!built) throw Cancelled("kNN search cancelled");
  index.setEf(static_cast<std::size_t>(config.hnsw.ef_search > 0 ? config.hnsw.ef_search : std::max(2 * k, 64)));

  NeighbourLists out;
  out.n = n;
  out.k = k;
  out.method = KnnMethod::hnsw;
  out.ids.assign(static_cast<std::size_t>(n) * k, -1);
  out.scores.assign(static_cast<std::size_t>(n) * k, 0.0f);
  std::int64_t finished = 0;
  bool short_list = false;
#pragma omp parallel for schedule(dynamic, 256) num_threads(threads)
  for (std::int64_t i = 0; i < n; ++i) {
    if (cancelled()) continue;
    const float* xi = reinterpret_cast<const float*>(index.getDataByInternalId(static_cast<hnswlib::tableint>(i)));
    auto found = index.searchKnn(xi, static_cast<std::size_t>(k) + 1);
    std::vector<std::pair<double, std::int64_t>> best;  // (−score, id): sorted best first, ties by lower id
    while (!found.empty()) {
      const auto j = static_cast<std::int64_t>(found.top().second);
      found.pop();
      if (j == i) continue;
      const float* xj = reinterpret_cast<const float*>(index.getDataByInternalId(static_cast<hnswlib::tableint>(j)));
      best.emplace_back(-pair_score(xi, xj, dim, config.metric), j);
    }
    std::sort(best.begin(), best.end());
    if (static_cast<int>(best.size()) < k) {
#pragma omp atomic write
      short_list = true;
      continue;
    }
    for (int r = 0; r < k; ++r) {
      out.ids[static_cast<std::size_t>(i) * k + r] = best[r].second;
      out.scores[static_cast<std::size_t>(i) * k + r] = static_cast<float>(-best[r].first);
    }
    if ((i & 255) == 255 && config.progress) {
#pragma omp critical(datakernel_knn_progress)
      report(n + (finished += 256));
    }
  }
  if (cancelled()) throw Cancelled("kNN search cancelled");
  if (short_list)
    throw ComputeError("approximate kNN search found fewer than k = " + std::to_string(k) +
                       " neighbours for some data; use {knn=exact} or a larger ef_search");
  // Recall against exact search on seeded rows (the same rows for every model of a comparison).
  const std::vector<std::int64_t> rows = seeded_recall_rows(n, config.recall_rows, config.hnsw.seed);
  if (!rows.empty()) {
    out.recall = knn_recall(y, config, out, rows);
    out.recall_rows = static_cast<std::int64_t>(rows.size());
  }
  return out;
}

}  // namespace dk
