#include "datakernel/kernel/knn.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "datakernel/error.hpp"
#include "datakernel/runtime/blas.hpp"

namespace dk {

Metric parse_metric(const std::string& name) {
  if (name == "cosine") return Metric::cosine;
  if (name == "dot") return Metric::dot;
  if (name == "euclidean") return Metric::euclidean;
  throw InputError("unknown metric '" + name + "' (cosine, dot or euclidean)");
}

std::string metric_name(Metric metric) {
  switch (metric) {
    case Metric::cosine: return "cosine";
    case Metric::dot: return "dot";
    case Metric::euclidean: return "euclidean";
  }
  return "?";
}

int default_k(std::int64_t n) {
  const int k = static_cast<int>(std::ceil(2.0 * std::log(static_cast<double>(std::max<std::int64_t>(n, 2)))));
  return static_cast<int>(std::min<std::int64_t>(std::clamp(k, 8, 64), n - 1));
}

void validate_for_knn(const Embeddings& y, const KnnConfig& config, const std::string& what) {
  const int k = config.k > 0 ? config.k : default_k(y.n);
  if (k >= y.n)
    throw InputError(what + ": k = " + std::to_string(k) + " must be smaller than the number of data n = " +
                     std::to_string(y.n));
  if (config.metric != Metric::cosine) return;
  for (std::int64_t i = 0; i < y.n; ++i) {
    const float* r = y.row(i);
    if (std::all_of(r, r + y.dim, [](float v) { return v == 0.0f; }))
      throw InputError(what + ": row " + std::to_string(i) +
                       " (0-based) is all zeros; cosine similarity is undefined for it (use --metric dot or "
                       "euclidean, or remove the datum)");
  }
}

namespace {

// Running top-k of one row: sorted best first; better = higher score, then lower id.
struct TopK {
  float* scores;
  std::int64_t* ids;
  int k;
  int size = 0;

  static bool better(float s1, std::int64_t i1, float s2, std::int64_t i2) {
    return s1 > s2 || (s1 == s2 && i1 < i2);
  }
  void offer(float score, std::int64_t id) {
    if (size == k && !better(score, id, scores[k - 1], ids[k - 1])) return;
    int at = size < k ? size++ : k - 1;
    while (at > 0 && better(score, id, scores[at - 1], ids[at - 1])) {
      scores[at] = scores[at - 1];
      ids[at] = ids[at - 1];
      --at;
    }
    scores[at] = score;
    ids[at] = id;
  }
};

}  // namespace

NeighbourLists knn_search(const Embeddings& y, const KnnConfig& config) {
  const std::int64_t n = y.n, dim = y.dim;
  const int k = config.k > 0 ? config.k : default_k(n);
  validate_for_knn(y, config, "embeddings");

  // Prepared copy: L2-normalised rows for cosine; squared norms for euclidean.
  const Embeddings* data = &y;
  Embeddings normalised;
  std::vector<float> squared_norms;
  if (config.metric == Metric::cosine) {
    normalised = y;
    for (std::int64_t i = 0; i < n; ++i) {
      float* r = normalised.row(i);
      double s = 0.0;
      for (std::int64_t c = 0; c < dim; ++c) s += static_cast<double>(r[c]) * r[c];
      const float inv = static_cast<float>(1.0 / std::sqrt(s));
      for (std::int64_t c = 0; c < dim; ++c) r[c] *= inv;
    }
    data = &normalised;
  } else if (config.metric == Metric::euclidean) {
    squared_norms.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      const float* r = y.row(i);
      double s = 0.0;
      for (std::int64_t c = 0; c < dim; ++c) s += static_cast<double>(r[c]) * r[c];
      squared_norms[i] = static_cast<float>(s);
    }
  }

  NeighbourLists out;
  out.n = n;
  out.k = k;
  out.ids.assign(static_cast<std::size_t>(n) * k, -1);
  out.scores.assign(static_cast<std::size_t>(n) * k, 0.0f);

  const std::int64_t rb = config.row_block, cb = config.col_block;
  const std::int64_t row_blocks = (n + rb - 1) / rb;
  const int threads = config.threads > 0 ? config.threads : omp_get_max_threads();
  BlasSingleThreaded single_threaded_blas;
  std::int64_t finished_blocks = 0;
#pragma omp parallel num_threads(threads)
  {
    std::vector<float> tile(static_cast<std::size_t>(rb * std::min(cb, n)));
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t block = 0; block < row_blocks; ++block) {
      const std::int64_t r0 = block * rb, rows = std::min(rb, n - r0);
      std::vector<TopK> tops;
      tops.reserve(static_cast<std::size_t>(rows));
      for (std::int64_t r = 0; r < rows; ++r)
        tops.push_back(TopK{out.scores.data() + (r0 + r) * k, out.ids.data() + (r0 + r) * k, k});
      for (std::int64_t c0 = 0; c0 < n; c0 += cb) {
        const std::int64_t cols = std::min(cb, n - c0);
        gemm_abt(data->row(r0), data->row(c0), tile.data(), rows, cols, dim, cols);
        if (config.metric == Metric::euclidean) {
          for (std::int64_t r = 0; r < rows; ++r) {
            float* t = tile.data() + r * cols;
            for (std::int64_t c = 0; c < cols; ++c) t[c] = 2.0f * t[c] - squared_norms[c0 + c];
          }
        }
        for (std::int64_t r = 0; r < rows; ++r) {
          const float* t = tile.data() + r * cols;
          TopK& top = tops[r];
          const std::int64_t self = r0 + r;
          for (std::int64_t c = 0; c < cols; ++c) {
            const std::int64_t j = c0 + c;
            if (j != self) top.offer(t[c], j);
          }
        }
      }
      if (config.progress) {
#pragma omp critical(datakernel_knn_progress)
        config.progress(++finished_blocks);
      }
    }
  }
  return out;
}

Graph graph_from_neighbours(const NeighbourLists& lists, Symmetrize rule) {
  EdgeList edges(lists.n);
  edges.reserve(lists.ids.size());
  for (std::int64_t i = 0; i < lists.n; ++i)
    for (int r = 0; r < lists.k; ++r) edges.add(i, lists.ids[static_cast<std::size_t>(i) * lists.k + r]);
  return edges.build(rule);
}

Graph knn_graph(const Embeddings& y, const KnnConfig& config) {
  return graph_from_neighbours(knn_search(y, config), config.symmetrize);
}

}  // namespace dk
