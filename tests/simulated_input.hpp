// Shared test helper: a compare input of simulated models (simulate(), dims {32, 24}), no metrics or labels.
#pragma once

#include <cstdint>

#include "datakernel/compare.hpp"

namespace dk::test {

CompareInput simulated_input(int models, std::int64_t n, std::uint64_t seed);

}  // namespace dk::test
