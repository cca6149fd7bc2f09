#include "kernel/knn_clustered.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>

#include <fmt/format.h>

#include "datakernel/error.hpp"
#include "datakernel/runtime/blas.hpp"
#include "kernel/kmeans_partition.hpp"
#include "kernel/score_filter.hpp"
#include "kernel/top_k.hpp"

namespace dk {
namespace {

// The prepared data copied in cell order: cell c holds positions [starts[c], starts[c + 1]), its data in
// increasing index order.
template <class T>
struct CellOrder {
  std::vector<std::int64_t> starts;  // clusters + 1
  std::vector<std::int64_t> ids;     // position → datum
  std::vector<T> rows;               // positions × dim
  std::vector<T> squared_norms;      // positions; euclidean only
};

template <class T>
CellOrder<T> cell_order(const PreparedData<T>& data, const std::vector<std::int32_t>& assignment,
                        std::int64_t clusters, int threads) {
  const std::int64_t n = data.n, dim = data.dim;
  CellOrder<T> cells;
  cells.starts.assign(static_cast<std::size_t>(clusters + 1), 0);
  for (const std::int32_t c : assignment) ++cells.starts[c + 1];
  for (std::int64_t c = 0; c < clusters; ++c) cells.starts[c + 1] += cells.starts[c];
  std::vector<std::int64_t> next(cells.starts.begin(), cells.starts.end() - 1);
  cells.ids.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) cells.ids[next[assignment[i]]++] = i;
  cells.rows.resize(static_cast<std::size_t>(n * dim));
  if (data.squared_norms) cells.squared_norms.resize(static_cast<std::size_t>(n));
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::int64_t p = 0; p < n; ++p) {
    const std::int64_t i = cells.ids[p];
    std::copy(data.rows + i * dim, data.rows + (i + 1) * dim, cells.rows.data() + p * dim);
    if (data.squared_norms) cells.squared_norms[p] = data.squared_norms[i];
  }
  return cells;
}

// For each cell a, the cells b ≥ a it is compared with (b among a's probes or a among b's), nearest first. A cell probes itself and
// the non-empty cells whose centroids score highest against its centroid (the metric's score between centroids,
// ties to the lower index), `probes` in all.
template <class T>
std::vector<std::vector<std::int32_t>> partner_cells(const KmeansPartition<T>& partition,
                                                     const std::vector<std::int64_t>& starts, Metric metric,
                                                     std::int64_t probes, int threads) {
  const std::int64_t clusters = partition.clusters, dim = partition.dim;
  std::vector<T> offsets(static_cast<std::size_t>(clusters), T(0));
  if (metric == Metric::euclidean)
    for (std::int64_t c = 0; c < clusters; ++c) {
      double s = 0.0;
      for (std::int64_t j = 0; j < dim; ++j) s += static_cast<double>(partition.centroids[c * dim + j]) *
                                                  partition.centroids[c * dim + j];
      offsets[c] = static_cast<T>(s);
    }
  const T scale = metric == Metric::euclidean ? T(2) : T(1);
  const auto empty = [&](std::int64_t c) { return starts[c + 1] == starts[c]; };
  std::vector<std::int32_t> probed(static_cast<std::size_t>(clusters * probes), -1);
  constexpr std::int64_t chunk = 256;
  const std::int64_t chunks = (clusters + chunk - 1) / chunk;
  {
    BlasSingleThreaded single_threaded_blas;
#pragma omp parallel num_threads(threads)
    {
      std::vector<T> products(static_cast<std::size_t>(chunk * clusters)), best_scores(probes);
      std::vector<std::int64_t> best_ids(static_cast<std::size_t>(probes));
#pragma omp for schedule(dynamic, 1)
      for (std::int64_t b = 0; b < chunks; ++b) {
        const std::int64_t a0 = b * chunk, size = std::min(chunk, clusters - a0);
        gemm_abt(partition.centroids.data() + a0 * dim, partition.centroids.data(), products.data(), size, clusters,
                 dim, clusters);
        for (std::int64_t r = 0; r < size; ++r) {
          const std::int64_t a = a0 + r;
          if (empty(a)) continue;
          TopK<T> top{best_scores.data(), best_ids.data(), static_cast<int>(probes)};
          best_scores[0] = std::numeric_limits<T>::infinity(), best_ids[0] = a, top.size = 1;  // it probes itself
          for (std::int64_t c = 0; c < clusters; ++c)
            if (c != a && !empty(c)) top.offer(scale * products[r * clusters + c] - offsets[c], c);
          for (int q = 0; q < top.size; ++q) probed[a * probes + q] = static_cast<std::int32_t>(best_ids[q]);
        }
      }
    }
  }
  std::vector<std::vector<std::int32_t>> partners(static_cast<std::size_t>(clusters));
  for (std::int64_t a = 0; a < clusters; ++a)
    for (std::int64_t q = 0; q < probes; ++q) {
      const std::int32_t b = probed[a * probes + q];
      if (b < 0) break;
      partners[std::min<std::int64_t>(a, b)].push_back(static_cast<std::int32_t>(std::max<std::int64_t>(a, b)));
    }
  // Nearest partners first (a itself leads): the lists fill with good candidates early, so later tiles offer few.
  const auto closeness = [&](std::int64_t a, std::int64_t b) {
    double dot = 0.0, aa = 0.0, bb = 0.0;
    for (std::int64_t j = 0; j < dim; ++j) {
      const double x = partition.centroids[a * dim + j], y = partition.centroids[b * dim + j];
      dot += x * y, aa += x * x, bb += y * y;
    }
    return a == b ? std::numeric_limits<double>::infinity() : metric == Metric::euclidean ? 2 * dot - aa - bb : dot;
  };
  for (std::int64_t a = 0; a < clusters; ++a) {
    std::vector<std::int32_t>& list = partners[a];
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    std::vector<std::pair<double, std::int32_t>> ranked;
    for (const std::int32_t b : list) ranked.emplace_back(-closeness(a, b), b);
    std::sort(ranked.begin(), ranked.end());
    for (std::size_t q = 0; q < ranked.size(); ++q) list[q] = ranked[q].second;
  }
  return partners;
}

