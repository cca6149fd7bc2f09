// The HTML report and progress rendering: structure, escaping, regeneration from files, clustering order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "datakernel/compare.hpp"
#include "datakernel/error.hpp"
#include "datakernel/report/html_report.hpp"
#include "report/results_reader.hpp"
#include "datakernel/report/results_writer.hpp"
#include "datakernel/runtime/progress.hpp"
#include "datakernel/simulate/simulate.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

TEST(Report, AverageLinkageKeepsClustersTogether) {
  // Points on a line at 0, 10, 1, 11: the order must keep {0, 2} and {1, 3} adjacent.
  const std::vector<double> x = {0, 10, 1, 11};
  std::vector<std::vector<double>> d(4, std::vector<double>(4));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) d[i][j] = std::abs(x[i] - x[j]);
  const std::vector<int> order = average_linkage_order(d);
  ASSERT_EQ(order.size(), 4u);
  std::vector<int> position(4);
  for (int p = 0; p < 4; ++p) position[order[p]] = p;
  EXPECT_EQ(std::abs(position[0] - position[2]), 1);
  EXPECT_EQ(std::abs(position[1] - position[3]), 1);
}

class ReportFromRun : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulateConfig sim;
    sim.models = 3;
    sim.n = 300;
    sim.dims = {24, 16};
    SimulatedSet set = simulate(sim);
    for (int g = 0; g < 3; ++g) {
      ModelInput model;
      model.spec = set.names[g] + ".npy";
      model.embeddings = LoadedEmbeddings{std::move(set.models[g]), {}};
      input.models.push_back(std::move(model));
    }
    input.names = {"base", "tuned <v2>", "moved"};
    for (int i = 0; i < 300; ++i) {
      input.texts.push_back(i == 5 ? "<script>alert('x')</script>" : "text " + std::to_string(i));
      input.labels.push_back("cluster_" + std::to_string(set.labels[i]));
    }
    MetricsTable metrics;
    metrics.metric_names = {"accuracy"};
    metrics.values = {set.knn_accuracy};
    input.metrics = metrics;
    config.test.statistic = TestStatistic::omnibus;
    config.test.null = NullModel::pooled;
    config.test.bootstrap = 40;
    config.test.bootstrap_p = BootstrapP::count;  // floor 1/41: BH rejects nothing (PlotsTheChosenPair relies on it)
    write_results(run_compare(input, config), dir.file("out"));
    html = slurp(dir.file("out/report.html"));
  }
  test::TempDir dir;
  CompareInput input;
  CompareConfig config;
  std::string html;
};

