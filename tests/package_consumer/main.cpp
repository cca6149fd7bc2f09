// Uses only the installed public API (the umbrella header): simulates three models of the same data with known
// moved data in the last, compares them in one call, and checks the answer. Exit status 0 when it holds.
#include <datakernel/datakernel.hpp>

#include <cstdio>
#include <set>

int main() {
  dk::SimulateConfig sim;
  sim.models = 3;
  sim.n = 800;
  sim.separation = 4.0;
  sim.dims = {64, 48, 32};
  sim.noise = {0.2, 0.2, 0.2};
  sim.moved_fraction = 0.05;
  sim.seed = 3;
  const dk::SimulatedSet set = dk::simulate(sim);

  dk::CompareInput input;
  input.names = set.names;
  for (const dk::Embeddings& e : set.models) {
    dk::ModelInput model;
    model.borrowed = e.view();
    input.models.push_back(model);
  }
  dk::CompareConfig config;
  config.reference = set.names.front();
  config.seed = 1;
  dk::validate_compare_input(input, config);
  const dk::CompareResult result = dk::run_compare(input, config);

  const std::set<std::int64_t> moved(set.moved.begin(), set.moved.end());
  const dk::PairTest& last = result.tests.back();  // reference vs the model with moved data
  std::int64_t found = 0;
  for (std::int64_t i = 0; i < result.n; ++i) found += last.result.rejected[i] && moved.count(i);
  const double recall = static_cast<double>(found) / static_cast<double>(moved.size());
  const double fdp = last.result.n_rejected ? 1.0 - static_cast<double>(found) / last.result.n_rejected : 0.0;
  std::printf("datakernel %s: n %lld, %d models, d %d; %s vs %s: %lld rejected, recall %.2f, FDP %.2f\n",
              dk::kVersion, static_cast<long long>(result.n), static_cast<int>(result.names.size()),
              static_cast<int>(result.joint.dim), result.names[last.model_a].c_str(),
              result.names[last.model_b].c_str(), static_cast<long long>(last.result.n_rejected), recall, fdp);
  const bool ok = result.distances.rows() == 3 && result.distances(0, 0) == 0.0 &&
                  result.distances(0, 2) == result.distances(2, 0) && recall >= 0.7 && fdp <= 0.4;
  return ok ? 0 : 1;
}