// A run of positions [from, from + count) of one cell inside a gathered column block, at column `at`.
struct Segment {
  std::int64_t cell, from, count, at;
};

// The column blocks of cell a: its partners' positions, in order, cut into blocks of at most `width` columns.
std::vector<std::vector<Segment>> column_blocks(const std::vector<std::int32_t>& partners,
                                                const std::vector<std::int64_t>& starts, std::int64_t width) {
  std::vector<std::vector<Segment>> blocks(1);
  std::int64_t used = 0;
  for (const std::int32_t b : partners) {
    for (std::int64_t from = starts[b]; from < starts[b + 1];) {
      if (used == width) blocks.emplace_back(), used = 0;
      const std::int64_t count = std::min(width - used, starts[b + 1] - from);
      blocks.back().push_back(Segment{b, from, count, used});
      used += count;
      from += count;
    }
  }
  if (blocks.back().empty()) blocks.pop_back();
  return blocks;
}

// What both probe rules share: the data in cell order, the lists by position, a guard per cell, progress.
template <class T>
struct SearchState {
  const PreparedData<T>& data;
  const KnnConfig& config;
  const CellOrder<T>& cells;
  std::vector<TopK<T>>& tops;  // by position
  std::mutex* guards;          // by cell: the lists of its positions
  int threads;
  double total_work = 0.0, done_work = 0.0;  // score entries to compute, and computed
  std::int64_t row_blocks = 0, reported = 0;

  bool cancelled() const { return config.cancelled && config.cancelled(); }
  // Progress in exact search's unit (row blocks), by the share of score entries computed.
  void finished(double work) {
    if (!config.progress) return;
#pragma omp critical(datakernel_knn_progress)
    {
      done_work += work;
      const auto blocks = std::min(row_blocks, static_cast<std::int64_t>(done_work / total_work * row_blocks));
      if (blocks > reported) config.progress(reported = blocks);
    }
  }
};

// The tile's columns (data column_ids, score offsets column_offsets or none) offered to the lists of its rows
// rows_at … rows_at + rows − 1 (positions), each row's own datum skipped.
template <class T>
void offer_columns_to_rows(SearchState<T>& state, const T* tile, std::int64_t cols, const std::int64_t* row_positions,
                           std::int64_t rows, const std::int64_t* column_ids, const T* column_offsets,
                           std::int32_t* found) {
  const T scale = column_offsets ? T(2) : T(1);
  for (std::int64_t r = 0; r < rows; ++r) {
    const T* t = tile + r * cols;
    TopK<T>& top = state.tops[row_positions[r]];
    const std::int64_t self = state.cells.ids[row_positions[r]];
    const int candidates =
        candidates_over(t, column_offsets, scale, top.threshold(), static_cast<int>(cols), found);
    for (int q = 0; q < candidates; ++q) {
      const int c = found[q];
      if (column_ids[c] != self) top.offer(column_offsets ? scale * t[c] - column_offsets[c] : t[c], column_ids[c]);
    }
  }
}