TEST_F(ReportFromRun, HasEveryPlotAndSection) {
  // model map + heatmap + scree + 1 correlation + 3 pair CDFs + the 2-D embedding by q and by label
  EXPECT_EQ(count(html, "<svg"), 9u);
  for (const char* id : {"id='model-map'", "id='heatmap'", "id='scree'", "id='correlations'", "id='tests'",
                         "id='cross-pair'", "id='embedding'", "id='embedding-labels'", "id='files'", "id='methods'"})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_EQ(count(html, "<table class='sortable'>"), 3u);
  EXPECT_NE(html.find("k = " + std::to_string(default_k(300))), std::string::npos);
  EXPECT_NE(html.find("40 replicates from the pooled null model"), std::string::npos);
  EXPECT_NE(html.find("--test omnibus --null pooled --bootstrap 40 --bootstrap-p count"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // self-contained: nothing fetched
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

// Every reading aid a new user asked for (issue 12): scree plot with d and elbows, tick values on every axis,
// pair labels and each model's metric values, label colours, map labels, stress, α markers, the how-to-read panel
// with the p floor, the cross-pair view, rows linked to points, links to the files, a print stylesheet.
TEST_F(ReportFromRun, HasEveryReadingAid) {
  const nlohmann::json s = nlohmann::json::parse(slurp(dir.file("out/summary.json")));
  const long dim = s["dim"].get<long>();
  EXPECT_NE(html.find("id='scree-d'"), std::string::npos);
  EXPECT_NE(html.find(">d = " + std::to_string(dim) + "</text>"), std::string::npos);
  ASSERT_FALSE(s["elbows"].empty());
  for (std::size_t e = 0; e < s["elbows"].size(); ++e)
    EXPECT_NE(html.find(">elbow " + std::to_string(e + 1) + "</text>"), std::string::npos) << e;
  EXPECT_EQ(count(html, "class='ev kept'"), static_cast<std::size_t>(dim));
  // Tick marks with values on both axes of every plot but the heatmap (whose ticks are the model names).
  EXPECT_EQ(count(html, "<g class='xticks'><line"), 8u);
  EXPECT_EQ(count(html, "<g class='yticks'><line"), 8u);
  EXPECT_NE(html.find("class='tick' text-anchor='middle'>0.2</text>"), std::string::npos);  // the CDFs' x axis
  // The header names the map's measure and its own d (the default normalised_omnibus has one), not only the joint d.
  ASSERT_EQ(s["distance"], "normalised_omnibus");
  long map_dim = 0;
  for (const auto& measure : s["pair_measures"]) {
    if (measure["name"] == s["distance"]) map_dim = measure.value("dim", 0L);
  }
  ASSERT_GT(map_dim, 0);
  EXPECT_NE(html.find(fmt::format("map: normalised_omnibus distance at d = {}", map_dim)), std::string::npos);
  // Metric scatter: one label per model pair; the metric table: every model's value.
  EXPECT_EQ(count(html, "class='pair-label'"), 3u);
  EXPECT_NE(html.find("base–tuned &lt;v2&gt;"), std::string::npos);
  EXPECT_NE(html.find("<table class='sortable metric-values'>"), std::string::npos);
  for (double v : input.metrics->values[0])
    EXPECT_NE(html.find(fmt::format("<td data-value='{}'>{:.4g}</td>", v, v)), std::string::npos) << v;
  // The map: every model labelled; the stress beside it (a warning above 0.1).
  EXPECT_EQ(count(html, "class='map-label'"), 3u);
  const double stress = s["manifold_stress"].get<double>();
  EXPECT_NE(html.find(stress > 0.1 ? "id='stress-warning'" : "id='stress-note'"), std::string::npos);
  // An α marker on each CDF, the panel with the p floor 1/(B+1) of this run's count p-values.
  EXPECT_EQ(count(html, "class='alpha-marker'"), 3u);
  EXPECT_EQ(count(html, "class='floor-marker'"), 3u);
  EXPECT_NE(html.find("id='how-to-read'"), std::string::npos);
  for (const char* term : {"<dt>statistic</dt>", "<dt>p</dt>", "<dt>q</dt>", "<dt>rejected</dt>", "<dt>p floor</dt>"})
    EXPECT_NE(html.find(term), std::string::npos) << term;
  EXPECT_NE(html.find("<dd><b>0.02439</b>: with the pooled null and B = 40 replicates"), std::string::npos);
  // Labels: a legend of the label colours.
  EXPECT_NE(html.find("id='label-legend'"), std::string::npos);
  EXPECT_NE(html.find(">cluster_0 ("), std::string::npos);
  // Cross-pair view (3 pairs tested).
  EXPECT_NE(html.find("id='cross-models'"), std::string::npos);
  // Table rows linked to their points: every link has its point.
  EXPECT_EQ(count(html, "<tr data-datum="), 3u * 25u);
  std::size_t links = 0;
  for (std::size_t at = html.find("href='#d-"); at != std::string::npos; at = html.find("href='#d-", at + 1), ++links) {
    const std::string target = html.substr(at + 7, html.find('\'', at + 7) - at - 7);
    EXPECT_NE(html.find("id='" + target + "'"), std::string::npos) << target;
  }
  EXPECT_EQ(links, 3u * 25u);
  // Links to the output files.
  for (const char* file : {"summary.json", "model_distances.csv", "manifold.csv", "datum_tests.csv", "datum_shift.csv",
                           "latent_2d.csv", "annotations.csv"})
    EXPECT_NE(html.find(std::string("<a href='") + file + "'>"), std::string::npos) << file;
  // Population measures against the metric: one row per measure, the best in bold, the statement, the CSVs.
  EXPECT_NE(html.find("id='measure-table'"), std::string::npos);
  EXPECT_EQ(count(html, "<tr data-measure="), 6u);
  ASSERT_TRUE(s.contains("best_measure"));
  const std::string best = s["best_measure"][0]["measure"].get<std::string>();
  EXPECT_NE(html.find("|Δ accuracy| is tracked best by <b>" + best + "</b>"), std::string::npos) << best;
  EXPECT_EQ(count(html, "class='best'"), 1u);
  EXPECT_NE(html.find("<tr data-measure='omnibus'><td title='"), std::string::npos);
  EXPECT_NE(html.find("normalised_omnibus <span class='map-tag'>(map)</span>"), std::string::npos);  // the default map
  for (const auto& c : s["measure_correlations"]) {
    const double rs = c["spearman"].get<double>();
    EXPECT_NE(html.find(fmt::format("<td data-value='{:.4g}'", rs)), std::string::npos) << c.dump();
  }
  for (const char* measure : {"omnibus", "direction", "normalised_omnibus", "knn_jaccard", "mutual_knn", "linear_cka"})
    EXPECT_NE(html.find(std::string("<a href='model_distances_") + measure + ".csv'>"), std::string::npos) << measure;
  // Print: hints hidden, figures and tables kept whole.
  const std::string print = html.substr(html.find("@media print"));
  EXPECT_NE(print.find(".hint{display:none}"), std::string::npos);
  EXPECT_NE(print.find("break-inside:avoid"), std::string::npos);
  EXPECT_GE(count(html, "class='hint'"), 3u);
}

// The labels of the map and the metric scatter as the report placed them (data-box = x0 y0 x1 y1): within each
// plot, no two overlap.
TEST_F(ReportFromRun, MapAndPairLabelsDoNotOverlap) {
  std::size_t labels = 0;
  for (std::size_t svg = html.find("<svg"); svg != std::string::npos; svg = html.find("<svg", svg + 1)) {
    const std::string plot = html.substr(svg, html.find("</svg>", svg) - svg);
    std::vector<LabelBox> boxes;
    for (std::size_t at = plot.find("data-box='"); at != std::string::npos; at = plot.find("data-box='", at + 1)) {
      LabelBox b;
      std::istringstream(plot.substr(at + 10, 80)) >> b.x0 >> b.y0 >> b.x1 >> b.y1;
      ASSERT_TRUE(b.placed());
      boxes.push_back(b);
    }
    labels += boxes.size();
    for (std::size_t i = 0; i < boxes.size(); ++i)
      for (std::size_t j = i + 1; j < boxes.size(); ++j) EXPECT_FALSE(boxes_overlap(boxes[i], boxes[j])) << i << " " << j;
  }
  EXPECT_EQ(labels, 3u + 3u);  // 3 model names, 3 pair labels
}

TEST(Report, LabelLayoutAvoidsOverlapsAndPoints) {
  // Worst cases: 12 models at one point, and 12 in a tight row; every placed box inside the area, clear of every
  // point and of every other box; in a roomy area all are placed.
  for (int layout = 0; layout < 2; ++layout) {
    std::vector<double> px, py, widths;
    for (int i = 0; i < 12; ++i) {
      px.push_back(layout == 0 ? 250.0 : 200.0 + 4.0 * i);
      py.push_back(200.0);
      widths.push_back(label_width("model_" + std::to_string(i), 13));
    }
    const LabelBox area{0, 0, 500, 400};
    const std::vector<LabelBox> boxes = place_labels(px, py, widths, 16, area, 7);
    ASSERT_EQ(boxes.size(), 12u);
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      ASSERT_TRUE(boxes[i].placed()) << layout << " " << i;
      EXPECT_GE(boxes[i].x0, area.x0);
      EXPECT_LE(boxes[i].x1, area.x1);
      EXPECT_GE(boxes[i].y0, area.y0);
      EXPECT_LE(boxes[i].y1, area.y1);
      for (std::size_t j = 0; j < px.size(); ++j) {
        const double cx = std::clamp(px[j], boxes[i].x0, boxes[i].x1), cy = std::clamp(py[j], boxes[i].y0, boxes[i].y1);
        EXPECT_GE(std::hypot(cx - px[j], cy - py[j]), 7.0) << "label " << i << " covers point " << j;
      }
      for (std::size_t j = i + 1; j < boxes.size(); ++j) EXPECT_FALSE(boxes_overlap(boxes[i], boxes[j])) << i << " " << j;
    }
  }
  // No room at all: left out, never overlapping.
  const auto none = place_labels({5, 6}, {5, 5}, {400, 400}, 16, LabelBox{0, 0, 100, 100}, 3);
  EXPECT_FALSE(none[0].placed());
  EXPECT_FALSE(none[1].placed());
  EXPECT_EQ(label_width("ab", 10), label_width("äö", 10));  // code points, not bytes
}

// Pair labels on the metric scatter: long names keep head and tail, so related models stay told apart.
TEST(Report, AbbreviatedLabelsKeepHeadAndTail) {
  EXPECT_EQ(abbreviate("wordllama64", 11), "wordllama64");  // fits: unchanged
  EXPECT_EQ(abbreviate("wordllama256", 11), "wordl…ma256");
  EXPECT_EQ(abbreviate("minilm_layer_12_mean", 11), "minil…_mean");
  EXPECT_NE(abbreviate("wordllama256", 11), abbreviate("wordllama512", 11));
  EXPECT_EQ(abbreviate("äöüßäöüßäöüß", 5), "äö…üß");  // code points, never a split character
  EXPECT_EQ(abbreviate("abcdef", 4), "ab…f");
}

// Data moved in one model of three: rejected in both pairs with that model, so the cross-pair view points at it.
TEST(Report, CrossPairViewPointsAtTheMovedModel) {
  test::TempDir dir;
  SimulateConfig sim;
  sim.models = 3;
  sim.n = 400;
  sim.seed = 2;  // as `datakernel simulate --models 3 --n 400 --seed 2`: 8 data rejected in both pairs with model 3
  SimulatedSet set = simulate(sim);
  CompareInput input;
  for (int g = 0; g < 3; ++g) {
    ModelInput model;
    model.spec = set.names[g] + ".npy";
    model.embeddings = LoadedEmbeddings{std::move(set.models[g]), {}};
    input.models.push_back(std::move(model));
  }
  input.names = {"a", "b", "odd"};
  CompareConfig config;
  write_results(run_compare(input, config), dir.file("out"));
  const std::string html = slurp(dir.file("out/report.html"));
  const std::size_t table = html.find("id='cross-models'");
  ASSERT_NE(table, std::string::npos);
  // The first row of the models table (sorted by data pointing at the model) is the moved model.
  const std::size_t first_row = html.find("<tbody><tr><td>", table);
  ASSERT_NE(first_row, std::string::npos);
  EXPECT_EQ(html.substr(first_row + 15, 3), "odd");
  EXPECT_NE(html.find("id='cross-data'"), std::string::npos);
  EXPECT_NE(html.find("<td data-value='2'>2 of 3</td><td>odd</td>"), std::string::npos);
  // Continuous p-values of the default (empirical) null: no floor.
  EXPECT_NE(html.find("gives continuous p-values, which can be arbitrarily small"), std::string::npos);
  EXPECT_EQ(html.find("class='floor-marker'"), std::string::npos);
  EXPECT_EQ(html.find("id='label-legend'"), std::string::npos);  // no --labels: no label plot
  // Against a reference (a): the moved data are rejected in a – odd only, and point at odd, the model of that
  // pair that is in no other pair.
  config.reference = "a";
  write_results(run_compare(input, config), dir.file("reference"));
  const std::string with_reference = slurp(dir.file("reference/report.html"));
  const std::size_t models = with_reference.find("id='cross-models'");
  ASSERT_NE(models, std::string::npos);
  EXPECT_EQ(with_reference.substr(with_reference.find("<tbody><tr><td>", models) + 15, 3), "odd");
  EXPECT_NE(with_reference.find("<td data-value='1'>1 of 2</td><td>odd</td>"), std::string::npos);
}

TEST_F(ReportFromRun, EscapesUserText) {
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("tuned &lt;v2&gt;"), std::string::npos);
  EXPECT_EQ(count(html, "<script>"), 1u);  // only the report's own sorting script
}

TEST_F(ReportFromRun, RegeneratesIdenticallyFromFiles) {
  write_report(dir.file("out"));
  EXPECT_EQ(slurp(dir.file("out/report.html")), html);
}

TEST_F(ReportFromRun, PlotsTheChosenPair) {
  // default: the tested pair with the most rejections; with B = 40 BH rejects nothing, so the first pair
  EXPECT_NE(html.find("base (circles) and tuned &lt;v2&gt; (squares)"), std::string::npos);
  config.report_pair = {"tuned <v2>", "base"};
  write_results(run_compare(input, config), dir.file("chosen"));
  const std::string chosen = slurp(dir.file("chosen/report.html"));
  EXPECT_NE(chosen.find("tuned &lt;v2&gt; (circles) and base (squares)"), std::string::npos);
  EXPECT_NE(chosen.find("--report-pair tuned &lt;v2&gt;,base"), std::string::npos);
}

// `datakernel report DIR` reads files the tool wrote earlier; they are input like any other. Each case corrupts
// one field of a real output directory; rendering must stop with an InputError naming the file and the problem
// (exit 2 in the CLI), never crash, abort or write a partial report.
namespace corrupt {

namespace fs = std::filesystem;
using Edit = std::function<void(const std::string& dir)>;

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& line : lines) out << line << "\n";
}

