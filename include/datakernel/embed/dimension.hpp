// Embedding dimension by the Zhu & Ghodsi (2006) profile likelihood.
//
// For values s_1 >= ... >= s_N and a split q in 1..N-1, both parts are modelled as normals with their own
// means and one pooled variance σ² = (Σ_{r<=q}(s_r-μ₁)² + Σ_{r>q}(s_r-μ₂)²)/(N-2); ℓ(q) = Σ_r log φ(s_r).
// The first elbow is argmax ℓ; each further elbow repeats the search on the values after the previous one.
// Prefix sums make ℓ(q) O(1), so the whole profile is O(N).
#pragma once

#include <vector>

namespace dk {

struct ElbowResult {
  std::vector<int> elbows;             // cumulative: elbows[e] values lie before the (e+1)-th elbow
  std::vector<double> log_likelihood;  // first-pass profile ℓ(q), q = 1..N-1 (index q-1)
};

// `values` must be sorted descending (here |eigenvalues|). Fewer elbows are returned when the tail
// runs out (fewer than 2 values left).
ElbowResult zhu_ghodsi_elbows(const std::vector<double>& values, int elbows);

// The profile log-likelihood ℓ(q) for q = 1..N-1 of one pass.
std::vector<double> profile_log_likelihood(const std::vector<double>& values);

}  // namespace dk
