// Prints every random stream datakernel defines, for tests/same_bytes_test.sh, which builds this driver with
// g++ + libstdc++ and with clang++ + libc++ and compares the two outputs byte for byte. It is compiled together
// with src/runtime/random.cpp, src/simulate/generate.cpp, src/embed/start_vector.cpp and
// src/population/correlation.cpp (no BLAS, OpenMP or fmt), so it covers: the conversions of
// src/runtime/random.hpp, the simulator's data (simulate_embeddings: labels, moved data, every float of
// every model, for the simulated five-model set's configuration and a small one), the eigen-solver's start vector and the
// Mantel permutation p-values (correlate_with_metric with m > 8). Doubles are printed in hex (%a), bulk data
// as a 64-bit FNV-1a hash of its bytes.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <vector>

#include "embed/eigensolve.hpp"
#include "datakernel/population/correlation.hpp"
#include "runtime/random.hpp"
#include "datakernel/simulate/simulate.hpp"

namespace {

std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t h = 14695981039346656037ULL) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

void print_set(const char* what, const dk::SimulateConfig& config) {
  const dk::SimulatedSet set = dk::simulate_embeddings(config);
  std::printf("%s: moved_model %d, labels %016" PRIx64 ", moved %zu %016" PRIx64 "\n", what, set.moved_model,
              fnv1a(set.labels.data(), set.labels.size() * sizeof(int)), set.moved.size(),
              fnv1a(set.moved.data(), set.moved.size() * sizeof(std::int64_t)));
  for (std::size_t g = 0; g < set.models.size(); ++g) {
    const dk::Embeddings& y = set.models[g];
    std::printf("  %s %" PRId64 "x%" PRId64 " %016" PRIx64 " first %a last %a\n", set.names[g].c_str(), y.n, y.dim,
                fnv1a(y.values.data(), y.values.size() * sizeof(float)), static_cast<double>(y.values.front()),
                static_cast<double>(y.values.back()));
  }
}

}  // namespace

int main() {
#if defined(_LIBCPP_VERSION)
  std::fprintf(stderr, "libc++\n");
#elif defined(__GLIBCXX__)
  std::fprintf(stderr, "libstdc++\n");
#else
  std::fprintf(stderr, "other\n");
#endif
  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{42}, ~std::uint64_t{0}}) {
    std::printf("seed %" PRIu64 "\n", seed);
    dk::rand::Engine e(seed);
    for (int i = 0; i < 200; ++i) std::printf("u %a\n", dk::rand::uniform01(e));
    for (std::uint64_t n : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{3}, std::uint64_t{10},
                            std::uint64_t{1000000007}, (std::uint64_t{1} << 63) + 1, std::uint64_t{3} << 62,
                            ~std::uint64_t{0}})
      for (int i = 0; i < 50; ++i) std::printf("k %" PRIu64 " %" PRIu64 "\n", n, dk::rand::uniform_below(e, n));
    for (int i = 0; i < 500; ++i) std::printf("z %a\n", dk::rand::standard_normal(e));
    for (int i = 0; i < 100; ++i) std::printf("r %a\n", dk::rand::uniform(e, -0.5, 0.5));
    std::vector<int> v(1000);
    std::iota(v.begin(), v.end(), 0);
    dk::rand::shuffle(v.begin(), v.end(), e);
    std::printf("shuffle %016" PRIx64 " %d %d %d\n", fnv1a(v.data(), v.size() * sizeof(int)), v[0], v[1], v[999]);
  }

  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{7}}) {
    const Eigen::VectorXd start = dk::random_start_vector(5000, seed);
    std::printf("eigen start seed %" PRIu64 ": %016" PRIx64 " first %a last %a\n", seed,
                fnv1a(start.data(), static_cast<std::size_t>(start.size()) * sizeof(double)), start[0],
                start[start.size() - 1]);
  }

  {
    const int m = 12;  // > 8: random permutations
    Eigen::MatrixXd d(m, m);
    std::vector<double> metric(m);
    for (int i = 0; i < m; ++i) {
      metric[i] = std::sin(1.7 * i) + 0.1 * i;
      for (int j = 0; j < m; ++j) d(i, j) = std::abs(std::sin(1.7 * i) - std::sin(1.7 * j)) + 0.05 * ((i * j) % 5);
    }
    for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{3}}) {
      dk::MantelConfig config;
      config.permutations = 4999;
      config.seed = seed;
      const dk::MetricCorrelation c = dk::correlate_with_metric(d, metric, "metric", config);
      std::printf("mantel seed %" PRIu64 ": pearson %a p %a spearman %a p %a permutations %ld\n", seed, c.pearson,
                  c.pearson_p, c.spearman, c.spearman_p, c.permutations);
    }
  }

  dk::SimulateConfig demo;  // the simulated five-model set: tests/simulate_reproduces_test.sh
  demo.models = 5;
  demo.n = 2000;
  demo.dims = {96, 64, 128, 48, 80};
  demo.noise = {0.3, 0.6, 0.9, 1.2, 0.3};
  demo.seed = 1;
  print_set("demo", demo);
  dk::SimulateConfig small;
  small.models = 3;
  small.n = 97;
  small.clusters = 7;
  small.latent_dim = 5;
  small.dims = {11, 3};
  small.noise = {0.5};
  small.moved_fraction = 0.2;
  small.seed = 123456789;
  print_set("small", small);
  return 0;
}
