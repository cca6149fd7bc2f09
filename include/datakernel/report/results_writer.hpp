// Writes a CompareResult into an output directory:
//   summary.json         n, models, k, metric, dim, eigenvalues, model_distances, manifold, correlations, ...
//   model_distances.csv  model,<name1>,<name2>,...     (m rows)
//   manifold.csv         model,x1,x2[,...]             (m rows)
//   datum_shift.csv      datum,id,model_a,model_b,shift,rank   (n rows per model pair)
// All files are first written into a staging directory inside the output directory and renamed into place
// only when every one is complete, so a failed run leaves no partial files.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "datakernel/compare.hpp"

namespace dk {

nlohmann::json summary_json(const CompareResult& result);
void write_results(const CompareResult& result, const std::string& out_dir);

}  // namespace dk
