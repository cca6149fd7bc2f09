// The pipeline as one library call: joint vs pairwise distances, and the output files.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <nlohmann/json.hpp>

#include "datakernel/compare.hpp"
#include "datakernel/error.hpp"
#include "datakernel/population/model_distance.hpp"
#include "datakernel/report/results_writer.hpp"
#include "simulated_input.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

using test::simulated_input;

TEST(Compare, PairwiseEqualsJointForTwoModels) {
  const CompareInput input = simulated_input(2, 400, 1);
  CompareConfig config;
  config.per_datum_tests = false;
  config.measures.map = PairMeasureKind::omnibus;  // --pairwise changes only the omnibus measure
  config.omnibus.dim = 5;
  const CompareResult joint = run_compare(input, config);
  config.pairwise = true;
  const CompareResult pairwise = run_compare(input, config);
  EXPECT_NEAR(joint.distances(0, 1), pairwise.distances(0, 1), 1e-9);
  EXPECT_GT(joint.distances(0, 1), 0.0);
}

TEST(Compare, PairwiseAndJointAgreeOnTheFarthestModel) {
  const CompareInput input = simulated_input(3, 500, 2);  // model 3 has moved data
  CompareConfig config;
  config.per_datum_tests = false;
  config.measures.map = PairMeasureKind::omnibus;
  config.omnibus.dim = 10;
  const CompareResult joint = run_compare(input, config);
  config.pairwise = true;
  const CompareResult pairwise = run_compare(input, config);
  for (const auto* r : {&joint, &pairwise}) {
    const Eigen::VectorXd mean = r->distances.rowwise().sum();
    Eigen::Index farthest;
    mean.maxCoeff(&farthest);
    EXPECT_EQ(farthest, 2);
    EXPECT_TRUE(r->distances.isApprox(r->distances.transpose()));
  }
}

TEST(Compare, WritesTheOutputContract) {
  CompareInput input = simulated_input(3, 300, 3);
  for (int i = 0; i < 300; ++i) input.ids.push_back("id" + std::to_string(i));
  CompareConfig config;
  config.test.statistic = TestStatistic::omnibus;
  config.test.null = NullModel::pooled;
  config.test.bootstrap = 50;
  config.test.bootstrap_p = BootstrapP::count;
  config.reference = "model_3";
  const CompareResult result = run_compare(input, config);
  test::TempDir dir;
  write_results(result, dir.file("out"));
  std::ifstream in(dir.file("out/summary.json"));
  const nlohmann::json s = nlohmann::json::parse(in);
  EXPECT_EQ(s["n"], 300);
  EXPECT_EQ(s["models"], (std::vector<std::string>{"model_1", "model_2", "model_3"}));
  EXPECT_EQ(s["k"], default_k(300));
  EXPECT_EQ(s["metric"], "cosine");
  EXPECT_GE(s["eigenvalues"].size(), s["dim"].get<std::size_t>() + 1);
  EXPECT_EQ(s["model_distances"].size(), 3u);
  EXPECT_EQ(s["manifold"][0].size(), 2u);
  EXPECT_FALSE(s.contains("correlations"));
  std::ifstream shifts(dir.file("out/datum_shift.csv"));
  std::string header, first;
  std::getline(shifts, header);
  std::getline(shifts, first);
  EXPECT_EQ(header, "datum,id,model_a,model_b,shift,rank");
  EXPECT_EQ(first.rfind("0,id0,model_1,model_2,", 0), 0u) << first;
  // exactly the contract's files (the staging directory is gone)
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("out")))
    files.insert(entry.path().filename().string());
  EXPECT_EQ(files, (std::set<std::string>{".datakernel-files", "summary.json", "model_distances.csv", "manifold.csv",
                                          "datum_shift.csv", "datum_tests.csv", "latent_2d.csv", "report.html",
                                          "model_distances_omnibus.csv", "model_distances_direction.csv",
                                          "model_distances_normalised_omnibus.csv",
                                          "model_distances_knn_jaccard.csv", "model_distances_mutual_knn.csv",
                                          "model_distances_linear_cka.csv"}));
  // per-datum tests: model_3 against each other model
  ASSERT_EQ(s["tests"].size(), 2u);
  EXPECT_EQ(s["tests"][0]["model_a"], "model_3");
  EXPECT_EQ(s["tests"][0]["model_b"], "model_1");
  EXPECT_EQ(s["tests"][1]["model_b"], "model_2");
  EXPECT_EQ(s["tests"][0]["bootstrap"], 50);
  EXPECT_EQ(s["tests"][0]["correction"], "bh");
  EXPECT_EQ(s["tests"][0]["p_value_cdf"].size(), 101u);
  EXPECT_EQ(s["tests"][0]["p_value_cdf"][100][1], 1.0);
  EXPECT_EQ(s["tests"][0]["statistic"], "omnibus");
  EXPECT_EQ(s["tests"][0]["smallest_attainable_p"], 1.0 / 51.0);
  ASSERT_EQ(s["tests"][0]["dim_stability"].size(), 2u);  // d/2 and 2d
  for (const auto& entry : s["tests"][0]["dim_stability"]) {
    EXPECT_GT(entry["spearman"].get<double>(), -1.0);
    EXPECT_LE(entry["spearman"].get<double>(), 1.0);
  }
  // the advice about B = 50 over 300 data is in the warnings
  bool advised = false;
  for (const auto& w : s["warnings"]) advised |= w.get<std::string>().find("--bootstrap 50") != std::string::npos;
  EXPECT_TRUE(advised);
  std::ifstream tests(dir.file("out/datum_tests.csv"));
  std::getline(tests, header);
  EXPECT_EQ(header, "datum,id,model_a,model_b,statistic,p_value,q_value,rejected,jaccard,rank_change");
  int rows = 0;
  for (std::string line; std::getline(tests, line);) ++rows;
  EXPECT_EQ(rows, 600);
}