// Per-cell probes: for each cell a, its partner cells' rows gathered into column blocks; a's rows × a block
// offered to a's lists and, transposed, to each partner's (b ≠ a).
template <class T>
void offer_by_cell_probes(SearchState<T>& state, const std::vector<std::vector<std::int32_t>>& partners) {
  const CellOrder<T>& cells = state.cells;
  const std::int64_t dim = state.data.dim, clusters = static_cast<std::int64_t>(partners.size());
  const std::int64_t width = std::max<std::int64_t>(state.config.col_block, 1);
  const std::int64_t height = std::max<std::int64_t>(state.config.row_block, 1);
  const bool euclidean = state.data.squared_norms != nullptr;
  const T scale = euclidean ? T(2) : T(1);
  for (std::int64_t a = 0; a < clusters; ++a)
    for (const std::int32_t b : partners[a])
      state.total_work +=
          double(cells.starts[a + 1] - cells.starts[a]) * double(cells.starts[b + 1] - cells.starts[b]);
  BlasSingleThreaded single_threaded_blas;
#pragma omp parallel num_threads(state.threads)
  {
    std::vector<T> columns(static_cast<std::size_t>(width * dim)), column_offsets(static_cast<std::size_t>(width));
    std::vector<T> products, thresholds(static_cast<std::size_t>(width));
    std::vector<std::int64_t> column_ids(static_cast<std::size_t>(width)), row_positions(static_cast<std::size_t>(height));
    std::vector<std::int32_t> found(static_cast<std::size_t>(width));
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t a = 0; a < clusters; ++a) {
      const std::int64_t a0 = cells.starts[a], a_size = cells.starts[a + 1] - a0;
      if (a_size == 0) continue;
      for (const std::vector<Segment>& block : column_blocks(partners[a], cells.starts, width)) {
        if (state.cancelled()) break;
        const std::int64_t cols = block.back().at + block.back().count;
        for (const Segment& s : block) {
          std::copy(cells.rows.data() + s.from * dim, cells.rows.data() + (s.from + s.count) * dim,
                    columns.data() + s.at * dim);
          std::copy(cells.ids.data() + s.from, cells.ids.data() + s.from + s.count, column_ids.data() + s.at);
          if (euclidean)
            std::copy(cells.squared_norms.data() + s.from, cells.squared_norms.data() + s.from + s.count,
                      column_offsets.data() + s.at);
        }
        for (std::int64_t r0 = 0; r0 < a_size; r0 += height) {
          const std::int64_t rows = std::min(height, a_size - r0), p0 = a0 + r0;
          products.resize(static_cast<std::size_t>(rows * cols));
          gemm_abt(cells.rows.data() + p0 * dim, columns.data(), products.data(), rows, cols, dim, cols);
          std::iota(row_positions.begin(), row_positions.begin() + rows, p0);
          {
            const std::lock_guard<std::mutex> lock(state.guards[a]);
            offer_columns_to_rows(state, products.data(), cols, row_positions.data(), rows, column_ids.data(),
                                  euclidean ? column_offsets.data() : nullptr, found.data());
          }
          for (const Segment& s : block) {  // a's rows offered to each other cell's lists (the transposed tile)
            if (s.cell == a) continue;
            const std::lock_guard<std::mutex> lock(state.guards[s.cell]);
            const int count = static_cast<int>(s.count);
            TopK<T>* column_tops = state.tops.data() + s.from;
            for (int c = 0; c < count; ++c) thresholds[c] = column_tops[c].threshold();
            for (std::int64_t r = 0; r < rows; ++r) {
              const T* t = products.data() + r * cols + s.at;
              const T offset = euclidean ? cells.squared_norms[p0 + r] : T(0);
              const int candidates = candidates_over_each(t, offset, scale, thresholds.data(), count, found.data());
              for (int q = 0; q < candidates; ++q) {
                const int c = found[q];
                column_tops[c].offer(euclidean ? scale * t[c] - offset : t[c], cells.ids[p0 + r]);
                thresholds[c] = column_tops[c].threshold();
              }
            }
          }
        }
        state.finished(double(a_size) * double(cols));
      }
    }
  }
}

