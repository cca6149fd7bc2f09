// The HTML report and progress rendering: structure, escaping, regeneration from files, clustering order.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "datakernel/compare.hpp"
#include "datakernel/error.hpp"
#include "datakernel/report/html_report.hpp"
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
  // model map + heatmap + 1 correlation + 3 pair CDFs + the 2-D embedding
  EXPECT_EQ(count(html, "<svg"), 7u);
  for (const char* id : {"id='model-map'", "id='heatmap'", "id='correlations'", "id='tests'", "id='embedding'",
                         "id='methods'"})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_EQ(count(html, "<table class='sortable'>"), 3u);
  EXPECT_NE(html.find("k = " + std::to_string(default_k(300))), std::string::npos);
  EXPECT_NE(html.find("40 replicates from the pooled null model"), std::string::npos);
  EXPECT_NE(html.find("--test omnibus --null pooled --bootstrap 40 --bootstrap-p count"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // self-contained: nothing fetched
  EXPECT_EQ(html.find("https://"), std::string::npos);
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
