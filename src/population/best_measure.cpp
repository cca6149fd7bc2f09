#include <cmath>

#include "datakernel/population/pair_measures.hpp"

namespace dk {

std::vector<BestMeasure> best_measures(const std::vector<PairMeasure>& measures) {
  std::vector<BestMeasure> out;
  if (measures.empty()) return out;
  for (std::size_t c = 0; c < measures.front().correlations.size(); ++c) {
    BestMeasure best;
    best.metric = measures.front().correlations[c].metric;
    bool found = false;
    for (const PairMeasure& measure : measures) {
      if (c >= measure.correlations.size()) continue;
      const MetricCorrelation& r = measure.correlations[c];
      if (std::isnan(r.spearman)) continue;
      if (!found || r.spearman > best.spearman) {
        best.measure = measure.name;
        best.spearman = r.spearman;
        best.spearman_p = r.spearman_p;
        found = true;
      }
    }
    if (found) out.push_back(best);
  }
  return out;
}

}  // namespace dk
