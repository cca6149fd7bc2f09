#include "datakernel/inference/similarity_map.hpp"

#include <algorithm>

#include "datakernel/error.hpp"

namespace dk {

namespace {

// Median of v[first, last): middle element, or the mean of the two middle ones.
double median_of_range(std::vector<double>& v, std::size_t first, std::size_t last) {
  const auto begin = v.begin() + static_cast<std::ptrdiff_t>(first);
  const std::size_t count = last - first, half = count / 2;
  std::nth_element(begin, begin + static_cast<std::ptrdiff_t>(half), begin + static_cast<std::ptrdiff_t>(count));
  const double upper = begin[static_cast<std::ptrdiff_t>(half)];
  if (count % 2 == 1) return upper;
  return 0.5 * (upper + *std::max_element(begin, begin + static_cast<std::ptrdiff_t>(half)));
}

}  // namespace

SimilarityMap SimilarityMap::fit(std::vector<std::pair<double, double>> pairs, int block) {
  if (pairs.empty()) throw InputError("similarity map: no pairs to fit");
  if (block < 1) throw InputError("similarity map: block must be at least 1");
  std::sort(pairs.begin(), pairs.end());
  const std::size_t total = pairs.size();
  const std::size_t blocks = std::max<std::size_t>(total / static_cast<std::size_t>(block), 1);
  std::vector<double> a(total), difference(total);
  for (std::size_t t = 0; t < total; ++t) {
    a[t] = pairs[t].first;
    difference[t] = pairs[t].second - pairs[t].first;
  }
  SimilarityMap map;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t first = b * total / blocks, last = (b + 1) * total / blocks;
    map.level_.push_back(median_of_range(a, first, last));
    map.offset_.push_back(median_of_range(difference, first, last));
  }
  return map;
}

double SimilarityMap::predict(double similarity_a) const {
  if (level_.empty()) return similarity_a;
  if (similarity_a <= level_.front()) return similarity_a + offset_.front();
  if (similarity_a >= level_.back()) return similarity_a + offset_.back();
  // First point strictly above, and the last point at or below (equal levels: the last of them).
  const auto above = static_cast<std::size_t>(std::upper_bound(level_.begin(), level_.end(), similarity_a) -
                                              level_.begin());
  const std::size_t below = above - 1;
  const double x0 = level_[below], x1 = level_[above];
  const double w = (similarity_a - x0) / (x1 - x0);
  return similarity_a + offset_[below] + w * (offset_[above] - offset_[below]);
}

}  // namespace dk
