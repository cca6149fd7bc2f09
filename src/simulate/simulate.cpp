#include "datakernel/simulate/simulate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "datakernel/error.hpp"
#include "datakernel/io/checked_file.hpp"
#include "datakernel/io/npy_writer.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/report/staged_output.hpp"

namespace dk {
namespace {

double knn_label_accuracy(const Embeddings& y, const std::vector<int>& labels, int k) {
  KnnConfig config;
  config.k = k;
  const NeighbourLists lists = knn_search(y, config);
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < y.n; ++i) {
    std::map<int, int> votes;
    for (int r = 0; r < k; ++r) ++votes[labels[lists.ids[i * k + r]]];
    const auto best = std::max_element(votes.begin(), votes.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    correct += best->first == labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(y.n);
}

}  // namespace

SimulatedSet simulate(const SimulateConfig& config) {
  if (config.models < 1 || config.n < 10 || config.clusters < 2 || config.latent_dim < 1 || config.dims.empty() ||
      config.noise.empty())
    throw InputError("simulate: need models >= 1, n >= 10, clusters >= 2, latent_dim >= 1");
  const int q = config.latent_dim;
  const std::int64_t n = config.n;
  std::mt19937_64 rng(config.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<int> pick_cluster(0, config.clusters - 1);

  std::vector<double> centres(static_cast<std::size_t>(config.clusters) * q);
  for (double& c : centres) c = config.separation * normal(rng);
  SimulatedSet set;
  set.labels.resize(static_cast<std::size_t>(n));
  std::vector<double> latent(static_cast<std::size_t>(n) * q);
  for (std::int64_t i = 0; i < n; ++i) {
    set.labels[i] = static_cast<int>(i % config.clusters);
    for (int c = 0; c < q; ++c) latent[i * q + c] = centres[set.labels[i] * q + c] + normal(rng);
  }
  set.moved_model = config.moved_model < 0 ? config.models - 1 : config.moved_model;
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  const auto moved_count = static_cast<std::int64_t>(config.moved_fraction * static_cast<double>(n));
  set.moved.assign(order.begin(), order.begin() + moved_count);
  std::sort(set.moved.begin(), set.moved.end());
  std::vector<int> moved_to(static_cast<std::size_t>(n), -1);
  for (std::int64_t i : set.moved) {
    int target = pick_cluster(rng);
    while (target == set.labels[i]) target = pick_cluster(rng);
    moved_to[i] = target;
  }

  for (int g = 0; g < config.models; ++g) {
    const int p = config.dims[g % config.dims.size()];
    const double noise = config.noise[g % config.noise.size()];
    std::vector<double> map(static_cast<std::size_t>(q) * p);
    for (double& v : map) v = normal(rng) / std::sqrt(static_cast<double>(q));
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
        x[c] = v + noise * normal(rng);
      }
      for (int col = 0; col < p; ++col) {
        double s = 0.0;
        for (int c = 0; c < q; ++c) s += x[c] * map[c * p + col];
        y.values[i * p + col] = static_cast<float>(s);
      }
    }
    set.names.push_back(fmt::format("model_{}", g + 1));
    set.models.push_back(std::move(y));
  }
  const int k = std::min<std::int64_t>(10, n - 1);
  for (const Embeddings& y : set.models) set.knn_accuracy.push_back(knn_label_accuracy(y, set.labels, k));
  return set;
}

void write_simulated_set(const SimulatedSet& set, const SimulateConfig& config, const std::string& dir) {
  StagedOutput out = StagedOutput::open(dir, true);  // replaces the files of an earlier run there
  for (std::size_t g = 0; g < set.models.size(); ++g) {
    const std::string name = set.names[g] + ".npy";
    write_npy(set.models[g], out.path(name), out.final_path(name));
  }
  auto write_lines = [&](const std::string& name, auto&& body) {
    std::ostringstream text;
    body(text);
    write_file_checked(out.path(name), text.str(), out.final_path(name));
  };
  const std::int64_t n = set.models.front().n;
  write_lines("ids.txt", [&](std::ostream& f) {
    for (std::int64_t i = 0; i < n; ++i) f << fmt::format("datum_{:06d}\n", i);
  });
  write_lines("labels.txt", [&](std::ostream& f) {
    for (int label : set.labels) f << "cluster_" << label << "\n";
  });
  write_lines("moved.txt", [&](std::ostream& f) {
    for (std::int64_t i : set.moved) f << i << "\n";
  });
  write_lines("metrics.csv", [&](std::ostream& f) {
    f << "model,knn_accuracy\n";
    for (std::size_t g = 0; g < set.names.size(); ++g) f << set.names[g] << "," << set.knn_accuracy[g] << "\n";
  });
  nlohmann::json manifest = {{"generator", "datakernel simulate"},
                             {"models", set.names},
                             {"n", n},
                             {"clusters", config.clusters},
                             {"latent_dim", config.latent_dim},
                             {"separation", config.separation},
                             {"dims", config.dims},
                             {"noise", config.noise},
                             {"moved_model", set.names[set.moved_model]},
                             {"moved_count", set.moved.size()},
                             {"seed", config.seed}};
  write_lines("manifest.json", [&](std::ostream& f) { f << manifest.dump(2) << "\n"; });
  out.commit();
}

}  // namespace dk