TEST(Compare, DefaultTestReportsNeighbourhoodMeasuresAndItsNull) {
  CompareInput input = simulated_input(2, 300, 4);
  CompareConfig config;
  config.test.correction = Correction::by;
  const CompareResult result = run_compare(input, config);
  ASSERT_EQ(result.tests.size(), 1u);
  const PairTest& t = result.tests[0];
  EXPECT_EQ(t.result.config.statistic, TestStatistic::neighbourhood);
  EXPECT_EQ(t.result.config.null, NullModel::empirical);
  EXPECT_FALSE(t.result.empirical.degenerate);
  EXPECT_EQ(t.jaccard.size(), 300);
  EXPECT_EQ(t.rank_change.size(), 300);
  EXPECT_TRUE(t.dim_stability.empty());
  // BY q-values are the BH ones times the harmonic sum (before the cap at 1)
  const std::vector<double> bh = adjust_p_values(t.result.p_value, Correction::bh);
  double harmonic = 0;
  for (int s = 1; s <= 300; ++s) harmonic += 1.0 / s;
  for (std::size_t i = 0; i < bh.size(); ++i) EXPECT_NEAR(t.result.q_value[i], std::min(1.0, harmonic * bh[i]), 1e-12);
  const nlohmann::json s = summary_json(result);
  EXPECT_EQ(s["tests"][0]["multiple_testing"], "by over the 300 data of this pair");
  EXPECT_EQ(s["tests"][0]["smallest_attainable_p"], 0.0);
}

TEST(Compare, TestPairsFollowTheRule) {
  const std::vector<std::string> names{"a", "b", "c", "d"};
  using Pairs = std::vector<std::pair<int, int>>;
  EXPECT_EQ(test_pairs(names, ""), (Pairs{{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}));
  EXPECT_EQ(test_pairs(names, "c"), (Pairs{{2, 0}, {2, 1}, {2, 3}}));
  EXPECT_EQ(test_pairs(names, "", {"d", "b"}), (Pairs{{3, 1}}));
  EXPECT_THROW(test_pairs(names, "", {"d", "x"}), InputError);
  EXPECT_THROW(test_pairs(names, "", {"d", "d"}), InputError);
  EXPECT_THROW(test_pairs(names, "", {"d"}), InputError);
  EXPECT_THROW(test_pairs(names, "a", {"b", "c"}), InputError);
}

// Only the named pair is tested, with the result it has when every pair is; the population (all models) is the same.
TEST(Compare, TestPairTestsOnlyThatPair) {
  const CompareInput input = simulated_input(4, 200, 11);
  const CompareResult every = run_compare(input, CompareConfig{});
  CompareConfig one;
  one.test_pair = {"model_2", "model_4"};
  const CompareResult only = run_compare(input, one);
  ASSERT_EQ(every.tests.size(), 6u);
  ASSERT_EQ(only.tests.size(), 1u);
  const PairTest& same = every.tests[4];  // (model_2, model_4)
  ASSERT_EQ(same.model_a, 1);
  ASSERT_EQ(same.model_b, 3);
  EXPECT_EQ(only.tests[0].model_a, 1);
  EXPECT_EQ(only.tests[0].model_b, 3);
  EXPECT_EQ(only.tests[0].result.rejected, same.result.rejected);
  EXPECT_EQ(only.tests[0].result.p_value, same.result.p_value);
  EXPECT_EQ(only.distances, every.distances);
  test::TempDir dir;
  write_results(only, dir.file("out"));
  std::ifstream in(dir.file("out/summary.json"));
  const nlohmann::json s = nlohmann::json::parse(in);
  EXPECT_EQ(s["test_config"]["test_pair"], (std::vector<std::string>{"model_2", "model_4"}));
  EXPECT_EQ(s["tests"].size(), 1u);
}

TEST(Compare, UnknownReferenceIsAnInputError) {
  const CompareInput input = simulated_input(2, 100, 5);
  CompareConfig config;
  config.reference = "nope";
  EXPECT_THROW(run_compare(input, config), InputError);
}

TEST(Compare, ValidationNamesTheProblem) {
  CompareInput input = simulated_input(2, 100, 4);
  input.models[1].embeddings->embeddings.n = 99;
  input.models[1].embeddings->embeddings.values.resize(99 * 24);
  CompareConfig config;
  try {
    run_compare(input, config);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("model_2: has 99 rows"), std::string::npos) << e.what();
  }
}

