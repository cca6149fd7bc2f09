// The paired similarity map of two models: what model b's similarity of a pair is, given model a's, fitted
// robustly over pairs both models measure (the same pairs of data: kNN pairs and common random pairs).
//
// g(s) = s + m(s), m = the running median of s_b − s_a over the pairs sorted by s_a: the pairs are cut into
// blocks of `block` consecutive pairs, each block gives (median s_a, median of s_b − s_a), and m is linear
// between the blocks' points (constant beyond the first and the last). Being a median per level, g ignores
// pairs whose similarity changed for a reason of their own (they touch data that moved) as long as they are a
// minority at that level: unlike the two models' separate distribution functions of similarities, which every
// moved pair distorts (docs/per-datum-test.md, issue 9). For two models that agree on the pairs of the data
// that did not move, g is the identity there exactly. Conditional on a: it is the median of s_b given s_a, so
// it also absorbs the regression to the middle that noise gives the extreme similarities.
#pragma once

#include <utility>
#include <vector>

namespace dk {

class SimilarityMap {
 public:
  SimilarityMap() = default;
  // `pairs` = (s_a, s_b) of pairs measured by both models; any order (they are sorted, ties by s_b, so the fit
  // does not depend on the order). At least one pair.
  static SimilarityMap fit(std::vector<std::pair<double, double>> pairs, int block = 1000);
  // g(s_a): model b's similarity predicted from model a's.
  double predict(double similarity_a) const;
  std::size_t points() const { return level_.size(); }

 private:
  std::vector<double> level_, offset_;
};

}  // namespace dk