std::string join(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
  return out;
}

// Sets `column` of data rows [first, last) (0-based, after the header) of a CSV file to `value`.
Edit cell(const std::string& file, std::size_t first, std::size_t last, const std::string& column, const std::string& value) {
  return [=](const std::string& dir) {
    const std::string path = dir + "/" + file;
    auto lines = read_lines(path);
    const auto header = split_csv_line(lines.at(0));
    const auto c = static_cast<std::size_t>(std::find(header.begin(), header.end(), column) - header.begin());
    ASSERT_LT(c, header.size()) << column;
    for (std::size_t r = first; r < last; ++r) {
      auto fields = split_csv_line(lines.at(r + 1));
      fields.at(c) = value;
      lines[r + 1] = join(fields);
    }
    write_lines(path, lines);
  };
}
Edit cell(const std::string& file, std::size_t row, const std::string& column, const std::string& value) {
  return cell(file, row, row + 1, column, value);
}

Edit drop_last_line(const std::string& file) {
  return [=](const std::string& dir) {
    auto lines = read_lines(dir + "/" + file);
    lines.pop_back();
    write_lines(dir + "/" + file, lines);
  };
}

Edit duplicate_last_line(const std::string& file) {
  return [=](const std::string& dir) {
    auto lines = read_lines(dir + "/" + file);
    lines.push_back(lines.back());
    write_lines(dir + "/" + file, lines);
  };
}

