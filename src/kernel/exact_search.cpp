#include "kernel/exact_search.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "datakernel/runtime/blas.hpp"
#include "kernel/score_filter.hpp"
#include "kernel/top_k.hpp"

namespace dk {
namespace {

// One tile of dot products: t[r·cols + c] = y(rows_at + r) · y(cols_at + c).
template <class T>
struct Tile {
  const T* t;
  std::int64_t rows_at, rows, cols_at, cols;
};

template <class T>
T scale_of(const PreparedData<T>& data) {
  return data.squared_norms ? T(2) : T(1);
}

// The tile's columns offered to its rows' lists (tops[r] is the list of tile row r). self_ids[r] is the datum of
// row r when the rows are queries; otherwise the datum rows_at + r is skipped as its own neighbour when
// `skip_self` (a diagonal tile).
template <class T>
void offer_to_rows(const PreparedData<T>& data, const Tile<T>& tile, TopK<T>* tops, bool skip_self,
                   const std::int64_t* self_ids, std::int32_t* found) {
  const T scale = scale_of(data);
  const T* offsets = data.squared_norms ? data.squared_norms + tile.cols_at : nullptr;
  const int cols = static_cast<int>(tile.cols);
  for (std::int64_t r = 0; r < tile.rows; ++r) {
    const T* t = tile.t + r * tile.cols;
    TopK<T>& top = tops[r];
    const std::int64_t self = self_ids ? self_ids[r] : skip_self ? tile.rows_at + r : -1;
    const int candidates = candidates_over(t, offsets, scale, top.threshold(), cols, found);
    for (int q = 0; q < candidates; ++q) {
      const int c = found[q];
      const std::int64_t j = tile.cols_at + c;
      if (j != self) top.offer(offsets ? scale * t[c] - offsets[c] : t[c], j);
    }
  }
}

// The tile's rows offered to its columns' lists (tops[c] is the list of datum cols_at + c): the transpose half of
// an off-diagonal tile of Y Yᵀ. `thresholds` is scratch of tile.cols entries.
template <class T>
void offer_to_columns(const PreparedData<T>& data, const Tile<T>& tile, TopK<T>* tops, T* thresholds,
                      std::int32_t* found) {
  const T scale = scale_of(data);
  const int cols = static_cast<int>(tile.cols);
  for (int c = 0; c < cols; ++c) thresholds[c] = tops[c].threshold();
  for (std::int64_t r = 0; r < tile.rows; ++r) {
    const T* t = tile.t + r * tile.cols;
    const std::int64_t i = tile.rows_at + r;
    const T offset = data.squared_norms ? data.squared_norms[i] : T(0);
    const int candidates = candidates_over_each(t, offset, scale, thresholds, cols, found);
    for (int q = 0; q < candidates; ++q) {
      const int c = found[q];
      tops[c].offer(data.squared_norms ? scale * t[c] - offset : t[c], i);
      thresholds[c] = tops[c].threshold();
    }
  }
}

template <class T>
std::vector<TopK<T>> lists_over(std::vector<T>& scores, NeighbourLists& out, std::int64_t rows, int k) {
  out.n = rows;
  out.k = k;
  out.ids.assign(static_cast<std::size_t>(rows) * k, -1);
  out.scores.assign(static_cast<std::size_t>(rows) * k, 0.0f);
  scores.assign(static_cast<std::size_t>(rows) * k, T(0));
  std::vector<TopK<T>> tops;
  tops.reserve(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) tops.push_back(TopK<T>{scores.data() + r * k, out.ids.data() + r * k, k});
  return tops;
}

// Progress in the caller's unit (row blocks of the whole search), from a count of finished work items.
class ProgressScale {
 public:
  ProgressScale(const KnnConfig& config, std::int64_t row_blocks, std::int64_t items)
      : config_(config), row_blocks_(row_blocks), items_(items) {}
  void item_finished() {
    const std::int64_t done = ++finished_;
    if (!config_.progress) return;
    const std::int64_t blocks = done * row_blocks_ / items_;
#pragma omp critical(datakernel_knn_progress)
    if (blocks > reported_) {
      reported_ = blocks;
      config_.progress(blocks);
    }
  }

