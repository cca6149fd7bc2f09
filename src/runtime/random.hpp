// Random numbers whose output datakernel defines: the same bytes with any standard library.
//
// The engine is std::mt19937_64, whose output the C++ standard specifies exactly. The standard's
// distributions (std::normal_distribution, std::uniform_int_distribution, std::uniform_real_distribution)
// and std::shuffle are not specified: libstdc++, libc++ and MSVC turn the same engine output into different
// numbers. Everything random in datakernel's simulate, eigen-solver start and Mantel permutations therefore
// goes through the functions below, whose algorithms are part of the project's definition:
//
//  * uniform01(e)        = (e() >> 11) · 2⁻⁵³: the top 53 bits of one draw, a double in [0, 1) on a grid of
//                          2⁻⁵³ (exact; one draw per call).
//  * uniform_below(e, n) = Lemire's multiply-shift with rejection ("Fast random integer generation in an
//                          interval", 2019): x = e(), m = x · n as a 128-bit product, l = m mod 2⁶⁴; while
//                          l < (2⁶⁴ − n) mod n, draw again; return ⌊m / 2⁶⁴⌋. Exactly uniform on [0, n), n ≥ 1;
//                          one draw per call unless rejected (probability < n / 2⁶⁴).
//  * standard_normal(e)  = Marsaglia's polar method: u = 2·uniform01(e) − 1, v = 2·uniform01(e) − 1 (u drawn
//                          first), s = u·u + v·v, repeated while s ≥ 1 or s = 0; returns u·sqrt(−2·log(s) / s).
//                          The second normal (v·…) is discarded, so each call is self-contained (no state
//                          besides the engine). Two or more draws per call.
//  * uniform(e, lo, hi)  = lo + (hi − lo) · uniform01(e).
//  * shuffle(first, last, e): Fisher–Yates from the back: for i = size − 1 down to 1, swap element i with
//                          element uniform_below(e, i + 1).
//
// Only IEEE 754 basic operations (exactly rounded) and std::sqrt (exactly rounded) are used, plus std::log,
// which comes from the C library's libm, not from the C++ standard library: on Linux both libstdc++ and
// libc++ call glibc's log, so the bytes agree across standard libraries (another libm, e.g. musl's, might
// differ in the last bit for some s). random.cpp is compiled with -ffp-contract=off so that no compiler
// fuses u·u + v·v into an FMA. tests/random_test.cpp pins the first outputs of each function;
// tests/same_bytes_test.sh checks that clang++ with libc++ and g++ with libstdc++ print the same bytes.
#pragma once

#include <cstdint>
#include <iterator>
#include <random>
#include <utility>

namespace dk::rand {

using Engine = std::mt19937_64;

double uniform01(Engine& engine);
std::uint64_t uniform_below(Engine& engine, std::uint64_t n);  // n >= 1
double standard_normal(Engine& engine);
double uniform(Engine& engine, double lo, double hi);

template <class RandomIt>
void shuffle(RandomIt first, RandomIt last, Engine& engine) {
  const auto size = static_cast<std::uint64_t>(last - first);
  for (std::uint64_t i = size; i > 1; --i) {
    const std::uint64_t j = uniform_below(engine, i);
    using std::swap;
    swap(first[static_cast<std::ptrdiff_t>(i - 1)], first[static_cast<std::ptrdiff_t>(j)]);
  }
}

}  // namespace dk::rand
