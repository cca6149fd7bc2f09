// Synthetic embeddings of m models with a known shared geometry, for demos and end-to-end tests.
//
// Latent data: `clusters` Gaussian clusters in R^latent_dim (centres ~ N(0, separation² I), members
// centre + N(0, I)). Model g sees X + noise_g·N(0, I) through its own random linear map
// R_g ∈ R^{latent_dim × dims[g]} (so dimensions differ, geometry is shared). In model `moved_model` a known
// set of data (moved_fraction of n) is moved to another cluster. Each model's downstream metric is real:
// leave-one-out k-NN accuracy of the cluster labels in its embeddings (moved data keep their true label).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datakernel/embeddings.hpp"

namespace dk {

struct SimulateConfig {
  int models = 4;
  std::int64_t n = 2000;
  int clusters = 10;
  int latent_dim = 16;
  double separation = 1.0;
  std::vector<int> dims = {384, 256, 512, 128};  // cycled over the models
  std::vector<double> noise = {0.3, 0.6, 0.9, 0.3};  // per model, cycled
  double moved_fraction = 0.05;
  int moved_model = -1;  // index; -1 = the last model
  std::uint64_t seed = 0;
};

struct SimulatedSet {
  std::vector<std::string> names;
  std::vector<Embeddings> models;
  std::vector<int> labels;
  std::vector<std::int64_t> moved;   // sorted datum indices moved in model `moved_model`
  int moved_model = 0;
  std::vector<double> knn_accuracy;  // per model: leave-one-out 10-NN label accuracy (above 20,000 data, on 2,000 seeded data)
};

SimulatedSet simulate(const SimulateConfig& config);

// simulate() without the k-NN accuracies (knn_accuracy left empty): all of its random part, the same bytes
// for any standard library (src/runtime/random.hpp). Throws InputError on an invalid config.
SimulatedSet simulate_embeddings(const SimulateConfig& config);

// Writes <name>.npy per model, ids.txt, labels.txt, moved.txt (one moved datum index per line),
// metrics.csv (model,knn_accuracy) and manifest.json into `dir` (created; all-or-nothing).
void write_simulated_set(const SimulatedSet& set, const SimulateConfig& config, const std::string& dir);

}  // namespace dk