 private:
  const KnnConfig& config_;
  std::int64_t row_blocks_, items_;
  std::atomic<std::int64_t> finished_{0};
  std::int64_t reported_ = 0;
};

int thread_count(const KnnConfig& config) { return config.threads > 0 ? config.threads : openmp_threads(); }

}  // namespace

template <class T>
void exact_search_all(const PreparedData<T>& data, const KnnConfig& config, int k, std::vector<T>& scores,
                      NeighbourLists& out) {
  const std::int64_t n = data.n, dim = data.dim, block = config.row_block;
  const std::int64_t blocks = (n + block - 1) / block;
  std::vector<TopK<T>> tops = lists_over(scores, out, n, k);
  // Row block b's lists are offered to by the tiles of its row (its owner's loop) and of its column (others').
  const std::unique_ptr<std::mutex[]> guards(new std::mutex[static_cast<std::size_t>(blocks)]);
  ProgressScale progress(config, blocks, blocks * (blocks + 1) / 2);
  BlasSingleThreaded single_threaded_blas;
#pragma omp parallel num_threads(thread_count(config))
  {
    const std::int64_t width = std::min(block, n);
    std::vector<T> products(static_cast<std::size_t>(width * width)), thresholds(static_cast<std::size_t>(width));
    std::vector<std::int32_t> found(static_cast<std::size_t>(width));
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t bi = 0; bi < blocks; ++bi) {
      const std::int64_t r0 = bi * block, rows = std::min(block, n - r0);
      for (std::int64_t bj = bi; bj < blocks; ++bj) {
        if (config.cancelled && config.cancelled()) break;
        const std::int64_t c0 = bj * block, cols = std::min(block, n - c0);
        gemm_abt(data.rows + r0 * dim, data.rows + c0 * dim, products.data(), rows, cols, dim, cols);
        const Tile<T> tile{products.data(), r0, rows, c0, cols};
        {
          const std::lock_guard<std::mutex> lock(guards[bi]);
          offer_to_rows(data, tile, tops.data() + r0, bi == bj, nullptr, found.data());
        }
        if (bj != bi) {
          const std::lock_guard<std::mutex> lock(guards[bj]);
          offer_to_columns(data, tile, tops.data() + c0, thresholds.data(), found.data());
        }
        progress.item_finished();
      }
    }
  }
}

template <class T>
void exact_search_rows(const PreparedData<T>& data, const std::vector<std::int64_t>& subset, const KnnConfig& config,
                       int k, std::vector<T>& scores, NeighbourLists& out) {
  const std::int64_t n = data.n, dim = data.dim, nq = static_cast<std::int64_t>(subset.size());
  std::vector<T> queries(static_cast<std::size_t>(nq * dim));
  for (std::int64_t q = 0; q < nq; ++q)
    std::copy(data.rows + subset[q] * dim, data.rows + (subset[q] + 1) * dim, queries.data() + q * dim);
  std::vector<TopK<T>> tops = lists_over(scores, out, nq, k);
  const std::int64_t rb = config.row_block, cb = std::min(config.col_block, n);
  const std::int64_t row_blocks = (nq + rb - 1) / rb;
  ProgressScale progress(config, row_blocks, row_blocks);
  BlasSingleThreaded single_threaded_blas;
#pragma omp parallel num_threads(thread_count(config))
  {
    std::vector<T> products(static_cast<std::size_t>(rb * cb));
    std::vector<std::int32_t> found(static_cast<std::size_t>(cb));
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t block = 0; block < row_blocks; ++block) {
      if (config.cancelled && config.cancelled()) continue;
      const std::int64_t q0 = block * rb, rows = std::min(rb, nq - q0);
      for (std::int64_t c0 = 0; c0 < n; c0 += cb) {
        const std::int64_t cols = std::min(cb, n - c0);
        gemm_abt(queries.data() + q0 * dim, data.rows + c0 * dim, products.data(), rows, cols, dim, cols);
        offer_to_rows(data, Tile<T>{products.data(), q0, rows, c0, cols}, tops.data() + q0, true,
                      subset.data() + q0, found.data());
      }
      progress.item_finished();
    }
  }
}

template void exact_search_all(const PreparedData<float>&, const KnnConfig&, int, std::vector<float>&,
                               NeighbourLists&);
template void exact_search_all(const PreparedData<double>&, const KnnConfig&, int, std::vector<double>&,
                               NeighbourLists&);
template void exact_search_rows(const PreparedData<float>&, const std::vector<std::int64_t>&, const KnnConfig&, int,
                                std::vector<float>&, NeighbourLists&);
template void exact_search_rows(const PreparedData<double>&, const std::vector<std::int64_t>&, const KnnConfig&, int,
                                std::vector<double>&, NeighbourLists&);

}  // namespace dk