// Keeps the first `fraction` of the file's bytes (a cut mid-line).
Edit truncate(const std::string& file, double fraction) {
  return [=](const std::string& dir) {
    const std::string path = dir + "/" + file;
    fs::resize_file(path, static_cast<std::uintmax_t>(static_cast<double>(fs::file_size(path)) * fraction));
  };
}

Edit replace_text(const std::string& file, const std::string& text) {
  return [=](const std::string& dir) { write_lines(dir + "/" + file, {text}); };
}

Edit rename_header(const std::string& file, const std::string& from, const std::string& to) {
  return [=](const std::string& dir) {
    auto lines = read_lines(dir + "/" + file);
    auto header = split_csv_line(lines.at(0));
    std::replace(header.begin(), header.end(), from, to);
    lines[0] = join(header);
    write_lines(dir + "/" + file, lines);
  };
}

// Edits summary.json: `change` gets the parsed document.
Edit summary(std::function<void(nlohmann::json&)> change) {
  return [=](const std::string& dir) {
    const std::string path = dir + "/summary.json";
    nlohmann::json j;
    {
      std::ifstream in(path);
      j = nlohmann::json::parse(in);
    }
    change(j);
    std::ofstream(path, std::ios::trunc) << j.dump(2);
  };
}
Edit set(const std::string& pointer, nlohmann::json value) {
  return summary([=](nlohmann::json& j) { j[nlohmann::json::json_pointer(pointer)] = value; });
}
Edit erase(const std::string& pointer) {
  return summary([=](nlohmann::json& j) {
    const nlohmann::json::json_pointer p(pointer);
    nlohmann::json& parent = j[p.parent_pointer()];
    if (parent.is_array()) parent.erase(std::stoul(p.back()));
    else parent.erase(p.back());
  });
}

struct Case {
  const char* name;
  Edit edit;
  const char* file;     // the file the message must name
  const char* message;  // and the problem
};

}  // namespace corrupt