// Per-datum probes: each datum is a query of the `probes` cells nearest to it (its own first). A pair of data x (cell
// a) and y (cell b ≠ a) is scored when x probes b or y probes a, and once only: when both do, in the tiles of the
// larger of a and b, with the datum of the smaller cell as the query (scoring it both ways computed 17% to 30% of
// the score entries twice on the sets measured). So for each cell b, its queries (gathered, in position
// order: runs of one home cell) are scored against
//   - all of b's rows when their cell is b or a smaller one,
//   - b's rows that do not probe the query's cell when that cell is larger (the others score the pair themselves),
// and each score is offered to the query's list and, transposed, to the b-datum's list (b's own queries only to
// theirs: every b-datum is one). Every pair reaches each of its two lists exactly once, as it did when such pairs
// were scored in both cells' tiles: the same lists.
template <class T>
void offer_by_datum_probes(SearchState<T>& state, const std::vector<std::int32_t>& nearest, std::int64_t listed,
                           const std::vector<std::int32_t>& cell_of) {
  const CellOrder<T>& cells = state.cells;
  const std::int64_t n = state.data.n, dim = state.data.dim;
  const std::int64_t clusters = static_cast<std::int64_t>(cells.starts.size()) - 1;
  const std::int64_t width = std::max<std::int64_t>(state.config.col_block, 1);
  const std::int64_t height = std::max<std::int64_t>(state.config.row_block, 1);
  const bool euclidean = state.data.squared_norms != nullptr;
  const T scale = euclidean ? T(2) : T(1);
  // The queries of each cell, as positions in increasing order.
  std::vector<std::int64_t> query_starts(static_cast<std::size_t>(clusters + 1), 0);
  for (std::int64_t p = 0; p < n; ++p)
    for (std::int64_t q = 0; q < listed; ++q)
      if (const std::int32_t b = nearest[cells.ids[p] * listed + q]; b >= 0) ++query_starts[b + 1];
  for (std::int64_t c = 0; c < clusters; ++c) query_starts[c + 1] += query_starts[c];
  std::vector<std::int64_t> queries(static_cast<std::size_t>(query_starts[clusters]));
  {
    std::vector<std::int64_t> next(query_starts.begin(), query_starts.end() - 1);
    for (std::int64_t p = 0; p < n; ++p)
      for (std::int64_t q = 0; q < listed; ++q)
        if (const std::int32_t b = nearest[cells.ids[p] * listed + q]; b >= 0) queries[next[b]++] = p;
  }
  // For each cell b, which of its data probe each larger cell a: (a, position − start of b), sorted.
  struct Reach {
    std::int32_t cell, offset;
  };
  std::vector<std::int64_t> reach_starts(static_cast<std::size_t>(clusters + 1), 0);
  for (std::int64_t p = 0; p < n; ++p)
    for (std::int64_t q = 0; q < listed; ++q)
      if (const std::int32_t a = nearest[cells.ids[p] * listed + q]; a > cell_of[p]) ++reach_starts[cell_of[p] + 1];
  for (std::int64_t c = 0; c < clusters; ++c) reach_starts[c + 1] += reach_starts[c];
  std::vector<Reach> reaches(static_cast<std::size_t>(reach_starts[clusters]));
  {
    std::vector<std::int64_t> next(reach_starts.begin(), reach_starts.end() - 1);
    for (std::int64_t p = 0; p < n; ++p) {
      const std::int32_t b = cell_of[p];
      for (std::int64_t q = 0; q < listed; ++q)
        if (const std::int32_t a = nearest[cells.ids[p] * listed + q]; a > b)
          reaches[next[b]++] = Reach{a, static_cast<std::int32_t>(p - cells.starts[b])};
    }
  }
#pragma omp parallel for schedule(dynamic, 16) num_threads(state.threads)
  for (std::int64_t b = 0; b < clusters; ++b)
    std::stable_sort(reaches.begin() + reach_starts[b], reaches.begin() + reach_starts[b + 1],
                     [](const Reach& x, const Reach& y) { return x.cell < y.cell; });
  // Cell b's queries from larger cells, by runs of one home cell a, with the range of b's data that probe a.
  const auto for_each_larger_run = [&](std::int64_t b, auto&& visit) {
    const Reach* reach = reaches.data() + reach_starts[b];
    const Reach* const reach_end = reaches.data() + reach_starts[b + 1];
    for (std::int64_t r = query_starts[b], end; r < query_starts[b + 1]; r = end) {
      const std::int32_t home = cell_of[queries[r]];
      for (end = r + 1; end < query_starts[b + 1] && cell_of[queries[end]] == home;) ++end;
      if (home <= b) continue;
      while (reach != reach_end && reach->cell < home) ++reach;
      const Reach* probing_end = reach;
      while (probing_end != reach_end && probing_end->cell == home) ++probing_end;
      visit(r, end, reach, probing_end);
      reach = probing_end;
    }
  };
  std::vector<double> work(static_cast<std::size_t>(clusters), 0.0);
#pragma omp parallel for schedule(dynamic, 16) num_threads(state.threads)
  for (std::int64_t b = 0; b < clusters; ++b) {
    const std::int64_t size = cells.starts[b + 1] - cells.starts[b];
    std::int64_t smaller = 0;
    for (std::int64_t r = query_starts[b]; r < query_starts[b + 1]; ++r) smaller += cell_of[queries[r]] <= b;
    double entries = double(smaller) * double(size);
    for_each_larger_run(b, [&](std::int64_t r, std::int64_t end, const Reach* probing, const Reach* probing_end) {
      entries += double(end - r) * double(size - (probing_end - probing));
    });
    work[static_cast<std::size_t>(b)] = entries;
  }
  for (const double w : work) state.total_work += w;
  // The cells with the most work first, so that no large cell is left for the end of the parallel loop.
  std::vector<std::int64_t> largest_first(static_cast<std::size_t>(clusters));
  std::iota(largest_first.begin(), largest_first.end(), 0);
  std::stable_sort(largest_first.begin(), largest_first.end(),
                   [&](std::int64_t a, std::int64_t b) { return work[a] > work[b]; });
  BlasSingleThreaded single_threaded_blas;
#pragma omp parallel num_threads(state.threads)
  {
    std::vector<T> rows(static_cast<std::size_t>(height * dim)), row_offsets(static_cast<std::size_t>(height));
    std::vector<T> products(static_cast<std::size_t>(height * width)), thresholds(static_cast<std::size_t>(width));
    std::vector<T> gathered, gathered_offsets;
    std::vector<std::int64_t> full_queries, column_positions, column_ids;
    std::vector<std::int32_t> found(static_cast<std::size_t>(width));
    // The queries positions[0 .. count) against the columns at column_positions (their rows column_rows, in that
    // order), in tiles: offered to the queries' lists, and to the columns' lists except from b's own queries.
    const auto score = [&](std::int64_t b, const std::int64_t* positions, std::int64_t count, const T* column_rows,
                           const std::int64_t* column_at, std::int64_t columns) {
      for (std::int64_t c0 = 0; c0 < columns; c0 += width) {
        const std::int64_t cols = std::min(width, columns - c0);
        column_ids.resize(static_cast<std::size_t>(cols));
        gathered_offsets.resize(static_cast<std::size_t>(cols));
        for (std::int64_t c = 0; c < cols; ++c) {
          column_ids[c] = cells.ids[column_at[c0 + c]];
          if (euclidean) gathered_offsets[c] = cells.squared_norms[column_at[c0 + c]];
        }
        const T* column_offsets = euclidean ? gathered_offsets.data() : nullptr;
        for (std::int64_t r0 = 0; r0 < count; r0 += height) {
          if (state.cancelled()) return;
          const std::int64_t rows_now = std::min(height, count - r0);
          const std::int64_t* at = positions + r0;
          for (std::int64_t r = 0; r < rows_now; ++r) {
            std::copy(cells.rows.data() + at[r] * dim, cells.rows.data() + (at[r] + 1) * dim, rows.data() + r * dim);
            if (euclidean) row_offsets[r] = cells.squared_norms[at[r]];
          }
          gemm_abt(rows.data(), column_rows + c0 * dim, products.data(), rows_now, cols, dim, cols);
          // To the queries' lists: runs of queries of one cell under that cell's guard.
          for (std::int64_t r = 0; r < rows_now;) {
            const std::int32_t home = cell_of[at[r]];
            std::int64_t end = r + 1;
            while (end < rows_now && cell_of[at[end]] == home) ++end;
            const std::lock_guard<std::mutex> lock(state.guards[home]);
            offer_columns_to_rows(state, products.data() + r * cols, cols, at + r, end - r, column_ids.data(),
                                  column_offsets, found.data());
            r = end;
          }
          // To the columns' lists (all of them b's data).
          const std::lock_guard<std::mutex> lock(state.guards[b]);
          for (std::int64_t c = 0; c < cols; ++c) thresholds[c] = state.tops[column_at[c0 + c]].threshold();
          for (std::int64_t r = 0; r < rows_now; ++r) {
            if (cell_of[at[r]] == b) continue;  // b's own data: every b-datum is a query of b
            const T* t = products.data() + r * cols;
            const T offset = euclidean ? row_offsets[r] : T(0);
            const int candidates =
                candidates_over_each(t, offset, scale, thresholds.data(), static_cast<int>(cols), found.data());
            for (int q = 0; q < candidates; ++q) {
              const int c = found[q];
              TopK<T>& top = state.tops[column_at[c0 + c]];
              top.offer(euclidean ? scale * t[c] - offset : t[c], cells.ids[at[r]]);
              thresholds[c] = top.threshold();
            }
          }
        }
        state.finished(double(count) * double(cols));
      }
    };
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t item = 0; item < clusters; ++item) {
      const std::int64_t b = largest_first[item];
      const std::int64_t b0 = cells.starts[b], size = cells.starts[b + 1] - b0;
      if (size == 0) continue;
      full_queries.clear();
      for (std::int64_t r = query_starts[b]; r < query_starts[b + 1]; ++r)
        if (cell_of[queries[r]] <= b) full_queries.push_back(queries[r]);
      column_positions.resize(static_cast<std::size_t>(size));
      std::iota(column_positions.begin(), column_positions.end(), b0);
      score(b, full_queries.data(), static_cast<std::int64_t>(full_queries.size()), cells.rows.data() + b0 * dim,
            column_positions.data(), size);
      for_each_larger_run(b, [&](std::int64_t r, std::int64_t end, const Reach* probing, const Reach* probing_end) {
        // b's data that do not probe the queries' cell (offsets `probing` are increasing).
        column_positions.clear();
        for (std::int64_t c = 0; c < size; ++c) {
          if (probing != probing_end && probing->offset == c) {
            ++probing;
            continue;
          }
          column_positions.push_back(b0 + c);
        }
        const std::int64_t columns = static_cast<std::int64_t>(column_positions.size());
        if (columns == 0) return;
        gathered.resize(static_cast<std::size_t>(columns * dim));
        for (std::int64_t c = 0; c < columns; ++c)
          std::copy(cells.rows.data() + column_positions[c] * dim, cells.rows.data() + (column_positions[c] + 1) * dim,
                    gathered.data() + c * dim);
        score(b, queries.data() + r, end - r, gathered.data(), column_positions.data(), columns);
      });
    }
  }
}

}  // namespace

