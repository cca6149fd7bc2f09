// The HTML report of a run: one self-contained file (inline SVG and CSS, a few lines of inline JavaScript for
// sortable tables; no network access), readable offline and printable. Rendered from the output directory's
// files only (results_reader.hpp), so `datakernel report DIR` regenerates exactly what `compare` wrote.
//
// Sections: model map (classical MDS; hover shows the name and nearest models), distance heatmap ordered by
// average-linkage clustering with the values, correlations with downstream metrics (scatter of distance vs
// |metric difference|, ρ and Mantel p), per tested pair the p-value CDF against the uniform line, the number
// rejected and a sortable table of the most-moved data (with --text / --labels), the omnibus embedding of the
// data in 2-D for the first tested pair (moved data coloured by −log10 q), and a methods paragraph stating every
// parameter used.
#pragma once

#include <string>
#include <vector>

namespace dk {

std::string render_report(const std::string& results_dir);

// Renders and writes results_dir/report.html (via a temporary file and a rename).
void write_report(const std::string& results_dir);

// Leaf order of an average-linkage hierarchical clustering of a symmetric distance matrix.
std::vector<int> average_linkage_order(const std::vector<std::vector<double>>& distances);

}  // namespace dk
