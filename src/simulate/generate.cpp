// The random part of `simulate` (everything but the k-NN accuracies), kept free of BLAS, OpenMP and fmt so
// that tests/same_bytes_test.sh can compile it with clang++ and libc++ as well as with g++ and libstdc++.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "datakernel/error.hpp"
#include "runtime/random.hpp"
#include "datakernel/simulate/simulate.hpp"

namespace dk {

SimulatedSet simulate_embeddings(const SimulateConfig& config) {
  if (config.models < 1 || config.n < 10 || config.clusters < 2 || config.latent_dim < 1 || config.dims.empty() ||
      config.noise.empty())
    throw InputError("simulate: need models >= 1, n >= 10, clusters >= 2, latent_dim >= 1");
  const int q = config.latent_dim;
  const std::int64_t n = config.n;
  rand::Engine rng(config.seed);
  auto normal = [&rng] { return rand::standard_normal(rng); };
  auto pick_cluster = [&rng, &config] {
    return static_cast<int>(rand::uniform_below(rng, static_cast<std::uint64_t>(config.clusters)));
  };

  std::vector<double> centres(static_cast<std::size_t>(config.clusters) * q);
  for (double& c : centres) c = config.separation * normal();
  SimulatedSet set;
  set.labels.resize(static_cast<std::size_t>(n));
  std::vector<double> latent(static_cast<std::size_t>(n) * q);
  for (std::int64_t i = 0; i < n; ++i) {
    set.labels[i] = static_cast<int>(i % config.clusters);
    for (int c = 0; c < q; ++c) latent[i * q + c] = centres[set.labels[i] * q + c] + normal();
  }
  set.moved_model = config.moved_model < 0 ? config.models - 1 : config.moved_model;
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  rand::shuffle(order.begin(), order.end(), rng);
  const auto moved_count = static_cast<std::int64_t>(config.moved_fraction * static_cast<double>(n));
  set.moved.assign(order.begin(), order.begin() + moved_count);
  std::sort(set.moved.begin(), set.moved.end());
  std::vector<int> moved_to(static_cast<std::size_t>(n), -1);
  for (std::int64_t i : set.moved) {
    int target = pick_cluster();
    while (target == set.labels[i]) target = pick_cluster();
    moved_to[i] = target;
  }

  for (int g = 0; g < config.models; ++g) {
    const int p = config.dims[g % config.dims.size()];
    const double noise = config.noise[g % config.noise.size()];
    std::vector<double> map(static_cast<std::size_t>(q) * p);
    for (double& v : map) v = normal() / std::sqrt(static_cast<double>(q));
    Embeddings y;
    y.n = n;
    y.dim = p;
    y.values.resize(static_cast<std::size_t>(n) * p);
    std::vector<double> x(static_cast<std::size_t>(q));
    for (std::int64_t i = 0; i < n; ++i) {
      for (int c = 0; c < q; ++c) {
        double v = latent[i * q + c];
        if (g == set.moved_model && moved_to[i] >= 0)
          v += centres[moved_to[i] * q + c] - centres[set.labels[i] * q + c];
        x[c] = v + noise * normal();
      }
      for (int col = 0; col < p; ++col) {
        double s = 0.0;
        for (int c = 0; c < q; ++c) s += x[c] * map[c * p + col];
        y.values[i * p + col] = static_cast<float>(s);
      }
    }
    set.names.push_back("model_" + std::to_string(g + 1));
    set.models.push_back(std::move(y));
  }
  return set;
}

}  // namespace dk
