#include "datakernel/kernel/knn.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "datakernel/error.hpp"
#include "kernel/exact_search.hpp"
#include "kernel/knn_clustered.hpp"
#include "kernel/knn_hnsw.hpp"
#include "runtime/random.hpp"

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

void validate_for_knn(const EmbeddingsView& y, const KnnConfig& config, const std::string& what) {
  const int k = config.k > 0 ? config.k : default_k(y.n);
  if (k >= y.n)
    throw InputError(what + ": k = " + std::to_string(k) + " must be smaller than the number of data n = " +
                     std::to_string(y.n));
  if (config.metric != Metric::cosine) {
    // dot / euclidean scores are computed in the data's precision (float32 unless given float64): with
    // squared row norms beyond max/4 they overflow to Inf (euclidean forms 2 y_i.y_j - |y_j|^2), and with all
    // of them below min_normal * 2^(mantissa bits) they fall into subnormals and lose their order. Either way a
    // different graph would be built silently; cosine normalises in double and is safe.
    double largest = 0.0;
    for (std::int64_t i = 0; i < y.n; ++i) {
      double s = 0.0;
      for (std::int64_t c = 0; c < y.dim; ++c) s += y.at(i, c) * y.at(i, c);
      if (!std::isnan(s)) largest = std::max(largest, s);  // NaN rows are reported by their own check
    }
    const bool f32 = y.f32 != nullptr;
    const double max = f32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
    const double low = f32 ? std::ldexp(static_cast<double>(std::numeric_limits<float>::min()), 24)
                           : std::ldexp(std::numeric_limits<double>::min(), 53);
    const char* type = f32 ? "float32" : "float64";
    if (largest > max / 4)
      throw InputError(fmt::format(
          "{}: values too large for {{metric={}}}: the largest squared row norm {:.3g} makes {} similarity scores "
          "overflow (limit {:.3g}); use {{metric=cosine}}, or divide the embeddings by a power of two (the graph "
          "does not change)",
          what, metric_name(config.metric), largest, type, max / 4));
    if (largest > 0 && largest < low)
      throw InputError(fmt::format(
          "{}: values too small for {{metric={}}}: the largest squared row norm {:.3g} makes {} similarity scores "
          "underflow into subnormals (need at least {:.3g}); use {{metric=cosine}}, or multiply the embeddings by a "
          "power of two (the graph does not change)",
          what, metric_name(config.metric), largest, type, low));
    return;
  }
  for (std::int64_t i = 0; i < y.n; ++i) {
    bool zero = true;
    for (std::int64_t c = 0; c < y.dim && zero; ++c) zero = y.at(i, c) == 0.0;
    if (zero)
      throw InputError(what + ": row " + std::to_string(i) +
                       " (0-based) is all zeros; cosine similarity is undefined for it (use {metric=dot} or "
                       "{metric=euclidean}, or remove the datum)");
  }
}

namespace {

// The exact top-k of every datum, or of the data in `subset` only (rows of the result in subset's order); or, with
// `clustered`, the clustered search's top-k of every datum.
template <class T>
NeighbourLists knn_search_typed(const T* values, std::int64_t n, std::int64_t dim, const KnnConfig& config,
                                const std::vector<std::int64_t>* subset = nullptr, bool clustered = false) {
  const int k = config.k > 0 ? config.k : default_k(n);
  // Prepared copy only where the metric needs one: L2-normalised rows for cosine; squared norms for euclidean.
  const T* data = values;
  std::vector<T> normalised, squared_norms;
  if (config.metric == Metric::cosine) {
    normalised.assign(values, values + n * dim);
    for (std::int64_t i = 0; i < n; ++i) {
      T* r = normalised.data() + i * dim;
      double s = 0.0;
      for (std::int64_t c = 0; c < dim; ++c) s += static_cast<double>(r[c]) * r[c];
      const T inv = static_cast<T>(1.0 / std::sqrt(s));
      for (std::int64_t c = 0; c < dim; ++c) r[c] *= inv;
    }
    data = normalised.data();
  } else if (config.metric == Metric::euclidean) {
    squared_norms.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      double s = 0.0;
      for (std::int64_t c = 0; c < dim; ++c) s += static_cast<double>(values[i * dim + c]) * values[i * dim + c];
      squared_norms[i] = static_cast<T>(s);
    }
  }
  const PreparedData<T> prepared{data, n, dim, squared_norms.empty() ? nullptr : squared_norms.data()};

