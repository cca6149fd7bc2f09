#include "simulated_input.hpp"

#include <utility>

#include "datakernel/simulate/simulate.hpp"

namespace dk::test {

CompareInput simulated_input(int models, std::int64_t n, std::uint64_t seed) {
  SimulateConfig sim;
  sim.models = models;
  sim.n = n;
  sim.dims = {32, 24};
  sim.seed = seed;
  SimulatedSet set = simulate(sim);
  CompareInput input;
  for (int g = 0; g < models; ++g) {
    ModelInput model;
    model.spec = set.names[g];
    model.embeddings = LoadedEmbeddings{std::move(set.models[g]), {}};
    input.models.push_back(std::move(model));
    input.names.push_back(set.names[g]);
  }
  return input;
}

}  // namespace dk::test
