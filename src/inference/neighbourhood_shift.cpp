#include "datakernel/inference/neighbourhood_shift.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <pcg_random.hpp>

#include "datakernel/error.hpp"
#include "datakernel/inference/similarity_map.hpp"
#include "datakernel/runtime/blas.hpp"

namespace dk {

SimilarityScale::SimilarityScale(const std::vector<double>& sorted_reference) : size_(sorted_reference.size()) {
  const double last = size_ > 1 ? static_cast<double>(size_ - 1) : 1.0;
  for (std::size_t first = 0; first < size_;) {
    std::size_t end = first;
    while (end < size_ && sorted_reference[end] == sorted_reference[first]) ++end;
    distinct_.push_back(sorted_reference[first]);
    mid_rank_.push_back((static_cast<double>(first) + static_cast<double>(end - 1 - first) / 2.0) / last);
    first = end;
  }
}

double SimilarityScale::value(double similarity) const {
  if (distinct_.empty()) return 0.5;
  const auto above = std::lower_bound(distinct_.begin(), distinct_.end(), similarity);
  if (above == distinct_.begin()) return mid_rank_.front();
  if (above == distinct_.end()) return mid_rank_.back();
  const auto at = static_cast<std::size_t>(above - distinct_.begin());
  const double x0 = distinct_[at - 1], x1 = distinct_[at];
  return mid_rank_[at - 1] + (similarity - x0) / (x1 - x0) * (mid_rank_[at] - mid_rank_[at - 1]);
}

std::vector<double> row_norms(const EmbeddingsView& y) {
  std::vector<double> norms(static_cast<std::size_t>(y.n));
  for (std::int64_t i = 0; i < y.n; ++i) {
    double s = 0.0;
    for (std::int64_t c = 0; c < y.dim; ++c) s += y.at(i, c) * y.at(i, c);
    norms[i] = std::sqrt(s);
  }
  return norms;
}

double pair_similarity(const EmbeddingsView& y, Metric metric, const std::vector<double>& norms, std::int64_t i,
                       std::int64_t j) {
  double dot = 0.0, squared = 0.0;
  if (metric == Metric::euclidean) {
    for (std::int64_t c = 0; c < y.dim; ++c) {
      const double d = y.at(i, c) - y.at(j, c);
      squared += d * d;
    }
    return -squared;
  }
  for (std::int64_t c = 0; c < y.dim; ++c) dot += y.at(i, c) * y.at(j, c);
  if (metric == Metric::dot) return dot;
  return dot / (norms[i] * norms[j]);
}

double rounding_tolerance(Metric metric, double epsilon, double norm_i, double norm_j, double similarity) {
  const double both = 2.0 * epsilon + epsilon * epsilon;
  if (metric == Metric::cosine) return both;
  if (metric == Metric::dot) return both * norm_i * norm_j;
  const double sum = norm_i + norm_j;
  return 2.0 * epsilon * std::sqrt(std::max(0.0, -similarity)) * sum + epsilon * epsilon * sum * sum;
}

double float32_rounding(std::int64_t dim, double lambda) {
  return lambda * std::sqrt(static_cast<double>(std::max<std::int64_t>(dim, 1))) * 0x1p-24;
}

std::vector<std::pair<std::int64_t, std::int64_t>> reference_random_pairs(std::int64_t n, std::int64_t k,
                                                                          std::uint64_t seed, std::int64_t max_each,
                                                                          int random_per_knn) {
  if (n < 2) throw InputError("reference pairs: need at least 2 data");
  // The stream of similarity_scale: the list slots' draws (when they are subsampled) come first.
  pcg32 rng(seed, 0x5eed5ca1e);
  const std::int64_t pairs = n * k, each = std::min(pairs, max_each);
  for (std::int64_t s = 0; s < each && each < pairs; ++s) {
    const std::int64_t slot = static_cast<std::int64_t>(rng(static_cast<std::uint32_t>(n))) * k +
                              rng(static_cast<std::uint32_t>(k));
    static_cast<void>(slot);
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> out(static_cast<std::size_t>(each * random_per_knn));
  for (auto& [i, j] : out) {
    i = rng(static_cast<std::uint32_t>(n));
    j = rng(static_cast<std::uint32_t>(n - 1));
    if (j >= i) ++j;
  }
  return out;
}

SimilarityScale similarity_scale(const EmbeddingsView& y, Metric metric, const NeighbourLists& lists,
                                 std::uint64_t seed, std::int64_t max_each, int random_per_knn) {
  if (random_per_knn < 1) throw InputError("similarity scale: random_per_knn must be at least 1");
  if (lists.n != y.n) throw InputError("similarity scale: neighbour lists and embeddings differ in n");
  const std::int64_t n = y.n, k = lists.k, pairs = n * k;
  const std::int64_t each = std::min(pairs, max_each);
  const std::vector<double> norms = row_norms(y);
  // Pairs first (one sequential stream: the sample does not depend on the thread count), similarities after.
  pcg32 rng(seed, 0x5eed5ca1e);
  const std::int64_t randoms = each * random_per_knn;
  std::vector<std::pair<std::int64_t, std::int64_t>> sample(static_cast<std::size_t>(each + randoms));
  for (std::int64_t s = 0; s < each; ++s) {
    const std::int64_t slot = each == pairs ? s : static_cast<std::int64_t>(rng(static_cast<std::uint32_t>(n))) * k +
                                                      rng(static_cast<std::uint32_t>(k));
    sample[s] = {slot / k, lists.ids[slot]};
  }
  // The same draws as reference_random_pairs (which replays this stream).
  for (std::int64_t s = 0; s < randoms; ++s) {
    const std::int64_t i = rng(static_cast<std::uint32_t>(n));
    std::int64_t j = rng(static_cast<std::uint32_t>(n - 1));
    if (j >= i) ++j;
    sample[each + s] = {i, j};
  }
  std::vector<double> reference(sample.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t s = 0; s < static_cast<std::int64_t>(sample.size()); ++s)
    reference[s] = pair_similarity(y, metric, norms, sample[s].first, sample[s].second);
  std::sort(reference.begin(), reference.end());
  return SimilarityScale(reference);
}

namespace {

double median_in_place(std::vector<double>& v) {
  const std::size_t half = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(half), v.end());
  const double upper = v[half];
  if (v.size() % 2 == 1) return upper;
  return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(half)));
}

}  // namespace

