#include <string>
#include <vector>

#include "datakernel/error.hpp"
#include "datakernel/population/pair_measures.hpp"

namespace dk {

std::vector<PairMeasureKind> all_pair_measures() {
  return {PairMeasureKind::omnibus, PairMeasureKind::direction, PairMeasureKind::normalised_omnibus, PairMeasureKind::knn_jaccard,
          PairMeasureKind::mutual_knn, PairMeasureKind::linear_cka};
}

std::string pair_measure_name(PairMeasureKind kind) {
  switch (kind) {
    case PairMeasureKind::omnibus: return "omnibus";
    case PairMeasureKind::direction: return "direction";
    case PairMeasureKind::normalised_omnibus: return "normalised_omnibus";
    case PairMeasureKind::knn_jaccard: return "knn_jaccard";
    case PairMeasureKind::mutual_knn: return "mutual_knn";
    case PairMeasureKind::linear_cka: return "linear_cka";
  }
  return "omnibus";
}

PairMeasureKind parse_pair_measure(const std::string& name) {
  std::string known;
  for (const PairMeasureKind kind : all_pair_measures()) {
    if (pair_measure_name(kind) == name) return kind;
    known += (known.empty() ? "" : " | ") + pair_measure_name(kind);
  }
  throw InputError("{distance} must be one of " + known + ", got '" + name + "'");
}

}  // namespace dk
