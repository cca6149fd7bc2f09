// Running top-k of one datum's neighbour list, kept sorted best first; better = higher score, then lower id.
// The order is total (ids are distinct within a list), so the list ends as the k best of everything offered,
// whatever the order of the offers: exact search may offer a row's candidates from any thread, in any order.
#pragma once

#include <cstdint>
#include <limits>

namespace dk {

template <class T>
struct TopK {
  T* scores;
  std::int64_t* ids;
  int k;
  int size = 0;

  static bool better(T s1, std::int64_t i1, T s2, std::int64_t i2) { return s1 > s2 || (s1 == s2 && i1 < i2); }

  // Lowest score a new candidate could enter with (a tie enters if its id is lower): -inf until the list is full.
  T threshold() const { return size < k ? -std::numeric_limits<T>::infinity() : scores[k - 1]; }

  void offer(T score, std::int64_t id) {
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

}  // namespace dk