NeighbourhoodShift neighbourhood_shift(const NeighbourhoodModel& a, const NeighbourhoodModel& b, Metric metric,
                                       int threads, std::uint64_t seed, ScaleComparison comparison,
                                       double rounding_lambda) {
  if (a.lists == nullptr || b.lists == nullptr || a.scale == nullptr || b.scale == nullptr)
    throw InputError("neighbourhood shift: both models need neighbour lists and a similarity scale");
  const std::int64_t n = a.embeddings.n;
  if (b.embeddings.n != n || a.lists->n != n || b.lists->n != n)
    throw InputError("neighbourhood shift: the two models have different numbers of data");
  if (a.lists->k != b.lists->k) throw InputError("neighbourhood shift: the two models' lists differ in k");
  if (!(rounding_lambda >= 0.0)) throw InputError("neighbourhood shift: rounding_lambda must be at least 0");
  const int k = a.lists->k;
  const bool paired = comparison == ScaleComparison::paired_map;
  const std::vector<double> norms_a = row_norms(a.embeddings), norms_b = row_norms(b.embeddings);
  NeighbourhoodShift out;
  out.shift.resize(n);
  out.paired_map = paired;
  const bool identical_unchanged = comparison == ScaleComparison::marginal_except_identical;
  const double epsilon_a = float32_rounding(a.embeddings.dim, rounding_lambda),
               epsilon_b = float32_rounding(b.embeddings.dim, rounding_lambda);
  // Two similarities agree when they differ by no more than rounding of either model's rows can explain.
  auto agree = [&](double sa, double sb, std::int64_t i, std::int64_t j) {
    if (sa == sb) return true;
    const double tolerance = std::max(rounding_tolerance(metric, epsilon_a, norms_a[i], norms_a[j], sa),
                                      rounding_tolerance(metric, epsilon_b, norms_b[i], norms_b[j], sb));
    return std::abs(sa - sb) <= tolerance;
  };
  out.zero_means_unchanged = paired || identical_unchanged;
  // One rank of the smaller reference sample: a step of F_g; on the averaged scale of the paired map, half that.
  const double smaller = static_cast<double>(std::max<std::size_t>(std::min(a.scale->size(), b.scale->size()), 2));
  out.resolution = (paired ? 0.5 : 1.0) / (smaller - 1.0);
  out.jaccard.resize(n);
  out.rank_change.resize(n);
  // U_i has at most 2k entries: slot i owns [2k i, 2k i + |U_i|) until compaction below.
  const std::size_t slots = static_cast<std::size_t>(n) * 2 * k;
  std::vector<std::int32_t> slot_neighbours(slots);
  std::vector<double> slot_a(slots), slot_b(slots);
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(n));
  const int used_threads = threads > 0 ? threads : openmp_threads();