// One validation for the CLI and the Python package (validate_compare_input / validate_compare_config): every
// bad option or inconsistent input is an InputError naming the problem, before any computation.
struct BadSetting {
  const char* name;
  std::function<void(CompareInput&, CompareConfig&)> change;
  const char* message;
};

class CompareRejects : public ::testing::TestWithParam<BadSetting> {};

TEST_P(CompareRejects, BeforeComputing) {
  CompareInput input = simulated_input(3, 40, 5);
  CompareConfig config;
  GetParam().change(input, config);
  try {
    validate_compare_input(input, config);
    FAIL() << GetParam().name << ": accepted";
  } catch (const InputError& e) {
    EXPECT_NE(dk::render_option_names(e.what(), dk::OptionStyle::cli).find(GetParam().message), std::string::npos) << e.what();
  }
  EXPECT_THROW(run_compare(input, config), InputError);  // run_compare checks the same
}

MetricsTable one_metric(std::vector<double> values) {
  MetricsTable t;
  t.metric_names = {"acc"};
  t.values = {std::move(values)};
  return t;
}

const double kNan = std::numeric_limits<double>::quiet_NaN(), kInf = std::numeric_limits<double>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Table, CompareRejects,
    ::testing::Values(
        BadSetting{"k_negative", [](auto&, auto& c) { c.knn.k = -5; }, "--k must be a positive integer"},
        BadSetting{"threads_negative", [](auto&, auto& c) { c.knn.threads = -1; }, "--threads must be 0"},
        BadSetting{"test_threads_negative", [](auto&, auto& c) { c.test.threads = -3; }, "--threads must be 0"},
        BadSetting{"dim_negative", [](auto&, auto& c) { c.omnibus.dim = -2; }, "--dim must be 'auto' or a positive integer, got -2"},
        BadSetting{"elbows_zero", [](auto&, auto& c) { c.omnibus.elbows = 0; }, "--elbows must be in [1, 5], got 0"},
        BadSetting{"elbows_six", [](auto&, auto& c) { c.omnibus.elbows = 6; }, "--elbows must be in [1, 5], got 6"},
        BadSetting{"max_dim_negative", [](auto&, auto& c) { c.omnibus.search = -3; }, "--max-dim must be in [2, 1000], got -3"},
        BadSetting{"max_dim_one", [](auto&, auto& c) { c.omnibus.search = 1; }, "--max-dim must be in [2, 1000], got 1"},
        BadSetting{"max_dim_huge", [](auto&, auto& c) { c.omnibus.search = 1001; }, "--max-dim must be in [2, 1000], got 1001"},
        BadSetting{"manifold_dim_zero", [](auto&, auto& c) { c.manifold_dim = 0; }, "--manifold-dim must be in [1, 100], got 0"},
        BadSetting{"manifold_dim_huge", [](auto&, auto& c) { c.manifold_dim = 101; }, "--manifold-dim must be in [1, 100], got 101"},
        BadSetting{"bootstrap_zero", [](auto&, auto& c) { c.test.bootstrap = 0; }, "--bootstrap must be at least 1, got 0"},
        BadSetting{"bootstrap_negative_unused", [](auto&, auto& c) { c.per_datum_tests = false, c.test.bootstrap = -7; }, "--bootstrap must be at least 1, got -7"},
        BadSetting{"alpha_nan", [](auto&, auto& c) { c.test.alpha = kNan; }, "--alpha must be in (0, 1)"},
        BadSetting{"alpha_one", [](auto&, auto& c) { c.test.alpha = 1.0; }, "--alpha must be in (0, 1)"},
        BadSetting{"duplicate_ids", [](auto& in, auto&) { for (int i = 0; i < 40; ++i) in.ids.push_back("id" + std::to_string(i % 39)); }, "ids: duplicate id 'id0' (data 0 and 39, 0-based)"},
        BadSetting{"duplicate_ids_from_file", [](auto& in, auto&) { in.ids.assign(40, "same"); in.sources["ids"] = "ids.txt"; }, "ids.txt: duplicate id 'same' (data 0 and 1, 0-based)"},
        BadSetting{"metric_nan", [](auto& in, auto&) { in.metrics = one_metric({0.1, kNan, 0.3}); }, "metrics: metric 'acc' of model 'model_2' is nan (every value must be a finite number)"},
        BadSetting{"metric_inf", [](auto& in, auto&) { in.metrics = one_metric({kInf, 0.2, 0.3}); }, "metric 'acc' of model 'model_1' is inf"},
        BadSetting{"metric_minus_inf", [](auto& in, auto&) { in.metrics = one_metric({0.1, 0.2, -kInf}); }, "metric 'acc' of model 'model_3' is -inf"},
        BadSetting{"metric_short", [](auto& in, auto&) { in.metrics = one_metric({0.1, 0.2}); }, "metric 'acc' has 2 values for 3 models"},
        BadSetting{"metric_twice", [](auto& in, auto&) { MetricsTable t = one_metric({0.1, 0.2, 0.3}); t.metric_names.push_back("acc"); t.values.push_back(t.values[0]); in.metrics = t; }, "metric 'acc' appears twice"},
        BadSetting{"metric_unnamed", [](auto& in, auto&) { MetricsTable t = one_metric({0.1, 0.2, 0.3}); t.metric_names[0].clear(); in.metrics = t; }, "a metric has an empty name"},
        BadSetting{"metric_names_values_mismatch", [](auto& in, auto&) { MetricsTable t = one_metric({0.1, 0.2, 0.3}); t.values.clear(); in.metrics = t; }, "1 metric names but 0 value lists"},
        BadSetting{"metric_nan_from_file", [](auto& in, auto&) { in.metrics = one_metric({kNan, 0.2, 0.3}); in.sources["metrics"] = "m.csv"; }, "m.csv: metric 'acc' of model 'model_1' is nan"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Compare, ValidConfigurationsPass) {
  CompareInput input = simulated_input(3, 40, 5);
  CompareConfig config;
  EXPECT_NO_THROW(validate_compare_input(input, config));  // defaults: k, max-dim, dim 0 = automatic
  config.knn.k = 5, config.omnibus.search = 2, config.omnibus.elbows = 5, config.manifold_dim = 100;
  input.metrics = one_metric({0.1, -2.0, 1e300});
  // Not "d" + std::to_string(i): GCC 12 reports a bogus -Wrestrict on that inlined concatenation (bug 105329).
  for (int i = 0; i < 40; ++i) input.ids.push_back(std::string("d").append(std::to_string(i)));
  EXPECT_NO_THROW(validate_compare_input(input, config));
}

}  // namespace
}  // namespace dk

