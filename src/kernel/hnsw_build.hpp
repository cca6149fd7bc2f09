// Builds an hnswlib HNSW index on several threads with a result that does not depend on the thread count:
// internal to the kernel stage (knn_hnsw.cpp).
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

#include <cstdint>
#include <functional>

#include <hnswlib/hnswlib.h>

namespace dk {

struct HnswBuildHooks {
  std::function<void(std::int64_t)> inserted;  // called with the number of points inserted so far (one thread)
  std::function<bool()> cancelled;             // polled between batches; true stops the build (returns false)
};

// Inserts n points into `index` (made for at least n elements, empty): row(i, out) writes point i's dim floats.
// Returns false when hooks.cancelled asked to stop.
bool build_hnsw_in_batches(hnswlib::HierarchicalNSW<float>& index, std::int64_t n,
                           const std::function<void(std::int64_t, float*)>& row, std::uint64_t seed, int threads,
                           const HnswBuildHooks& hooks = {});

}  // namespace dk
