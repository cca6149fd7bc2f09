// Builds a Graph (CSR, embeddings.hpp) from directed edges i -> j.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "datakernel/embeddings.hpp"

namespace dk {

enum class Symmetrize {
  union_of_both,  // A = max(A, Aᵀ): an edge if either endpoint lists the other (the authors' choice)
  mutual,         // A = min(A, Aᵀ): an edge only if both endpoints list each other
  none,           // keep the edges as given (caller guarantees symmetry)
};

class EdgeList {
 public:
  explicit EdgeList(std::int64_t n) : n_(n) {}
  void add(std::int64_t from, std::int64_t to) {
    edges_.emplace_back(static_cast<std::int32_t>(from), static_cast<std::int32_t>(to));
  }
  void reserve(std::size_t count) { edges_.reserve(count); }
  // Sorted, duplicate-free CSR; self loops are dropped.
  Graph build(Symmetrize rule) const;

 private:
  std::int64_t n_;
  std::vector<std::pair<std::int32_t, std::int32_t>> edges_;
};

// A Graph from n directed lists of k neighbour ids each (row i at ids[i*k .. i*k+k)), built directly in CSR at
// its final size (peak memory: the result and one cursor per datum): the same graph as adding every edge
// i -> ids[i*k + r] to an EdgeList and building it with `rule`.
Graph graph_from_lists(std::int64_t n, int k, const std::int64_t* ids, Symmetrize rule);

// A symmetric Graph from its upper triangle without sorting: `upper` holds edges (i, j) with i < j, no
// duplicates, and for each i its j in ascending order (edges of different rows may interleave). O(n + edges).
Graph graph_from_upper_triangle(std::int64_t n, const std::vector<std::pair<std::int32_t, std::int32_t>>& upper);

// A Graph from caller-provided CSR arrays (e.g. scipy.sparse), checked before use: `indptr` has n + 1 entries
// rising from 0 to nnz, `indices` has nnz entries, each in [0, n) (64-bit, so nothing wraps), no self loops,
// symmetric, no duplicate entries (columns are sorted here). Throws InputError naming `what`.
Graph graph_from_csr(std::int64_t n, const std::int64_t* indptr, const std::int64_t* indices, std::int64_t nnz,
                     const std::string& what);

}  // namespace dk