// Library messages name options by key; each front-end renders them in its own terms. Only known keys are
// rendered: braces from file names or ids pass through.
TEST(OptionNames, RenderedForTheCliAndForPython) {
  using dk::OptionStyle;
  const std::string message = "{max_dim} must be in [2, 1000]; use {metric=cosine} or {bootstrap=2000}";
  EXPECT_EQ(dk::render_option_names(message, OptionStyle::cli),
            "--max-dim must be in [2, 1000]; use --metric cosine or --bootstrap 2000");
  EXPECT_EQ(dk::render_option_names(message, OptionStyle::python),
            "max_dim must be in [2, 1000]; use metric='cosine' or bootstrap=2000");
  EXPECT_EQ(dk::render_option_names("/data/{run}/a.npy: {k} too big {", OptionStyle::cli),
            "/data/{run}/a.npy: --k too big {");
  EXPECT_EQ(dk::render_option_names("{drop_invalid} removed 2 data", OptionStyle::python), "drop_invalid removed 2 data");
  // Every option key the library uses in a message is known (a typo would pass through unrendered).
  for (const char* const* key = dk::option_keys(); *key; ++key)
    EXPECT_EQ(dk::render_option_names(std::string("{") + *key + "}", OptionStyle::cli).rfind("--", 0), 0u) << *key;
}