#pragma omp parallel num_threads(used_threads)
  {
    std::vector<std::tuple<std::int64_t, int, int>> u;
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t* la = a.lists->ids.data() + i * k;
      const std::int64_t* lb = b.lists->ids.data() + i * k;
      // U_i with ranks in both lists (k+1 when absent); lists are short, so a linear search is fastest.
      u.clear();
      for (int r = 0; r < k; ++r) u.emplace_back(la[r], r + 1, k + 1);
      for (int r = 0; r < k; ++r) {
        bool found = false;
        for (int t = 0; t < k && !found; ++t)
          if (std::get<0>(u[t]) == lb[r]) {
            std::get<2>(u[t]) = r + 1;
            found = true;
          }
        if (!found) u.emplace_back(lb[r], k + 1, r + 1);
      }
      const auto union_size = static_cast<double>(u.size());
      double footrule = 0.0;
      std::size_t slot = static_cast<std::size_t>(i) * 2 * k;
      for (const auto& [j, ra, rb] : u) {
        footrule += std::abs(ra - rb);
        slot_neighbours[slot] = static_cast<std::int32_t>(j);
        slot_a[slot] = pair_similarity(a.embeddings, metric, norms_a, i, j);
        slot_b[slot++] = pair_similarity(b.embeddings, metric, norms_b, i, j);
      }
      sizes[i] = static_cast<std::int64_t>(u.size());
      out.jaccard[i] = 1.0 - (2.0 * k - union_size) / union_size;
      out.rank_change[i] = footrule / (static_cast<double>(k) * (k + 1));
    }
  }
  SimilarityMap map;
  if (paired) {
    // The map's pairs: every (i, j ∈ U_i) and the common random pairs of the reference samples' size.
    const auto randoms = reference_random_pairs(n, k, seed);
    std::vector<std::pair<double, double>> measured(randoms.size());
#pragma omp parallel for schedule(static) num_threads(used_threads)
    for (std::int64_t s = 0; s < static_cast<std::int64_t>(randoms.size()); ++s) {
      const auto [i, j] = randoms[s];
      measured[s] = {pair_similarity(a.embeddings, metric, norms_a, i, j),
                     pair_similarity(b.embeddings, metric, norms_b, i, j)};
    }
    for (std::int64_t i = 0; i < n; ++i)
      for (std::size_t slot = static_cast<std::size_t>(i) * 2 * k, e = slot + sizes[i]; slot < e; ++slot)
        measured.emplace_back(slot_a[slot], slot_b[slot]);
    map = SimilarityMap::fit(std::move(measured));
  }
  out.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (std::int64_t i = 0; i < n; ++i) out.offsets[i + 1] = out.offsets[i] + sizes[i];
  out.neighbours.resize(static_cast<std::size_t>(out.offsets[n]));
  out.changes.resize(out.neighbours.size());
  auto averaged = [&](double s) { return 0.5 * (a.scale->value(s) + b.scale->value(s)); };
#pragma omp parallel num_threads(used_threads)
  {
    std::vector<double> changes;
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t i = 0; i < n; ++i) {
      changes.clear();
      const std::size_t from = static_cast<std::size_t>(i) * 2 * k;
      for (std::int64_t t = 0; t < sizes[i]; ++t) {
        const double sa = slot_a[from + t], sb = slot_b[from + t];
        double change = 0.0;
        if (paired) change = std::abs(averaged(sb) - averaged(map.predict(sa)));
        else if (!(identical_unchanged && agree(sa, sb, i, slot_neighbours[from + t])))
          change = std::abs(a.scale->value(sa) - b.scale->value(sb));
        out.neighbours[out.offsets[i] + t] = slot_neighbours[from + t];
        out.changes[out.offsets[i] + t] = change;
        changes.push_back(change);
      }
      out.shift[i] = median_in_place(changes);
    }
  }
  return out;
}

Eigen::VectorXd shift_without(const NeighbourhoodShift& shift, const std::vector<bool>& moved, int minimum_left) {
  const auto n = static_cast<std::int64_t>(shift.offsets.size()) - 1;
  Eigen::VectorXd out = shift.shift;
  std::vector<double> left;
  for (std::int64_t i = 0; i < n; ++i) {
    left.clear();
    for (std::int64_t e = shift.offsets[i]; e < shift.offsets[i + 1]; ++e)
      if (!moved[shift.neighbours[e]]) left.push_back(shift.changes[e]);
    if (static_cast<int>(left.size()) >= minimum_left) out[i] = median_in_place(left);
  }
  return out;
}

Eigen::VectorXd graph_jaccard(const Graph& a, const Graph& b) {
  if (a.n != b.n) throw InputError("graph Jaccard: the two graphs have different numbers of data");
  Eigen::VectorXd out(a.n);
  for (std::int64_t i = 0; i < a.n; ++i) {
    std::int64_t p = a.row_offsets[i], q = b.row_offsets[i], shared = 0;
    const std::int64_t pe = a.row_offsets[i + 1], qe = b.row_offsets[i + 1];
    while (p < pe && q < qe) {
      if (a.columns[p] == b.columns[q]) ++shared, ++p, ++q;
      else if (a.columns[p] < b.columns[q]) ++p;
      else ++q;
    }
    const std::int64_t united = a.degree(i) + b.degree(i) - shared;
    out[i] = united == 0 ? 0.0 : 1.0 - static_cast<double>(shared) / static_cast<double>(united);
  }
  return out;
}

}  // namespace dk
