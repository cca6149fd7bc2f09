// Multiple-testing corrections over the n per-datum p-values, and what the bootstrap size allows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dk {

enum class Correction {
  bh,    // Benjamini–Hochberg step-up: q-values controlling the false discovery rate (default); valid for
         // independent or positively dependent p-values (PRDS), per tested pair
  by,    // Benjamini–Yekutieli: BH scaled by the harmonic sum 1 + 1/2 + … + 1/n; FDR control under any dependence
  holm,  // Holm step-down: adjusted p-values controlling the family-wise error rate
  none,  // raw p-values
};

Correction parse_correction(const std::string& name);
std::string correction_name(Correction correction);

// Adjusted values (q-values for BH), same order as `p`; datum i is rejected when adjusted[i] <= alpha.
std::vector<double> adjust_p_values(const std::vector<double>& p, Correction correction);

// With B bootstrap replicates the smallest attainable p is 1/(B+1). Returns a message (empty if none) when
// that floor keeps `correction` over n tests at `alpha` from rejecting anything, or from rejecting unless
// many data are signals, with the B that would be needed.
std::string bootstrap_size_advice(std::int64_t n, int bootstrap, double alpha, Correction correction);

}  // namespace dk
