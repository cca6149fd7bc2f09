#include "datakernel/report/results_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "datakernel/error.hpp"
#include "io/checked_file.hpp"
#include "io/matrix_market.hpp"
#include "datakernel/report/html_report.hpp"
#include "datakernel/report/staged_output.hpp"
#include "datakernel/runtime/blas.hpp"
#include "datakernel/version.hpp"

namespace dk {
namespace {

nlohmann::json matrix_json(const Eigen::MatrixXd& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(r, c));
    rows.push_back(row);
  }
  return rows;
}

nlohmann::json vector_json(const Eigen::VectorXd& v) {
  nlohmann::json out = nlohmann::json::array();
  for (Eigen::Index r = 0; r < v.size(); ++r) out.push_back(v[r]);
  return out;
}

// One correlation of a distance with a metric: the fields every correlation list in summary.json shares.
nlohmann::json correlation_json(const MetricCorrelation& c) {
  return {{"metric", c.metric},         {"pairs", c.pairs},
          {"spearman", c.spearman},     {"spearman_p", c.spearman_p},
          {"pearson", c.pearson},       {"pearson_p", c.pearson_p},
          {"permutations", c.permutations}, {"exact", c.exact}};
}

std::string symmetrize_name(Symmetrize rule) {
  return rule == Symmetrize::mutual ? "mutual" : rule == Symmetrize::union_of_both ? "union" : "none";
}

