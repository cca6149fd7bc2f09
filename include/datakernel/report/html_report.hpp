// The HTML report of a run: one self-contained file (inline SVG and CSS, a few lines of inline JavaScript for
// sortable tables; no network access), readable offline and printable. Rendered from the output directory's
// files only (results_reader.hpp), so `datakernel report DIR` regenerates exactly what `compare` wrote.
//
// Sections: model map (classical MDS, labels placed without overlap, the stress beside it with a warning when
// the map distorts the distances), distance heatmap ordered by average-linkage clustering with the values, scree
// plot of the omnibus eigenvalues with the chosen d and the elbows, downstream metrics (each model's values; scatter
// of distance vs |metric difference| with pair labels, ρ and Mantel p), a "how to read this" panel (statistic, p,
// q, rejected, the p floor), per tested pair the p-value CDF against the uniform line with an α marker, the number
// rejected and a sortable table of the most-moved data (with --text / --labels; rows linked to their points), a
// cross-pair view when 2+ pairs were tested (models by rejections involving them, data rejected in most pairs),
// the omnibus embedding of the data in 2-D for one pair (moved data coloured by −log10 q; a second plot coloured
// by label when labels were given), links to the output files and a methods paragraph stating every parameter
// used. Every axis has tick values; a print stylesheet keeps figures and tables whole and hides on-screen hints.
#pragma once

#include <string>
#include <vector>

namespace dk {

std::string render_report(const std::string& results_dir);

// Renders and writes results_dir/report.html (via a temporary file and a rename).
void write_report(const std::string& results_dir);

// Leaf order of an average-linkage hierarchical clustering of a symmetric distance matrix.
std::vector<int> average_linkage_order(const std::vector<std::vector<double>>& distances);

// A label's box in SVG coordinates (y down); x1 < x0 when the label was left out.
struct LabelBox {
  double x0 = 0, y0 = 0, x1 = -1, y1 = -1;
  bool placed() const { return x1 >= x0; }
};
bool boxes_overlap(const LabelBox& a, const LabelBox& b);

// Label layout of the model map and the metric scatter: one box of widths[i] × height beside each point
// (px[i], py[i]), inside `area`, overlapping no other label and no point (circles of `radius`): the first free
// place among 8 directions at growing distances (a leader line is drawn beyond the first ring), labels placed in
// input order. A label with no free place is left out (placed() false).
std::vector<LabelBox> place_labels(const std::vector<double>& px, const std::vector<double>& py,
                                   const std::vector<double>& widths, double height, const LabelBox& area,
                                   double radius);

// The width the layout assumes for a text: 0.62 em per code point (wider than the average glyph of sans fonts).
double label_width(const std::string& utf8, double font_size);

// A label of at most `points` code points (points >= 3): the text itself when it fits, else its head and tail
// around "…" (the tail keeps what often tells related models apart: "wordllama256" at 11 -> "wordl…ma256").
std::string abbreviate(const std::string& utf8, std::size_t points);

}  // namespace dk
