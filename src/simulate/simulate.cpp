#include "datakernel/simulate/simulate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>

#include "datakernel/error.hpp"
#include "io/checked_file.hpp"
#include "io/npy_writer.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/report/staged_output.hpp"

namespace dk {
namespace {

// Leave-one-out k-NN accuracy of the labels: on every datum up to kAllRows data, above that on kSampledRows
// seeded data (exact lists of those rows only, standard error at most 0.011), so that a large set costs
// kSampledRows · n · p per model, not a search of all n data (at n = 10⁶ the exact search of all data took
// minutes per model, and 20,000 sampled rows still 100 s).
constexpr std::int64_t kAllRows = 20000, kSampledRows = 2000;

double knn_label_accuracy(const Embeddings& y, const std::vector<int>& labels, int k) {
  KnnConfig config;
  config.k = k;
  std::vector<std::int64_t> rows;
  NeighbourLists lists;
  if (y.n <= kAllRows) {
    lists = knn_search(y, config);
    rows.resize(static_cast<std::size_t>(y.n));
    std::iota(rows.begin(), rows.end(), std::int64_t{0});
  } else {
    config.method = KnnMethod::exact;
    rows = seeded_recall_rows(y.n, kSampledRows, config.clustered.seed);
    lists = exact_neighbours_of(y, config, rows);
  }
  std::int64_t correct = 0;
  for (std::size_t q = 0; q < rows.size(); ++q) {
    std::map<int, int> votes;
    for (int r = 0; r < k; ++r) ++votes[labels[lists.ids[static_cast<std::int64_t>(q) * k + r]]];
    const auto best = std::max_element(votes.begin(), votes.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    correct += best->first == labels[rows[q]];
  }
  return static_cast<double>(correct) / static_cast<double>(rows.size());
}

}  // namespace

SimulatedSet simulate(const SimulateConfig& config) {
  SimulatedSet set = simulate_embeddings(config);
  const std::int64_t n = config.n;
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
