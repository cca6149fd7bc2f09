// Builds an hnswlib HNSW index on several threads with a result that does not depend on the thread count:
// internal to the kernel stage. Header-only and included by knn_hnsw.cpp alone: Debian's hnswlib 0.6.2 header
// defines non-inline functions, so only one file of the library may include it.
//
// hnswlib's own parallel build (concurrent addPoint) links each point to whatever the graph holds when its
// thread gets there, so the index changes with the scheduling. Here the data are inserted in batches, in their
// order: the first points one at a time, then batches of 1/32 of the points already inserted (at most 512).
// Within a batch every point searches the graph as it stood before the batch (in parallel: the graph is only
// read) and picks its links with hnswlib's heuristic; then, in parallel over the linked nodes, each node's list
// takes the batch's new back-links (the node's own list, so no two threads write the same list), pruned by the
// same heuristic when it overflows; new top levels are set in the data's order. Every step depends on the data,
// the levels (drawn from the seed in the data's order) and the batch schedule only: the same index for any
// number of threads. Points of one batch are not linked to each other directly (they meet through later points'
// links), the one difference from inserting one point at a time.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <tuple>
#include <vector>

#include <hnswlib/hnswlib.h>

#include "runtime/random.hpp"

namespace dk {

struct HnswBuildHooks {
  std::function<void(std::int64_t)> inserted;  // called with the number of points inserted so far (one thread)
  std::function<bool()> cancelled;             // polled between batches; true stops the build (returns false)
};

namespace hnsw_build_detail {

using Index = hnswlib::HierarchicalNSW<float>;
using hnswlib::tableint;
using Candidates = std::priority_queue<std::pair<float, tableint>, std::vector<std::pair<float, tableint>>,
                                       Index::CompareByFirst>;

// The batch after `inserted` points: one at a time at first, then 1/32 of the graph, at most 512.
inline std::int64_t batch_size(std::int64_t inserted) { return std::clamp<std::int64_t>(inserted / 32, 1, 512); }

inline float distance(const Index& index, tableint a, tableint b) {
  return index.fstdistfunc_(index.getDataByInternalId(a), index.getDataByInternalId(b), index.dist_func_param_);
}

// Point c's storage as addPoint prepares it: data, label, empty link lists on levels 0 .. level.
inline void place_point(Index& index, tableint c, int level, const std::function<void(std::int64_t, float*)>& row) {
  std::memset(index.data_level0_memory_ + c * index.size_data_per_element_ + index.offsetLevel0_, 0,
              index.size_data_per_element_);
  const hnswlib::labeltype label = c;
  std::memcpy(index.getExternalLabeLp(c), &label, sizeof(label));
  row(static_cast<std::int64_t>(c), reinterpret_cast<float*>(index.getDataByInternalId(c)));
  index.element_levels_[c] = level;
  index.linkLists_[c] = nullptr;
  if (level > 0) {
    const std::size_t bytes = index.size_links_per_element_ * level + 1;
    index.linkLists_[c] = static_cast<char*>(std::malloc(bytes));
    if (index.linkLists_[c] == nullptr) throw std::bad_alloc();
    std::memset(index.linkLists_[c], 0, bytes);
  }
}

// Point c's links on each of its levels (index = level), chosen against the graph as it stands (only read):
// hnswlib's insertion search and neighbour heuristic, entered at `entry` on level `top`.
inline std::vector<std::vector<tableint>> choose_links(Index& index, tableint c, int level, tableint entry, int top) {
  const void* q = index.getDataByInternalId(c);
  tableint current = entry;
  if (level < top) {
    float best = index.fstdistfunc_(q, index.getDataByInternalId(current), index.dist_func_param_);
    for (int l = top; l > level; --l) {
      for (bool changed = true; changed;) {
        changed = false;
        auto* list = index.get_linklist(current, l);
        const int size = index.getListCount(list);
        const auto* ids = reinterpret_cast<const tableint*>(list + 1);
        for (int i = 0; i < size; ++i) {
          const float d = index.fstdistfunc_(q, index.getDataByInternalId(ids[i]), index.dist_func_param_);
          if (d < best) {
            best = d;
            current = ids[i];
            changed = true;
          }
        }
      }
    }
  }
  std::vector<std::vector<tableint>> links(static_cast<std::size_t>(std::min(level, top) + 1));
  for (int l = std::min(level, top); l >= 0; --l) {
    Candidates found = index.searchBaseLayer(current, q, l);
    index.getNeighborsByHeuristic2(found, index.M_);
    auto& chosen = links[static_cast<std::size_t>(l)];
    while (!found.empty()) {  // farthest first, as hnswlib stores them
      chosen.push_back(found.top().second);
      found.pop();
    }
    current = chosen.back();
  }
  return links;
}

// Node t's list on `level` given the new back-links `sources` (ascending): appended while there is room,
// otherwise the list and the new links together pruned by hnswlib's heuristic.
inline void add_back_links(Index& index, tableint t, int level, const tableint* sources, std::size_t count) {
  auto* list = index.get_linklist_at_level(t, level);
  auto* ids = reinterpret_cast<tableint*>(list + 1);
  const std::size_t size = index.getListCount(list);
  const std::size_t room = level == 0 ? index.maxM0_ : index.maxM_;
  if (size + count <= room) {
    std::copy(sources, sources + count, ids + size);
    index.setListCount(list, static_cast<unsigned short>(size + count));
    return;
  }
  Candidates candidates;
  for (std::size_t j = 0; j < size; ++j) candidates.emplace(distance(index, ids[j], t), ids[j]);
  for (std::size_t j = 0; j < count; ++j) candidates.emplace(distance(index, sources[j], t), sources[j]);
  index.getNeighborsByHeuristic2(candidates, room);
  std::size_t written = 0;
  while (!candidates.empty()) {
    ids[written++] = candidates.top().second;
    candidates.pop();
  }
  index.setListCount(list, static_cast<unsigned short>(written));
}

}  // namespace hnsw_build_detail

// Inserts n points into `index` (made for at least n elements, empty): row(i, out) writes point i's dim floats.
// Returns false when hooks.cancelled asked to stop.
inline bool build_hnsw_in_batches(hnswlib::HierarchicalNSW<float>& index, std::int64_t n,
                                  const std::function<void(std::int64_t, float*)>& row,
                                  std::uint64_t seed, int threads, const HnswBuildHooks& hooks) {
  using namespace hnsw_build_detail;
  if (n <= 0) return true;
  // Levels as hnswlib draws them (floor(−ln u / ln M)), from the seed in the data's order.
  std::vector<int> levels(static_cast<std::size_t>(n));
  rand::Engine engine(seed);
  for (auto& level : levels) level = static_cast<int>(-std::log(1.0 - rand::uniform01(engine)) * index.mult_);

  place_point(index, 0, levels[0], row);
  index.label_lookup_[0] = 0;
  index.cur_element_count = 1;
  index.enterpoint_node_ = 0;
  index.maxlevel_ = levels[0];

  std::vector<std::vector<std::vector<tableint>>> links;
  std::vector<std::tuple<int, tableint, tableint>> back;  // (level, node, new point) of every new link
  for (std::int64_t begin = 1; begin < n;) {
    if (hooks.cancelled && hooks.cancelled()) return false;
    const std::int64_t end = std::min(n, begin + batch_size(begin));
    const auto first = static_cast<tableint>(begin);
    const auto count = static_cast<std::size_t>(end - begin);
    links.assign(count, {});
    const tableint entry = index.enterpoint_node_;
    const int top = index.maxlevel_;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::int64_t i = begin; i < end; ++i) {
      const auto c = static_cast<tableint>(i);
      place_point(index, c, levels[static_cast<std::size_t>(i)], row);
      links[c - first] = choose_links(index, c, levels[static_cast<std::size_t>(i)], entry, top);
    }
    for (std::int64_t i = begin; i < end; ++i) index.label_lookup_[static_cast<hnswlib::labeltype>(i)] = i;
    index.cur_element_count = static_cast<std::size_t>(end);

    back.clear();
    for (std::size_t b = 0; b < count; ++b) {
      const tableint c = first + static_cast<tableint>(b);
      for (std::size_t l = 0; l < links[b].size(); ++l) {
        const auto& chosen = links[b][l];
        auto* list = index.get_linklist_at_level(c, static_cast<int>(l));
        std::copy(chosen.begin(), chosen.end(), reinterpret_cast<tableint*>(list + 1));
        index.setListCount(list, static_cast<unsigned short>(chosen.size()));
        for (const tableint t : chosen) back.emplace_back(static_cast<int>(l), t, c);
      }
    }
    std::sort(back.begin(), back.end());
    std::vector<std::size_t> groups;  // starts of the runs of one (level, node)
    for (std::size_t j = 0; j < back.size(); ++j)
      if (j == 0 || std::get<0>(back[j]) != std::get<0>(back[j - 1]) || std::get<1>(back[j]) != std::get<1>(back[j - 1]))
        groups.push_back(j);
    const std::size_t group_count = groups.size();
    groups.push_back(back.size());
#pragma omp parallel num_threads(threads)
    {
      std::vector<tableint> sources;
#pragma omp for schedule(dynamic, 16)
      for (std::size_t g = 0; g < group_count; ++g) {
        sources.clear();
        for (std::size_t j = groups[g]; j < groups[g + 1]; ++j) sources.push_back(std::get<2>(back[j]));
        add_back_links(index, std::get<1>(back[groups[g]]), std::get<0>(back[groups[g]]), sources.data(),
                       sources.size());
      }
    }
    for (std::int64_t i = begin; i < end; ++i)
      if (levels[static_cast<std::size_t>(i)] > index.maxlevel_) {
        index.maxlevel_ = levels[static_cast<std::size_t>(i)];
        index.enterpoint_node_ = static_cast<tableint>(i);
      }
    begin = end;
    if (hooks.inserted) hooks.inserted(end);
  }
  return true;
}

}  // namespace dk