ClusteredPlan clustered_plan(const ClusteredConfig& config, std::int64_t n) {
  if (config.clusters < 0)
    throw InputError(fmt::format("clustered kNN: clusters = {} must be 0 (the default) or positive", config.clusters));
  if (config.clusters > n)
    throw InputError(fmt::format("clustered kNN: clusters = {} exceeds the number of data n = {}", config.clusters, n));
  if (!(config.clusters_per_root_n > 0) || !std::isfinite(config.clusters_per_root_n))
    throw InputError(fmt::format("clustered kNN: clusters_per_root_n = {} must be a positive number",
                                 config.clusters_per_root_n));
  if (config.probes < 1)
    throw InputError(fmt::format("clustered kNN: probes = {} must be at least 1", config.probes));
  if (config.iterations < 0)
    throw InputError(fmt::format("clustered kNN: iterations = {} must be 0 or more", config.iterations));
  if (config.sample_per_cluster < 1)
    throw InputError(
        fmt::format("clustered kNN: sample_per_cluster = {} must be at least 1", config.sample_per_cluster));
  ClusteredPlan plan;
  plan.clusters = config.clusters > 0 ? config.clusters
                                      : std::clamp<std::int64_t>(
                                            std::llround(config.clusters_per_root_n * std::sqrt(double(n))), 1, n);
  plan.probes = std::min<std::int64_t>(config.probes, plan.clusters);
  return plan;
}

