// Writes a CompareResult into an output directory:
//   summary.json         n, models, k, metric, dim, eigenvalues, model_distances, pair_measures, manifold,
//                        correlations, measure_correlations, best_measure, ...
//   model_distances.csv  model,<name1>,<name2>,...     (m rows; the map's population measure)
//   model_distances_<measure>.csv  the same for every population measure computed (pair_measures.hpp)
//   manifold.csv         model,x1,x2[,...]             (m rows)
//   datum_shift.csv      datum,id,model_a,model_b,shift,rank   (n rows per model pair)
//   datum_tests.csv      datum,id,model_a,model_b,statistic,p_value,q_value,rejected,jaccard,rank_change
//                        (n rows per tested pair; rank_change empty for models given as graphs)
//   latent_2d.csv        datum,id,model,z1,z2: first two omnibus dimensions of every datum under every model
//   annotations.csv      datum,id,label,text (only with --text / --labels)
//   report.html          the self-contained HTML report rendered from the files above (html_report.hpp)
// Same inputs and seed give byte-identical files, whatever the thread count (no timings, no dates).
// All files are first written into a staging directory inside the output directory and moved into place only
// when every one is complete (staged_output.hpp), so a failed run leaves no partial files; every write is
// checked (a full disk throws ResourceError).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "datakernel/compare.hpp"
#include "datakernel/error.hpp"
#include "datakernel/report/staged_output.hpp"

namespace dk {

// Warnings are rendered for the front-end that made the run (`style`: option names as --max-dim or max_dim).
nlohmann::json summary_json(const CompareResult& result, OptionStyle style = OptionStyle::cli);
// Stage and per-test wall times: the one thing that differs between identical runs, so it is kept out of the
// output directory (whose files are byte-identical for the same inputs and seed) and written only on request.
nlohmann::json timings_json(const CompareResult& result);
// With save_kernels, each model's graph also goes to kernel_<index>_<name>.mtx (Matrix Market).
// Writes into an opened staging area; the caller commits it.
void write_results(const CompareResult& result, StagedOutput& out, bool save_kernels = false,
                   OptionStyle style = OptionStyle::cli);
// Opens out_dir (replacing the files of an earlier run of the tool there), writes and commits.
void write_results(const CompareResult& result, const std::string& out_dir, bool save_kernels = false,
                   OptionStyle style = OptionStyle::cli);

}  // namespace dk
