// The eigen-solver's seeded start vector, apart from eigensolve.cpp (Spectra) so that
// tests/same_bytes_test.sh can compile it with clang++ and libc++ as well as with g++ and libstdc++.
#include "embed/eigensolve.hpp"
#include "runtime/random.hpp"

namespace dk {

Eigen::VectorXd random_start_vector(Eigen::Index n, std::uint64_t seed) {
  rand::Engine rng(seed);
  Eigen::VectorXd start(n);
  for (Eigen::Index i = 0; i < n; ++i) start[i] = rand::uniform(rng, -0.5, 0.5);
  return start;
}

}  // namespace dk