  NeighbourLists out;
  std::vector<T> scores;
  if (subset)
    exact_search_rows(prepared, *subset, config, k, scores, out);
  else if (clustered)
    clustered_search_all(prepared, config, k, scores, out);
  else
    exact_search_all(prepared, config, k, scores, out);
  if (config.cancelled && config.cancelled()) throw Cancelled("kNN search cancelled");
  for (std::size_t i = 0; i < scores.size(); ++i) out.scores[i] = static_cast<float>(scores[i]);
  return out;
}

}  // namespace

KnnMethod parse_knn_method(const std::string& name) {
  if (name == "exact") return KnnMethod::exact;
  if (name == "hnsw") return KnnMethod::hnsw;
  if (name == "clustered") return KnnMethod::clustered;
  if (name == "auto") return KnnMethod::automatic;
  throw InputError("{knn} must be exact, clustered, hnsw or auto, got '" + name + "'");
}

std::string knn_method_name(KnnMethod method) {
  switch (method) {
    case KnnMethod::exact: return "exact";
    case KnnMethod::hnsw: return "hnsw";
    case KnnMethod::clustered: return "clustered";
    case KnnMethod::automatic: return "auto";
  }
  return "?";
}

KnnMethod resolved_knn_method(const KnnConfig& config, std::int64_t n) {
  if (config.method != KnnMethod::automatic) return config.method;
  return n >= config.approximate_from ? KnnMethod::clustered : KnnMethod::exact;
}

std::vector<std::int64_t> seeded_recall_rows(std::int64_t n, std::int64_t count, std::uint64_t seed) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), 0);
  rand::Engine engine(seed);
  rand::shuffle(rows.begin(), rows.end(), engine);
  rows.resize(static_cast<std::size_t>(std::clamp<std::int64_t>(count, 0, n)));
  std::sort(rows.begin(), rows.end());
  return rows;
}

NeighbourLists exact_neighbours_of(const EmbeddingsView& y, const KnnConfig& config,
                                   const std::vector<std::int64_t>& rows) {
  KnnConfig quiet = config;
  quiet.progress = nullptr;
  return y.f32 ? knn_search_typed(y.f32, y.n, y.dim, quiet, &rows) : knn_search_typed(y.f64, y.n, y.dim, quiet, &rows);
}

double knn_recall(const EmbeddingsView& y, const KnnConfig& config, const NeighbourLists& lists,
                  const std::vector<std::int64_t>& rows) {
  if (rows.empty()) return 1.0;
  const NeighbourLists exact = exact_neighbours_of(y, config, rows);
  std::int64_t found = 0;
  for (std::size_t q = 0; q < rows.size(); ++q) {
    const std::int64_t* truth = exact.ids.data() + q * exact.k;
    const std::int64_t* got = lists.ids.data() + rows[q] * lists.k;
    for (int a = 0; a < exact.k; ++a) found += std::count(got, got + lists.k, truth[a]) > 0;
  }
  return static_cast<double>(found) / (static_cast<double>(rows.size()) * exact.k);
}

NeighbourLists knn_search(const EmbeddingsView& y, const KnnConfig& config) {
  validate_for_knn(y, config, "embeddings");
  const KnnMethod method = resolved_knn_method(config, y.n);
  if (method == KnnMethod::hnsw) return knn_search_hnsw(y, config);
  if (method == KnnMethod::clustered) {
    clustered_plan(config.clustered, y.n);  // bad parameters rejected before any work
    NeighbourLists lists = y.f32 ? knn_search_typed(y.f32, y.n, y.dim, config, nullptr, true)
                                 : knn_search_typed(y.f64, y.n, y.dim, config, nullptr, true);
    lists.method = KnnMethod::clustered;
    const std::vector<std::int64_t> rows = seeded_recall_rows(y.n, config.recall_rows, config.clustered.seed);
    if (!rows.empty()) {
      lists.recall = knn_recall(y, config, lists, rows);
      lists.recall_rows = static_cast<std::int64_t>(rows.size());
    }
    return lists;
  }
  NeighbourLists lists =
      y.f32 ? knn_search_typed(y.f32, y.n, y.dim, config) : knn_search_typed(y.f64, y.n, y.dim, config);
  lists.method = KnnMethod::exact;
  return lists;
}

Graph graph_from_neighbours(const NeighbourLists& lists, Symmetrize rule) {
  return graph_from_lists(lists.n, lists.k, lists.ids.data(), rule);
}

Graph knn_graph(const EmbeddingsView& y, const KnnConfig& config) {
  return graph_from_neighbours(knn_search(y, config), config.symmetrize);
}

}  // namespace dk
