#include "kernel/score_filter.hpp"

#include <algorithm>

// Run-time dispatch (GCC and Clang on x86-64): float32 tiles on AVX-512 (16 lanes compared at once, the passing
// positions compressed in a register), everything else by the portable loops, compiled for AVX2 and the baseline.
#if defined(__x86_64__) && defined(__has_attribute) && !defined(__SANITIZE_ADDRESS__)
#if __has_attribute(target_clones) && __has_attribute(target)
#define DATAKERNEL_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#define DATAKERNEL_AVX512 1
#include <immintrin.h>
#endif
#endif
#ifndef DATAKERNEL_VECTOR_CLONES
#define DATAKERNEL_VECTOR_CLONES
#endif

namespace dk {
namespace {

constexpr int chunk = 32;  // entries tested together; a chunk with no candidate costs a few vector compares

template <class T>
inline int over(const T* t, const T* offsets, T scale, T threshold, int count, std::int32_t* out) {
  int found = 0;
  for (int c0 = 0; c0 < count; c0 += chunk) {
    const int c1 = std::min(count, c0 + chunk);
    int any = 0;
    if (offsets)
      for (int c = c0; c < c1; ++c) any |= scale * t[c] - offsets[c] >= threshold;
    else
      for (int c = c0; c < c1; ++c) any |= scale * t[c] >= threshold;
    if (!any) continue;
    for (int c = c0; c < c1; ++c)
      if (scale * t[c] - (offsets ? offsets[c] : T(0)) >= threshold) out[found++] = c;
  }
  return found;
}

template <class T>
inline int over_each(const T* t, T offset, T scale, const T* thresholds, int count, std::int32_t* out) {
  int found = 0;
  for (int c0 = 0; c0 < count; c0 += chunk) {
    const int c1 = std::min(count, c0 + chunk);
    int any = 0;
    for (int c = c0; c < c1; ++c) any |= scale * t[c] - offset >= thresholds[c];
    if (!any) continue;
    for (int c = c0; c < c1; ++c)
      if (scale * t[c] - offset >= thresholds[c]) out[found++] = c;
  }
  return found;
}

#ifdef DATAKERNEL_AVX512
const bool has_avx512 = __builtin_cpu_supports("avx512f");

// Lanes c0 … c0+15 (those below `count`) of scale·t − offsets compared with the thresholds; the passing positions
// appended to out.
__attribute__((target("avx512f"))) inline __mmask16 lanes_to_test(int c0, int count) {
  return count - c0 >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (count - c0)) - 1);
}

// The positions of the passing lanes appended to out[found …]; returns the new count. Compressed in a register
// and written by a masked store of exactly that many entries: compress-to-memory (vpcompressd with a memory
// operand) is microcoded on AMD Zen 4, where it made these filters 18% of the clustered search's time at n = 10⁶
// (bench/results/score_filter.txt). Nothing past the last appended entry is written.
__attribute__((target("avx512f"))) inline int append_positions(std::int32_t* out, int found, __mmask16 pass,
                                                               __m512i positions) {
  const int passed = __builtin_popcount(pass);
  _mm512_mask_storeu_epi32(out + found, static_cast<__mmask16>((1u << passed) - 1u),
                           _mm512_maskz_compress_epi32(pass, positions));
  return found + passed;
}

__attribute__((target("avx512f"))) int over_avx512(const float* t, const float* offsets, float scale,
                                                   float threshold, int count, std::int32_t* out) {
  const __m512 scales = _mm512_set1_ps(scale), limit = _mm512_set1_ps(threshold);
  __m512i positions = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i step = _mm512_set1_epi32(16);
  int found = 0;
  for (int c0 = 0; c0 < count; c0 += 16, positions = _mm512_add_epi32(positions, step)) {
    const __mmask16 lanes = lanes_to_test(c0, count);
    __m512 score = _mm512_mul_ps(scales, _mm512_maskz_loadu_ps(lanes, t + c0));
    if (offsets) score = _mm512_sub_ps(score, _mm512_maskz_loadu_ps(lanes, offsets + c0));
    const __mmask16 pass = _mm512_mask_cmp_ps_mask(lanes, score, limit, _CMP_GE_OQ);
    if (pass) found = append_positions(out, found, pass, positions);
  }
  return found;
}

__attribute__((target("avx512f"))) int over_each_avx512(const float* t, float offset, float scale,
                                                        const float* thresholds, int count, std::int32_t* out) {
  const __m512 scales = _mm512_set1_ps(scale), offsets = _mm512_set1_ps(offset);
  __m512i positions = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i step = _mm512_set1_epi32(16);
  int found = 0;
  for (int c0 = 0; c0 < count; c0 += 16, positions = _mm512_add_epi32(positions, step)) {
    const __mmask16 lanes = lanes_to_test(c0, count);
    const __m512 score = _mm512_sub_ps(_mm512_mul_ps(scales, _mm512_maskz_loadu_ps(lanes, t + c0)), offsets);
    const __mmask16 pass = _mm512_mask_cmp_ps_mask(lanes, score, _mm512_maskz_loadu_ps(lanes, thresholds + c0),
                                                   _CMP_GE_OQ);
    if (pass) found = append_positions(out, found, pass, positions);
  }
  return found;
}
#endif

DATAKERNEL_VECTOR_CLONES int portable_over(const float* t, const float* offsets, float scale, float threshold,
                                           int count, std::int32_t* out) {
  return over(t, offsets, scale, threshold, count, out);
}
DATAKERNEL_VECTOR_CLONES int portable_over_each(const float* t, float offset, float scale, const float* thresholds,
                                                int count, std::int32_t* out) {
  return over_each(t, offset, scale, thresholds, count, out);
}

}  // namespace

int candidates_over(const float* t, const float* offsets, float scale, float threshold, int count,
                    std::int32_t* out) {
#ifdef DATAKERNEL_AVX512
  if (has_avx512) return over_avx512(t, offsets, scale, threshold, count, out);
#endif
  return portable_over(t, offsets, scale, threshold, count, out);
}
int candidates_over_each(const float* t, float offset, float scale, const float* thresholds, int count,
                         std::int32_t* out) {
#ifdef DATAKERNEL_AVX512
  if (has_avx512) return over_each_avx512(t, offset, scale, thresholds, count, out);
#endif
  return portable_over_each(t, offset, scale, thresholds, count, out);
}

DATAKERNEL_VECTOR_CLONES int candidates_over(const double* t, const double* offsets, double scale, double threshold,
                                             int count, std::int32_t* out) {
  return over(t, offsets, scale, threshold, count, out);
}
DATAKERNEL_VECTOR_CLONES int candidates_over_each(const double* t, double offset, double scale,
                                                  const double* thresholds, int count, std::int32_t* out) {
  return over_each(t, offset, scale, thresholds, count, out);
}

}  // namespace dk
