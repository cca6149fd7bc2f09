// The cheap first pass of top-k selection over a tile of scores: which entries could enter a neighbour list at
// all. Scores are scale·t − offset (scale 1 and offset 0 for cosine and dot; scale 2 and the squared norm for
// euclidean, whose score is 2 yᵢ·yⱼ − |yⱼ|²), computed exactly as the selection computes them. Nearly every entry
// fails the test once the lists have filled, so the pass is vectorised (AVX-512 / AVX2 / SSE2 clones picked at
// run time); it only narrows the candidates, TopK::offer decides, so the clone in use cannot change a result.
#pragma once

#include <cstdint>

namespace dk {

// Positions c in [0, count) with scale·t[c] − offsets[c] >= threshold (offsets may be null: zero), written to
// `out`; returns how many.
int candidates_over(const float* t, const float* offsets, float scale, float threshold, int count, std::int32_t* out);
int candidates_over(const double* t, const double* offsets, double scale, double threshold, int count,
                    std::int32_t* out);

// Positions c in [0, count) with scale·t[c] − offset >= thresholds[c], written to `out`; returns how many.
int candidates_over_each(const float* t, float offset, float scale, const float* thresholds, int count,
                         std::int32_t* out);
int candidates_over_each(const double* t, double offset, double scale, const double* thresholds, int count,
                         std::int32_t* out);

}  // namespace dk
