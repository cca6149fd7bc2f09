// The algorithms are specified in src/runtime/random.hpp; changing any of them changes simulated data,
// eigen-solver starts and Mantel p-values (and the simulated five-model set of tests/simulate_reproduces_test.sh). Compiled with -ffp-contract=off.
#include "runtime/random.hpp"

#include <cmath>

namespace dk::rand {

double uniform01(Engine& engine) { return static_cast<double>(engine() >> 11) * 0x1p-53; }

std::uint64_t uniform_below(Engine& engine, std::uint64_t n) {
  unsigned __int128 m = static_cast<unsigned __int128>(engine()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;  // (2^64 - n) mod n
    while (low < threshold) {
      m = static_cast<unsigned __int128>(engine()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double standard_normal(Engine& engine) {
  double u = 0.0, s = 0.0;
  do {
    u = 2.0 * uniform01(engine) - 1.0;
    const double v = 2.0 * uniform01(engine) - 1.0;
    const double uu = u * u;
    const double vv = v * v;
    s = uu + vv;
  } while (s >= 1.0 || s == 0.0);
  const double log_s = std::log(s);
  const double ratio = -2.0 * log_s / s;
  return u * std::sqrt(ratio);
}

double uniform(Engine& engine, double lo, double hi) {
  const double width = hi - lo;
  const double scaled = width * uniform01(engine);
  return lo + scaled;
}

}  // namespace dk::rand