void write_text(StagedOutput& out, const std::string& name, const std::string& text) {
  write_file_checked(out.path(name), text, out.final_path(name));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

nlohmann::json timings_json(const CompareResult& r) {
  nlohmann::json seconds = nlohmann::json::object();
  for (const auto& [stage, s] : r.seconds) seconds[stage] = s;
  nlohmann::json tests = nlohmann::json::array();
  for (const PairTest& t : r.tests)
    tests.push_back({{"model_a", r.names[t.model_a]}, {"model_b", r.names[t.model_b]}, {"seconds", t.result.seconds}});
  nlohmann::json peak = nlohmann::json::object();
  for (const auto& [stage, bytes] : r.peak_rss) peak[stage] = bytes;
  nlohmann::json communication = nlohmann::json::object();
  for (const auto& [stage, c] : r.communication)
    communication[stage] = {{"sent_bytes", c.sent}, {"received_bytes", c.received}, {"messages", c.messages}};
  return {{"stages", seconds}, {"stage_peak_rss_bytes", peak}, {"tests", tests}, {"ranks", r.ranks},
          {"omnibus_operator_vectors", r.joint.operator_applications}, {"communication_of_rank_0", communication}};
}

nlohmann::json summary_json(const CompareResult& r, OptionStyle style) {
  nlohmann::json j;
  j["tool"] = "datakernel";
  j["version"] = kVersion;
  j["n"] = r.n;
  j["models"] = r.names;
  j["k"] = r.k;
  j["metric"] = metric_name(r.config.knn.metric);
  j["symmetrize"] = symmetrize_name(r.config.knn.symmetrize);
  {
    // How the kNN lists were found: the option, and the lowest recall of an approximate search (1 when exact).
    double recall = 1.0;
    std::int64_t rows = 0;
    for (const ModelSummary& m : r.models)
      if (m.knn_method == "hnsw" || m.knn_method == "clustered") recall = std::min(recall, m.knn_recall), rows = m.knn_recall_rows;
    j["knn"] = {{"method", knn_method_name(r.config.knn.method)},
                {"approximate_from", r.config.knn.approximate_from},
                {"recall", recall},
                {"recall_rows", rows}};
  }
  j["dim"] = r.joint.dim;
  j["dim_rule"] = r.joint.dim_rule;
  j["eigen_solver"] = r.joint.solver;
  j["elbows"] = r.joint.elbows;
  j["eigenvalues"] = vector_json(r.joint.eigenvalues);
  j["eigengap"] = r.joint.relative_gap;
  j["near_degenerate"] = r.joint.near_degenerate;
  j["negative_eigenvalues_selected"] = r.joint.negative_selected;
  j["distance_method"] = r.config.pairwise ? "pairwise omnibus" : "joint omnibus";  // of the omnibus measure
  j["distance"] = pair_measure_name(r.config.measures.map);
  j["model_distances"] = matrix_json(r.distances);
  j["manifold"] = matrix_json(r.manifold.coordinates);
  j["manifold_eigenvalues"] = vector_json(r.manifold.eigenvalues);
  j["manifold_negative_mass"] = r.manifold.negative_mass;
  j["manifold_stress"] = r.manifold.stress;
  if (!r.correlations.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const MetricCorrelation& c : r.correlations) {
      nlohmann::json entry = correlation_json(c);
      entry["test"] = "Mantel (two-sided), distance vs |metric difference| over model pairs";
      list.push_back(entry);
    }
    j["correlations"] = list;
  }
  if (!r.measures.empty()) {
    // Every population measure beside the map's, and (with metrics) each one's correlation with each metric.
    nlohmann::json measures = nlohmann::json::array();
    nlohmann::json correlations = nlohmann::json::array();
    for (const PairMeasure& measure : r.measures) {
      nlohmann::json entry = {{"name", measure.name}, {"definition", measure.definition},
                              {"distances", matrix_json(measure.distances)}};
      if (measure.dim > 0) entry["dim"] = measure.dim;
      measures.push_back(entry);
      for (const MetricCorrelation& c : measure.correlations) {
        nlohmann::json entry = correlation_json(c);
        entry["measure"] = measure.name;
        correlations.push_back(entry);
      }
    }
    j["pair_measures"] = measures;
    if (!correlations.empty()) {
      j["measure_correlations"] = correlations;
      nlohmann::json best = nlohmann::json::array();
      for (const BestMeasure& b : best_measures(r.measures))
        best.push_back({{"metric", b.metric}, {"measure", b.measure}, {"spearman", b.spearman},
                        {"spearman_p", b.spearman_p}});
      j["best_measure"] = best;
    }
  }
  if (!r.tests.empty()) {
    nlohmann::json tests = nlohmann::json::array();
    for (const PairTest& t : r.tests) {
      const DatumTestResult& x = t.result;
      nlohmann::json cdf = nlohmann::json::array();
      for (const auto& [grid, value] : x.p_value_cdf(100)) cdf.push_back({grid, value});
      const bool bootstrap = is_bootstrap_null(x.config.null);
      nlohmann::json entry = {
          {"model_a", r.names[t.model_a]},
          {"model_b", r.names[t.model_b]},
          {"statistic", test_statistic_name(x.config.statistic)},
          {"null", null_model_name(x.config.null)},
          {"bootstrap", bootstrap ? x.config.bootstrap : 0},
          {"bootstrap_p", bootstrap ? bootstrap_p_name(x.config.bootstrap_p) : std::string()},
          {"dim", x.config.statistic == TestStatistic::omnibus ? x.dim : 0},
          {"alpha", x.config.alpha},
          {"correction", correction_name(x.config.correction)},
          {"multiple_testing", fmt::format("{} over the {} data of this pair", correction_name(x.config.correction),
                                           r.n)},
          {"n_rejected", x.n_rejected},
          {"smallest_attainable_p", x.smallest_attainable_p()},
          {"share_p_below_alpha", std::count_if(x.p_value.begin(), x.p_value.end(),
                                                [&](double p) { return p < x.config.alpha; }) /
                                      static_cast<double>(x.p_value.size())},
          {"mean_jaccard", t.jaccard.size() ? t.jaccard.mean() : 0.0},
          {"p_value_cdf", cdf}};
      if (!t.dim_stability.empty()) {
        nlohmann::json stability = nlohmann::json::array();
        for (const auto& [d, rho] : t.dim_stability) stability.push_back({{"dim", d}, {"spearman", rho}});
        entry["dim_stability"] = stability;
      }
      if (x.edge_correlation >= 0.0) entry["edge_correlation"] = x.edge_correlation;
      if (x.config.null == NullModel::empirical)
        entry["empirical_null"] = {{"box_cox_lambda", x.empirical.lambda},
                                   {"centre", x.empirical.centre}, {"scale", x.empirical.scale},
                                   {"fitted", x.empirical.fitted}, {"zeros", x.empirical.zeros},
                                   {"degenerate", x.empirical.degenerate},
                                   {"resolution", x.empirical.resolution},
                                   {"model", "Box-Cox(statistic, lambda) ~ Normal(centre, scale) for unmoved data"}};
      tests.push_back(entry);
    }
    j["tests"] = tests;
  }
  if (r.metrics) {
    nlohmann::json values = nlohmann::json::object();
    for (std::size_t c = 0; c < r.metrics->metric_names.size(); ++c) values[r.metrics->metric_names[c]] = r.metrics->values[c];
    j["metric_values"] = values;
  }
  j["test_config"] = {{"enabled", r.config.per_datum_tests},
                      {"statistic", test_statistic_name(r.config.test.statistic)},
                      {"bootstrap", r.config.test.bootstrap},
                      {"bootstrap_p", bootstrap_p_name(r.config.test.bootstrap_p)},
                      {"null", null_model_name(r.config.test.null)},
                      {"correction", correction_name(r.config.test.correction)},
                      {"alpha", r.config.test.alpha},
                      {"reference", r.config.reference}};
  if (!r.config.test_pair.empty()) j["test_config"]["test_pair"] = r.config.test_pair;
  j["search_eigenvalues"] = r.joint.eigenvalues.size();
  if (!r.sources.empty()) j["sources"] = r.sources;
  if (!r.dropped.empty()) j["dropped_data"] = r.dropped;
  if (!r.config.report_pair.empty()) j["report_pair"] = r.config.report_pair;
  j["library_versions"] = {{"eigen", fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
                           {"openblas", blas_version()},
                           {"compiler", __VERSION__}};
  nlohmann::json inputs = nlohmann::json::array();
  for (const ModelSummary& m : r.models)
    inputs.push_back({{"name", m.name}, {"source", m.source}, {"kind", m.kind}, {"dim", m.dim},
                      {"source_dtype", m.source_dtype}, {"edges", m.edges}, {"mean_degree", m.mean_degree},
                      {"knn_method", m.knn_method}, {"knn_recall", m.knn_recall}});
  j["inputs"] = inputs;
  j["seed"] = r.config.seed;
  j["blas_core"] = blas_core_name();
  std::vector<std::string> warnings;
  for (const std::string& warning : r.warnings) warnings.push_back(render_option_names(warning, style));
  j["warnings"] = warnings;
  return j;
}

void write_results(const CompareResult& r, const std::string& out_dir, bool save_kernels, OptionStyle style) {
  StagedOutput out = StagedOutput::open(out_dir, true);
  write_results(r, out, save_kernels, style);
  out.commit();
}

void write_results(const CompareResult& r, StagedOutput& out, bool save_kernels, OptionStyle style) {
  if (save_kernels) {
    for (std::size_t g = 0; g < r.graphs.size(); ++g) {
      std::string safe = r.names[g];
      for (char& c : safe)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
      const std::string name = fmt::format("kernel_{}_{}.mtx", g + 1, safe);
      write_matrix_market_graph(r.graphs[g], out.path(name), out.final_path(name));
    }
  }
  write_text(out, "summary.json", summary_json(r, style).dump(2) + "\n");

  const std::size_t m = r.names.size();
  std::string distances = "model";
  for (const auto& name : r.names) {  // two appends, not "," + field: GCC 12 bogus -Wrestrict (bug 105329)
    distances += ',';
    distances += csv_field(name);
  }
  distances += "\n";
  for (std::size_t g = 0; g < m; ++g) {
    distances += csv_field(r.names[g]);
    for (std::size_t h = 0; h < m; ++h) distances += fmt::format(",{}", r.distances(g, h));
    distances += "\n";
  }
  write_text(out, "model_distances.csv", distances);
  // Each population measure's matrix, in the same layout, beside the map's (model_distances.csv).
  for (const PairMeasure& measure : r.measures) {
    std::string text = "model";
    for (const auto& name : r.names) {
      text += ',';
      text += csv_field(name);
    }
    text += "\n";
    for (std::size_t g = 0; g < m; ++g) {
      text += csv_field(r.names[g]);
      for (std::size_t h = 0; h < m; ++h) text += fmt::format(",{}", measure.distances(g, h));
      text += "\n";
    }
    write_text(out, "model_distances_" + measure.name + ".csv", text);
  }

  std::string manifold = "model";
  for (Eigen::Index c = 0; c < r.manifold.coordinates.cols(); ++c) manifold += fmt::format(",x{}", c + 1);
  manifold += "\n";
  for (std::size_t g = 0; g < m; ++g) {
    manifold += csv_field(r.names[g]);
    for (Eigen::Index c = 0; c < r.manifold.coordinates.cols(); ++c)
      manifold += fmt::format(",{}", r.manifold.coordinates(g, c));
    manifold += "\n";
  }
  write_text(out, "manifold.csv", manifold);

  {
    CheckedFile file(out.path("datum_shift.csv"), out.final_path("datum_shift.csv"));
    file.print("datum,id,model_a,model_b,shift,rank\n");
    for (const DatumShifts& s : r.shifts) {
      const std::string a = csv_field(r.names[s.model_a]), b = csv_field(r.names[s.model_b]);
      for (std::int64_t i = 0; i < r.n; ++i)
        file.print("{},{},{},{},{},{}\n", i, r.ids.empty() ? std::to_string(i) : csv_field(r.ids[i]), a, b,
                   s.shift[i], s.rank[i]);
    }
    file.close();
  }
  {
    // The joint omnibus embedding's first two dimensions, for the report's data plot.
    CheckedFile file(out.path("latent_2d.csv"), out.final_path("latent_2d.csv"));
    file.print("datum,id,model,z1,z2\n");
    const Eigen::Index columns = r.joint.latent.cols();
    for (std::size_t g = 0; g < m; ++g) {
      const auto block = r.joint.block(static_cast<int>(g));
      for (std::int64_t i = 0; i < r.n; ++i)
        file.print("{},{},{},{},{}\n", i, r.ids.empty() ? std::to_string(i) : csv_field(r.ids[i]), csv_field(r.names[g]),
                   block(i, 0), columns > 1 ? block(i, 1) : 0.0);
    }
    file.close();
  }
  if (!r.texts.empty() || !r.labels.empty()) {
    CheckedFile file(out.path("annotations.csv"), out.final_path("annotations.csv"));
    file.print("datum,id,label,text\n");
    for (std::int64_t i = 0; i < r.n; ++i)
      file.print("{},{},{},{}\n", i, r.ids.empty() ? std::to_string(i) : csv_field(r.ids[i]),
                 r.labels.empty() ? "" : csv_field(r.labels[i]), r.texts.empty() ? "" : csv_field(r.texts[i]));
    file.close();
  }
  if (!r.tests.empty()) {
    CheckedFile file(out.path("datum_tests.csv"), out.final_path("datum_tests.csv"));
    file.print("datum,id,model_a,model_b,statistic,p_value,q_value,rejected,jaccard,rank_change\n");
    for (const PairTest& t : r.tests) {
      const std::string a = csv_field(r.names[t.model_a]), b = csv_field(r.names[t.model_b]);
      const DatumTestResult& x = t.result;
      for (std::int64_t i = 0; i < r.n; ++i)
        file.print("{},{},{},{},{},{},{},{},{},{}\n", i, r.ids.empty() ? std::to_string(i) : csv_field(r.ids[i]), a,
                   b, x.statistic[i], x.p_value[i], x.q_value[i], x.rejected[i] ? "true" : "false", t.jaccard[i],
                   t.rank_change.size() ? fmt::format("{}", t.rank_change[i]) : std::string());
    }
    file.close();
  }
  write_text(out, "report.html", render_report(out.staging_directory()));
}

}  // namespace dk