class CorruptOutput : public ::testing::TestWithParam<corrupt::Case> {
 protected:
  // One real run (3 models, n = 60, texts, labels, metrics, per-datum tests), shared by all cases.
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    SimulateConfig sim;
    sim.models = 3;
    sim.n = 60;
    sim.dims = {12, 8};
    SimulatedSet set = simulate(sim);
    CompareInput input;
    for (int g = 0; g < 3; ++g) {
      ModelInput model;
      model.spec = set.names[g] + ".npy";
      model.embeddings = LoadedEmbeddings{std::move(set.models[g]), {}};
      input.models.push_back(std::move(model));
    }
    input.names = {"a", "b", "c"};
    for (int i = 0; i < 60; ++i) {
      input.texts.push_back("text " + std::to_string(i));
      input.labels.push_back("label " + std::to_string(i % 3));
    }
    MetricsTable metrics;
    metrics.metric_names = {"accuracy"};
    metrics.values = {{0.5, 0.6, 0.9}};
    input.metrics = metrics;
    CompareConfig config;
    config.knn.k = 6;
    config.omnibus.dim = 3;
    write_results(run_compare(input, config), dir_->file("pristine"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static test::TempDir* dir_;
};
test::TempDir* CorruptOutput::dir_ = nullptr;

TEST_F(CorruptOutput, PristineDirectoryRenders) {
  EXPECT_NO_THROW(render_report(dir_->file("pristine")));
  const ResultsOnDisk r = read_results(dir_->file("pristine"));
  EXPECT_EQ(r.ids.size(), 60u);
  EXPECT_EQ(r.tests.size(), 3u);
  EXPECT_EQ(r.labels.size(), 60u);
}

TEST_F(CorruptOutput, ValuesAWriterCanProduceStillRender) {
  // The largest --seed, and NaN statistics (written as null) where the report shows "n/a"/"nan".
  namespace fs = std::filesystem;
  const std::string dir = dir_->file("extremes");
  fs::remove_all(dir);
  fs::copy(dir_->file("pristine"), dir, fs::copy_options::recursive);
  corrupt::set("/seed", std::numeric_limits<std::uint64_t>::max())(dir);
  corrupt::set("/eigengap", nullptr)(dir);
  corrupt::set("/manifold/0/1", nullptr)(dir);
  corrupt::set("/correlations/0/spearman", nullptr)(dir);
  EXPECT_NO_THROW(write_report(dir));
  EXPECT_NE(slurp(dir + "/report.html").find("--seed 18446744073709551615"), std::string::npos);
}

TEST_P(CorruptOutput, IsAnInputErrorNamingFileAndProblem) {
  const corrupt::Case& c = GetParam();
  namespace fs = std::filesystem;
  const std::string dir = dir_->file(std::string("case_") + c.name);
  fs::remove_all(dir);
  fs::copy(dir_->file("pristine"), dir, fs::copy_options::recursive);
  const std::string before = slurp(dir + "/report.html");
  c.edit(dir);
  if (::testing::Test::HasFatalFailure()) return;
  try {
    write_report(dir);
    FAIL() << c.name << ": accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(c.file), std::string::npos) << c.name << ": " << what;
    EXPECT_NE(what.find(c.message), std::string::npos) << c.name << ": " << what;
  }
  EXPECT_EQ(slurp(dir + "/report.html"), before) << "a failed report must leave the old report.html";
  EXPECT_FALSE(fs::exists(dir + "/.report.html.tmp"));
  fs::remove_all(dir);
}

using corrupt::cell;
using corrupt::set;
using corrupt::erase;
using nlohmann::json;
constexpr std::size_t kRows = 60 * 3;  // latent_2d.csv and datum_tests.csv: n × 3

INSTANTIATE_TEST_SUITE_P(
    Latent2d, CorruptOutput,
    ::testing::Values(
        corrupt::Case{"datum_negative", cell("latent_2d.csv", 4, "datum", "-1"), "latent_2d.csv", "line 6: datum -1 is outside [0, n) for n = 60"},
        corrupt::Case{"datum_equal_n", cell("latent_2d.csv", 4, "datum", "60"), "latent_2d.csv", "datum 60 is outside [0, n)"},
        corrupt::Case{"datum_huge", cell("latent_2d.csv", 4, "datum", "1000000000000"), "latent_2d.csv", "datum 1000000000000 is outside"},
        corrupt::Case{"datum_overflows_int64", cell("latent_2d.csv", 4, "datum", "99999999999999999999"), "latent_2d.csv", "is not an integer"},
        corrupt::Case{"datum_nan", cell("latent_2d.csv", 4, "datum", "nan"), "latent_2d.csv", "datum 'nan' is not an integer"},
        corrupt::Case{"datum_inf", cell("latent_2d.csv", 4, "datum", "inf"), "latent_2d.csv", "datum 'inf' is not an integer"},
        corrupt::Case{"datum_fraction", cell("latent_2d.csv", 4, "datum", "1.5"), "latent_2d.csv", "datum '1.5' is not an integer"},
        corrupt::Case{"datum_empty", cell("latent_2d.csv", 4, "datum", ""), "latent_2d.csv", "datum '' is not an integer"},
        corrupt::Case{"datum_text", cell("latent_2d.csv", 4, "datum", "four"), "latent_2d.csv", "not an integer"},
        corrupt::Case{"datum_repeated", cell("latent_2d.csv", 4, "datum", "3"), "latent_2d.csv", "datum 3 of model 'a' appears twice"},
        corrupt::Case{"z1_nan", cell("latent_2d.csv", 7, "z1", "nan"), "latent_2d.csv", "z1 'nan' is not a finite number"},
        corrupt::Case{"z2_inf", cell("latent_2d.csv", 7, "z2", "-inf"), "latent_2d.csv", "z2 '-inf' is not a finite number"},
        corrupt::Case{"z1_text", cell("latent_2d.csv", 7, "z1", "abc"), "latent_2d.csv", "z1 'abc' is not a number"},
        corrupt::Case{"z1_trailing_junk", cell("latent_2d.csv", 7, "z1", "0.5x"), "latent_2d.csv", "z1 '0.5x' is not a number"},
        corrupt::Case{"model_unknown", cell("latent_2d.csv", 9, "model", "zzz"), "latent_2d.csv", "model 'zzz' is not one of the models"},
        corrupt::Case{"id_differs_between_models", cell("latent_2d.csv", 60, "id", "other"), "latent_2d.csv", "datum 0 has id 'other' here"},
        corrupt::Case{"last_line_missing", corrupt::drop_last_line("latent_2d.csv"), "latent_2d.csv", "has 179 rows, expected n × models = 60 × 3 = 180"},
        corrupt::Case{"extra_line", corrupt::duplicate_last_line("latent_2d.csv"), "latent_2d.csv", "has 181 rows"},
        corrupt::Case{"cut_mid_line", corrupt::truncate("latent_2d.csv", 0.5), "latent_2d.csv", "fields, expected 5"},
        corrupt::Case{"header_only", corrupt::truncate("latent_2d.csv", 0.001), "latent_2d.csv", ""},
        corrupt::Case{"empty", corrupt::truncate("latent_2d.csv", 0.0), "latent_2d.csv", "empty file"},
        corrupt::Case{"column_missing", corrupt::rename_header("latent_2d.csv", "z2", "zz"), "latent_2d.csv", "no column 'z2'"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    DatumTests, CorruptOutput,
    ::testing::Values(
        corrupt::Case{"datum_negative", cell("datum_tests.csv", 2, "datum", "-5"), "datum_tests.csv", "datum -5 is outside [0, n)"},
        corrupt::Case{"datum_equal_n", cell("datum_tests.csv", 2, "datum", "60"), "datum_tests.csv", "datum 60 is outside"},
        corrupt::Case{"datum_nan", cell("datum_tests.csv", 2, "datum", "NaN"), "datum_tests.csv", "datum 'NaN' is not an integer"},
        corrupt::Case{"datum_repeated", cell("datum_tests.csv", 2, "datum", "1"), "datum_tests.csv", "datum 1 appears twice for a vs b"},
        corrupt::Case{"p_above_one", cell("datum_tests.csv", 3, "p_value", "1.5"), "datum_tests.csv", "p_value 1.5 is outside [0, 1]"},
        corrupt::Case{"p_negative", cell("datum_tests.csv", 3, "p_value", "-0.1"), "datum_tests.csv", "p_value -0.1 is outside"},
        corrupt::Case{"q_nan", cell("datum_tests.csv", 3, "q_value", "nan"), "datum_tests.csv", "q_value 'nan' is not a finite number"},
        corrupt::Case{"statistic_inf", cell("datum_tests.csv", 3, "statistic", "inf"), "datum_tests.csv", "statistic 'inf' is not a finite number"},
        corrupt::Case{"statistic_text", cell("datum_tests.csv", 3, "statistic", "big"), "datum_tests.csv", "statistic 'big' is not a number"},
        corrupt::Case{"jaccard_above_one", cell("datum_tests.csv", 3, "jaccard", "2"), "datum_tests.csv", "jaccard 2 is outside [0, 1]"},
        corrupt::Case{"rank_change_text", cell("datum_tests.csv", 3, "rank_change", "x"), "datum_tests.csv", "rank_change 'x' is not a number"},
        corrupt::Case{"rejected_not_boolean", cell("datum_tests.csv", 3, "rejected", "maybe"), "datum_tests.csv", "rejected 'maybe' must be true or false"},
        corrupt::Case{"model_unknown", cell("datum_tests.csv", 0, 60, "model_a", "zzz"), "datum_tests.csv", "model 'zzz' is not one of the models"},
        corrupt::Case{"pair_twice", [](const std::string& dir) {
                        cell("datum_tests.csv", 120, 180, "model_a", "a")(dir);
                        cell("datum_tests.csv", 120, 180, "model_b", "b")(dir);
                      }, "datum_tests.csv", "pair a vs b appears in two places"},
        corrupt::Case{"last_line_missing", corrupt::drop_last_line("datum_tests.csv"), "datum_tests.csv", "has 59 rows before line 181, expected n = 60"},
        corrupt::Case{"pair_cut_short", cell("datum_tests.csv", 59, "model_b", "c"), "datum_tests.csv", "pair a vs b has 59 rows before line 61"},
        corrupt::Case{"cut_mid_line", corrupt::truncate("datum_tests.csv", 0.7), "datum_tests.csv", ""},
        corrupt::Case{"column_missing", corrupt::rename_header("datum_tests.csv", "q_value", "q"), "datum_tests.csv", "no column 'q_value'"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Annotations, CorruptOutput,
    ::testing::Values(
        corrupt::Case{"last_line_missing", corrupt::drop_last_line("annotations.csv"), "annotations.csv", "has 59 rows, expected n = 60"},
        corrupt::Case{"datum_out_of_order", cell("annotations.csv", 3, "datum", "4"), "annotations.csv", "datum 4 out of order (expected 3)"},
        corrupt::Case{"datum_negative", cell("annotations.csv", 3, "datum", "-3"), "annotations.csv", "datum -3 is outside"},
        corrupt::Case{"column_missing", corrupt::rename_header("annotations.csv", "label", "tag"), "annotations.csv", "no column 'label'"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    SummaryJson, CorruptOutput,
    ::testing::Values(
        corrupt::Case{"not_json", corrupt::replace_text("summary.json", "{\"n\": 60,"), "summary.json", "malformed JSON"},
        corrupt::Case{"empty", corrupt::truncate("summary.json", 0.0), "summary.json", "malformed JSON"},
        corrupt::Case{"cut_in_half", corrupt::truncate("summary.json", 0.5), "summary.json", "malformed JSON"},
        corrupt::Case{"an_array", corrupt::replace_text("summary.json", "[1, 2]"), "summary.json", "must be an object, got array"},
        corrupt::Case{"n_missing", erase("/n"), "summary.json", "missing key 'n'"},
        corrupt::Case{"n_string", set("/n", "60"), "summary.json", "'n' must be an integer, got string"},
        corrupt::Case{"n_fraction", set("/n", 60.5), "summary.json", "'n' must be an integer, got a number"},
        corrupt::Case{"n_negative", set("/n", -60), "summary.json", "'n' must be in [3, "},
        corrupt::Case{"n_huge", set("/n", 1000000000000000000LL), "summary.json", "'n' must be in [3, "},
        corrupt::Case{"n_other_run", set("/n", 1000), "latent_2d.csv", "has 180 rows, expected n × models = 1000 × 3"},
        corrupt::Case{"n_smaller", set("/n", 50), "latent_2d.csv", "has 180 rows"},
        corrupt::Case{"models_missing", erase("/models"), "summary.json", "missing key 'models'"},
        corrupt::Case{"models_string", set("/models", "a,b,c"), "summary.json", "'models' must be an array, got string"},
        corrupt::Case{"models_entry_number", set("/models/1", 7), "summary.json", "'models[1]' must be a string, got an integer"},
        corrupt::Case{"models_one", set("/models", json::array({"a"})), "summary.json", "must name at least 2 models, got 1"},
        corrupt::Case{"models_repeated", set("/models/1", "a"), "summary.json", "'models' names a model twice"},
        corrupt::Case{"models_renamed", set("/models/2", "d"), "summary.json", ""},
        corrupt::Case{"k_missing", erase("/k"), "summary.json", "missing key 'k'"},
        corrupt::Case{"k_string", set("/k", "6"), "summary.json", "'k' must be an integer, got string"},
        corrupt::Case{"dim_null", set("/dim", nullptr), "summary.json", "'dim' must be an integer, got null"},
        corrupt::Case{"dim_zero", set("/dim", 0), "summary.json", "'dim' must be in [1, "},
        corrupt::Case{"seed_negative", set("/seed", -1), "summary.json", "'seed' must be in [0, "},
        corrupt::Case{"seed_fraction", set("/seed", 1.5), "summary.json", "'seed' must be an integer, got a number"},
        corrupt::Case{"metric_number", set("/metric", 3), "summary.json", "'metric' must be a string"},
        corrupt::Case{"dim_rule_missing", erase("/dim_rule"), "summary.json", "missing key 'dim_rule'"},
        corrupt::Case{"distance_method_bool", set("/distance_method", true), "summary.json", "'distance_method' must be a string, got boolean"},
        corrupt::Case{"eigengap_string", set("/eigengap", "0.1"), "summary.json", "'eigengap' must be a number or null, got string"},
        corrupt::Case{"stress_missing", erase("/manifold_stress"), "summary.json", "missing key 'manifold_stress'"},
        corrupt::Case{"version_number", set("/version", 2), "summary.json", "'version' must be a string"},
        corrupt::Case{"blas_core_object", set("/blas_core", json::object()), "summary.json", "'blas_core' must be a string"},
        corrupt::Case{"eigenvalues_string", set("/eigenvalues", "1,2"), "summary.json", "'eigenvalues' must be an array, got string"},
        corrupt::Case{"eigenvalue_string", set("/eigenvalues/1", "x"), "summary.json", "'eigenvalues[1]' must be a number or null, got string"},
        corrupt::Case{"elbows_zero", set("/elbows", json::array({0})), "summary.json", "'elbows[0]' must be in [1, "},
        corrupt::Case{"elbows_fraction", set("/elbows", json::array({1.5})), "summary.json", "'elbows[0]' must be an integer, got a number"},
        corrupt::Case{"search_eigenvalues_string", set("/search_eigenvalues", "64"), "summary.json", "'search_eigenvalues' must be an integer"},
        corrupt::Case{"distances_missing", erase("/model_distances"), "summary.json", "missing key 'model_distances'"},
        corrupt::Case{"distances_row_missing", erase("/model_distances/2"), "summary.json", "'model_distances' must have 3 rows"},
        corrupt::Case{"distances_row_short", erase("/model_distances/1/2"), "summary.json", "'model_distances[1]' must have 3 entries"},
        corrupt::Case{"distances_null", set("/model_distances/0/1", nullptr), "summary.json", "'model_distances[0][1]' must be a number, got null"},
        corrupt::Case{"distances_string", set("/model_distances/0/1", "x"), "summary.json", "must be a number, got string"},
        corrupt::Case{"distances_not_matrix", set("/model_distances", 1), "summary.json", "'model_distances' must be an array"},
        corrupt::Case{"manifold_missing", erase("/manifold"), "summary.json", "missing key 'manifold'"},
        corrupt::Case{"manifold_empty_row", set("/manifold/0", json::array()), "summary.json", "'manifold[0]' must have"},
        corrupt::Case{"manifold_ragged", erase("/manifold/1/1"), "summary.json", "'manifold[1]' must have 2 entries"},
        corrupt::Case{"inputs_missing", erase("/inputs"), "summary.json", "missing key 'inputs'"},
        corrupt::Case{"inputs_short", erase("/inputs/0"), "summary.json", "'inputs' must have one entry per model (3), got 2"},
        corrupt::Case{"input_name_missing", erase("/inputs/0/name"), "summary.json", "missing key 'inputs[0].name'"},
        corrupt::Case{"input_dim_string", set("/inputs/1/dim", "12"), "summary.json", "'inputs[1].dim' must be an integer"},
        corrupt::Case{"input_not_object", set("/inputs/2", 5), "summary.json", "'inputs[2]' must be an object"},
        corrupt::Case{"test_config_missing", erase("/test_config"), "summary.json", "missing key 'test_config'"},
        corrupt::Case{"test_config_null_missing", erase("/test_config/null"), "summary.json", "missing key 'test_config.null'"},
        corrupt::Case{"test_config_alpha_string", set("/test_config/alpha", "0.05"), "summary.json", "'test_config.alpha' must be a number"},
        corrupt::Case{"test_config_bootstrap_negative", set("/test_config/bootstrap", -1), "summary.json", "'test_config.bootstrap' must be in [0, "},
        corrupt::Case{"test_config_enabled_string", set("/test_config/enabled", "yes"), "summary.json", "'test_config.enabled' must be true or false"},
        corrupt::Case{"test_config_reference_null", set("/test_config/reference", nullptr), "summary.json", "'test_config.reference' must be a string"},
        corrupt::Case{"warnings_string", set("/warnings", "careful"), "summary.json", "'warnings' must be an array"},
        corrupt::Case{"warning_number", set("/warnings", json::array({1})), "summary.json", "'warnings[0]' must be a string"},
        corrupt::Case{"sources_number", set("/sources", json::object({{"ids", 3}})), "summary.json", "'sources.ids' must be a string"},
        corrupt::Case{"library_versions_number", set("/library_versions/eigen", 3), "summary.json", "'library_versions.eigen' must be a string"},
        corrupt::Case{"report_pair_unknown", set("/report_pair", json::array({"a", "zzz"})), "summary.json", "'report_pair[1]' 'zzz' is not one of the models"},
        corrupt::Case{"report_pair_one", set("/report_pair", json::array({"a"})), "summary.json", "'report_pair' must name 2 models, got 1"},
        corrupt::Case{"report_pair_number", set("/report_pair", json::array({"a", 2})), "summary.json", "'report_pair[1]' must be a string"},
        corrupt::Case{"metric_values_short", set("/metric_values/accuracy", json::array({0.5})), "summary.json", "'metric_values.accuracy' must have one value per model (3), got 1"},
        corrupt::Case{"metric_values_null", set("/metric_values/accuracy/1", nullptr), "summary.json", "'metric_values.accuracy[1]' must be a number"},
        corrupt::Case{"correlations_not_array", set("/correlations", json::object()), "summary.json", "'correlations' must be an array"},
        corrupt::Case{"correlation_exact_string", set("/correlations/0/exact", "yes"), "summary.json", "'correlations[0].exact' must be true or false"},
        corrupt::Case{"correlation_metric_missing", erase("/correlations/0/metric"), "summary.json", "missing key 'correlations[0].metric'"},
        corrupt::Case{"correlation_pairs_fraction", set("/correlations/0/pairs", 2.5), "summary.json", "'correlations[0].pairs' must be an integer"},
        corrupt::Case{"pair_measures_not_array", set("/pair_measures", 1), "summary.json", "'pair_measures' must be an array"},
        corrupt::Case{"pair_measure_row_short", erase("/pair_measures/1/distances/2/0"), "summary.json", "'pair_measures[1].distances[2]' must have 3 entries"},
        corrupt::Case{"pair_measure_name_missing", erase("/pair_measures/0/name"), "summary.json", "missing key 'pair_measures[0].name'"},
        corrupt::Case{"measure_correlation_string", set("/measure_correlations/3/spearman", "0.5"), "summary.json", "'measure_correlations[3].spearman' must be a number"},
        corrupt::Case{"best_measure_number", set("/best_measure/0/measure", 2), "summary.json", "'best_measure[0].measure' must be a string"},
        corrupt::Case{"tests_not_array", set("/tests", 3), "summary.json", "'tests' must be an array"},
        corrupt::Case{"test_model_unknown", set("/tests/0/model_a", "zzz"), "summary.json", "'tests[0].model_a' 'zzz' is not one of the models"},
        corrupt::Case{"test_model_number", set("/tests/1/model_b", 1), "summary.json", "'tests[1].model_b' must be a string"},
        corrupt::Case{"test_bootstrap_negative", set("/tests/0/bootstrap", -5), "summary.json", "'tests[0].bootstrap' must be in [0, "},
        corrupt::Case{"test_n_rejected_missing", erase("/tests/2/n_rejected"), "summary.json", "missing key 'tests[2].n_rejected'"},
        corrupt::Case{"test_alpha_null", set("/tests/0/alpha", nullptr), "summary.json", "'tests[0].alpha' must be a number, got null"},
        corrupt::Case{"test_cdf_missing", erase("/tests/0/p_value_cdf"), "summary.json", "missing key 'tests[0].p_value_cdf'"},
        corrupt::Case{"test_cdf_point_short", set("/tests/0/p_value_cdf/3", json::array({0.1})), "summary.json", "'tests[0].p_value_cdf[3]' must be an [x, F(x)] pair"},
        corrupt::Case{"test_cdf_point_string", set("/tests/0/p_value_cdf/3/1", "x"), "summary.json", "'tests[0].p_value_cdf[3][1]' must be a number"},
        corrupt::Case{"test_mean_jaccard_string", set("/tests/0/mean_jaccard", "0.1"), "summary.json", "'tests[0].mean_jaccard' must be a number"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Report, MissingDirectoryIsAnInputError) {
  test::TempDir dir;
  try {
    render_report(dir.file("nothing-here"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no summary.json"), std::string::npos) << e.what();
  }
}

TEST(Progress, PlainLinesWhenNotATerminal) {
  std::FILE* file = std::tmpfile();
  {
    TerminalProgress progress(file, false);
    progress.begin("work", 10);
    for (int i = 1; i <= 10; ++i) progress.advance(i);
    progress.end();
    progress.message("note");
  }
  std::rewind(file);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), file));
  std::fclose(file);
  EXPECT_NE(text.find("datakernel: work (10 steps)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("work: done in"), std::string::npos) << text;
  EXPECT_NE(text.find("datakernel: note\n"), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(Progress, BarWithEtaOnATerminal) {
  std::FILE* file = std::tmpfile();
  {
    TerminalProgress progress(file, true);
    progress.begin("replicates", 4);
    progress.advance(1);
    progress.advance(4);
    progress.end();
  }
  std::rewind(file);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), file));
  std::fclose(file);
  EXPECT_NE(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("[##############################] 100% 4/4"), std::string::npos) << text;
}

}  // namespace
}  // namespace dk