template <class T>
void clustered_search_all(const PreparedData<T>& data, const KnnConfig& config, int k, std::vector<T>& scores,
                          NeighbourLists& out) {
  const std::int64_t n = data.n, dim = data.dim;
  const ClusteredPlan plan = clustered_plan(config.clustered, n);
  const int threads = config.threads > 0 ? config.threads : openmp_threads();
  const bool per_datum = config.clustered.probe_lists == ClusteredProbes::per_datum;

  KmeansSettings settings;
  settings.clusters = plan.clusters;
  settings.sample_per_cluster = config.clustered.sample_per_cluster;
  settings.iterations = config.clustered.iterations;
  settings.spherical = config.metric == Metric::cosine;
  settings.seed = config.clustered.seed;
  settings.threads = threads;
  settings.cancelled = config.cancelled;
  settings.nearest_count = per_datum ? static_cast<int>(plan.probes) : 1;
  const KmeansPartition<T> partition = kmeans_partition(data.rows, n, dim, settings);
  if (partition.assignment.empty()) return;  // cancelled
  const CellOrder<T> cells = cell_order(data, partition.assignment, plan.clusters, threads);

  // Lists by position (cell order); moved to datum order at the end.
  std::vector<T> position_scores(static_cast<std::size_t>(n) * k, T(0));
  std::vector<std::int64_t> position_ids(static_cast<std::size_t>(n) * k, -1);
  std::vector<TopK<T>> tops;
  tops.reserve(static_cast<std::size_t>(n));
  for (std::int64_t p = 0; p < n; ++p)
    tops.push_back(TopK<T>{position_scores.data() + p * k, position_ids.data() + p * k, k});
  const std::unique_ptr<std::mutex[]> guards(new std::mutex[static_cast<std::size_t>(plan.clusters)]);
  SearchState<T> state{data, config, cells, tops, guards.get(), threads};
  state.row_blocks = (n + config.row_block - 1) / config.row_block;
  if (per_datum) {
    const std::int64_t listed = partition.nearest.empty() ? 1 : static_cast<std::int64_t>(partition.nearest.size()) / n;
    std::vector<std::int32_t> cell_of(static_cast<std::size_t>(n));  // by position
    for (std::int64_t c = 0; c < plan.clusters; ++c)
      std::fill(cell_of.begin() + cells.starts[c], cell_of.begin() + cells.starts[c + 1], static_cast<std::int32_t>(c));
    offer_by_datum_probes(state, partition.nearest.empty() ? partition.assignment : partition.nearest, listed,
                          cell_of);
  } else {
    offer_by_cell_probes(state, partner_cells(partition, cells.starts, config.metric, plan.probes, threads));
  }
  if (state.cancelled()) return;

  // Data whose cells and partners held fewer than k others get their exact lists.
  std::vector<std::int64_t> short_rows;
  for (std::int64_t p = 0; p < n; ++p)
    if (tops[p].size < k) short_rows.push_back(cells.ids[p]);
  std::sort(short_rows.begin(), short_rows.end());

  out.n = n;
  out.k = k;
  out.ids.assign(static_cast<std::size_t>(n) * k, -1);
  out.scores.assign(static_cast<std::size_t>(n) * k, 0.0f);
  scores.assign(static_cast<std::size_t>(n) * k, T(0));
  for (std::int64_t p = 0; p < n; ++p) {
    const std::int64_t i = cells.ids[p];
    std::copy(position_ids.begin() + p * k, position_ids.begin() + (p + 1) * k, out.ids.begin() + i * k);
    std::copy(position_scores.begin() + p * k, position_scores.begin() + (p + 1) * k, scores.begin() + i * k);
  }
  if (!short_rows.empty()) {
    KnnConfig quiet = config;
    quiet.progress = nullptr;
    std::vector<T> exact_scores;
    NeighbourLists exact;
    exact_search_rows(data, short_rows, quiet, k, exact_scores, exact);
    for (std::size_t q = 0; q < short_rows.size(); ++q) {
      const std::int64_t i = short_rows[q];
      std::copy(exact.ids.begin() + q * k, exact.ids.begin() + (q + 1) * k, out.ids.begin() + i * k);
      std::copy(exact_scores.begin() + q * k, exact_scores.begin() + (q + 1) * k, scores.begin() + i * k);
    }
  }
}

template void clustered_search_all(const PreparedData<float>&, const KnnConfig&, int, std::vector<float>&,
                                   NeighbourLists&);
template void clustered_search_all(const PreparedData<double>&, const KnnConfig&, int, std::vector<double>&,
                                   NeighbourLists&);

}  // namespace dk
