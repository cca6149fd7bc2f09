#include "report/results_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "datakernel/error.hpp"
#include "io/csv.hpp"
#include "io/file_bytes.hpp"

namespace dk {

int CsvTable::column(const std::string& name) const {
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) return static_cast<int>(c);
  return -1;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  CsvParser parser(line, ',', "CSV line");
  CsvRecord record;
  if (!parser.next(record)) return {""};
  return record.fields;
}

// Read by the project's one CSV parser (csv.hpp), so quoted names, ids and texts come back as written.
CsvTable read_csv_table(const std::string& path) {
  std::string bytes;
  try {
    bytes = read_file_bytes(path);
  } catch (const InputError&) {
    throw InputError(path + ": cannot open");
  }
  CsvParser parser(std::move(bytes), ',', path);
  CsvTable table;
  CsvRecord record;
  if (!parser.next(record)) throw InputError(path + ": empty file");
  table.header = record.fields;
  while (parser.next(record)) {
    if (record.fields.size() != table.header.size())
      throw InputError(path + ": line " + std::to_string(record.line) + " has " + std::to_string(record.fields.size()) +
                       " fields, expected " + std::to_string(table.header.size()));
    table.rows.push_back(record.fields);
    table.lines.push_back(static_cast<int>(record.line));
  }
  return table;
}

namespace {

using nlohmann::json;

// A number field of a CSV file: the whole field must parse ("1.5x" does not).
double number(const std::string& text, const std::string& path, int line, const std::string& column) {
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || text.empty())
    throw InputError(path + ": line " + std::to_string(line) + ": " + column + " '" + text + "' is not a number");
  return value;
}

double finite_number(const std::string& text, const std::string& path, int line, const std::string& column) {
  const double value = number(text, path, line, column);
  if (!std::isfinite(value))
    throw InputError(path + ": line " + std::to_string(line) + ": " + column + " '" + text + "' is not a finite number");
  return value;
}

double number_in(const std::string& text, const std::string& path, int line, const std::string& column, double lo,
                 double hi) {
  const double value = finite_number(text, path, line, column);
  if (value < lo || value > hi)
    throw InputError(path + ": line " + std::to_string(line) + ": " + column + " " + text + " is outside [" +
                     fmt::format("{}", lo) + ", " + fmt::format("{}", hi) + "]");
  return value;
}

// A datum index: an integer in [0, n).
std::int64_t datum_index(const std::string& text, const std::string& path, int line, std::int64_t n) {
  std::int64_t value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || text.empty())
    throw InputError(path + ": line " + std::to_string(line) + ": datum '" + text + "' is not an integer");
  if (value < 0 || value >= n)
    throw InputError(path + ": line " + std::to_string(line) + ": datum " + text + " is outside [0, n) for n = " +
                     std::to_string(n));
  return value;
}

int need_column(const CsvTable& t, const std::string& name, const std::string& path) {
  const int c = t.column(name);
  if (c < 0) throw InputError(path + ": no column '" + name + "'");
  return c;
}

// summary.json's structure, checked before anything reads it: the keys the report uses, with their types.
class SummaryCheck {
 public:
  explicit SummaryCheck(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw InputError(path_ + ": " + (where.empty() ? std::string() : "'" + where + "' ") + problem);
  }
  static std::string type_of(const json& v) {
    return v.is_number_integer() ? "an integer" : v.is_number() ? "a number" : std::string(v.type_name());
  }
  const json& key(const json& object, const std::string& name, const std::string& where) const {
    const auto found = object.find(name);
    if (found == object.end()) fail("", "missing key '" + where + "'");
    return *found;
  }
  void string(const json& v, const std::string& where) const {
    if (!v.is_string()) fail(where, "must be a string, got " + type_of(v));
  }
  // An integer in [lo, hi].
  void integer(const json& v, const std::string& where, std::int64_t lo, std::int64_t hi) const {
    if (!v.is_number_integer()) fail(where, "must be an integer, got " + type_of(v));
    const bool inside = v.is_number_unsigned()
                            ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi) &&
                                  static_cast<std::int64_t>(v.get<std::uint64_t>()) >= lo
                            : v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi;
    if (!inside)
      fail(where, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
  }
  // Any uint64 (e.g. --seed).
  void unsigned_integer(const json& v, const std::string& where) const {
    if (!v.is_number_integer()) fail(where, "must be an integer, got " + type_of(v));
    if (!v.is_number_unsigned())
      fail(where, "must be in [0, " + std::to_string(std::numeric_limits<std::uint64_t>::max()) + "], got " + v.dump());
  }
  void boolean(const json& v, const std::string& where) const {
    if (!v.is_boolean()) fail(where, "must be true or false, got " + type_of(v));
  }
  // A number; `null` (how a NaN is written) only where allowed.
  void number(const json& v, const std::string& where, bool null_ok = false) const {
    if (!(v.is_number() || (null_ok && v.is_null())))
      fail(where, std::string("must be a number") + (null_ok ? " or null" : "") + ", got " + type_of(v));
  }
  void array(const json& v, const std::string& where) const {
    if (!v.is_array()) fail(where, "must be an array, got " + type_of(v));
  }
  void object(const json& v, const std::string& where) const {
    if (!v.is_object()) fail(where, "must be an object, got " + type_of(v));
  }
  void string_key(const json& o, const std::string& name, const std::string& where) const {
    string(key(o, name, where), where);
  }
  void optional_string(const json& o, const std::string& name, const std::string& where) const {
    if (o.contains(name)) string(o[name], where);
  }
  // An m-row matrix of numbers (or nulls), every row of `cols` entries (cols < 0: any, but the same, at least 1).
  void matrix(const json& v, const std::string& where, std::size_t rows, long cols, bool null_ok) const {
    array(v, where);
    if (v.size() != rows) fail(where, "must have " + std::to_string(rows) + " rows (one per model), got " + std::to_string(v.size()));
    for (std::size_t r = 0; r < v.size(); ++r) {
      const std::string at = where + "[" + std::to_string(r) + "]";
      array(v[r], at);
      const std::size_t want = cols >= 0 ? static_cast<std::size_t>(cols) : v[0].size();
      if (v[r].size() != want || want == 0)
        fail(at, "must have " + std::to_string(want == 0 ? 1 : want) + (want == 0 ? "+" : "") + " entries, got " +
                     std::to_string(v[r].size()));
      for (std::size_t c = 0; c < v[r].size(); ++c) number(v[r][c], at + "[" + std::to_string(c) + "]", null_ok);
    }
  }

 private:
  std::string path_;
};

constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;  // bigger n / k / dim than any run can have

// Returns the model names (checked: at least 2, unique).
std::vector<std::string> check_summary(const json& s, const std::string& path) {
  const SummaryCheck c(path);
  c.object(s, "");
  const json& models = c.key(s, "models", "models");
  c.array(models, "models");
  std::vector<std::string> names;
  for (std::size_t g = 0; g < models.size(); ++g) {
    c.string(models[g], "models[" + std::to_string(g) + "]");
    names.push_back(models[g].get<std::string>());
  }
  if (names.size() < 2) c.fail("models", "must name at least 2 models, got " + std::to_string(names.size()));
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size()) c.fail("models", "names a model twice");
  const std::size_t m = names.size();
  auto is_model = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) != names.end(); };

  c.integer(c.key(s, "n", "n"), "n", 3, kMaxCount);
  c.integer(c.key(s, "k", "k"), "k", 1, kMaxCount);
  c.integer(c.key(s, "dim", "dim"), "dim", 1, kMaxCount);
  c.unsigned_integer(c.key(s, "seed", "seed"), "seed");
  for (const char* key : {"metric", "symmetrize", "dim_rule", "distance_method"}) c.string_key(s, key, key);
  for (const char* key : {"eigengap", "manifold_stress", "manifold_negative_mass"}) c.number(c.key(s, key, key), key, true);
  for (const char* key : {"version", "blas_core"}) c.optional_string(s, key, key);
  if (s.contains("search_eigenvalues")) c.integer(s["search_eigenvalues"], "search_eigenvalues", 0, kMaxCount);
  // The scree plot's eigenvalues (null: a NaN) and the Zhu–Ghodsi elbows (positions in that list).
  if (s.contains("eigenvalues")) {
    c.array(s["eigenvalues"], "eigenvalues");
    for (std::size_t r = 0; r < s["eigenvalues"].size(); ++r)
      c.number(s["eigenvalues"][r], "eigenvalues[" + std::to_string(r) + "]", true);
  }
  if (s.contains("elbows")) {
    c.array(s["elbows"], "elbows");
    for (std::size_t e = 0; e < s["elbows"].size(); ++e)
      c.integer(s["elbows"][e], "elbows[" + std::to_string(e) + "]", 1, kMaxCount);
  }
  c.matrix(c.key(s, "model_distances", "model_distances"), "model_distances", m, static_cast<long>(m), false);
  c.matrix(c.key(s, "manifold", "manifold"), "manifold", m, -1, true);

  const json& inputs = c.key(s, "inputs", "inputs");
  c.array(inputs, "inputs");
  if (inputs.size() != m) c.fail("inputs", "must have one entry per model (" + std::to_string(m) + "), got " + std::to_string(inputs.size()));
  for (std::size_t g = 0; g < inputs.size(); ++g) {
    const std::string at = "inputs[" + std::to_string(g) + "]";
    c.object(inputs[g], at);
    for (const char* key : {"name", "source", "kind"}) c.string_key(inputs[g], key, at + "." + key);
    if (inputs[g]["kind"] == "embeddings") {
      c.integer(c.key(inputs[g], "dim", at + ".dim"), at + ".dim", 0, kMaxCount);
      c.string_key(inputs[g], "source_dtype", at + ".source_dtype");
    }
  }

  const json& t = c.key(s, "test_config", "test_config");
  c.object(t, "test_config");
  for (const char* key : {"null", "correction", "reference"}) c.string_key(t, key, std::string("test_config.") + key);
  c.integer(c.key(t, "bootstrap", "test_config.bootstrap"), "test_config.bootstrap", 0, std::numeric_limits<int>::max());
  c.number(c.key(t, "alpha", "test_config.alpha"), "test_config.alpha");
  c.optional_string(t, "statistic", "test_config.statistic");
  if (t.contains("test_pair")) {
    c.array(t["test_pair"], "test_config.test_pair");
    if (t["test_pair"].size() != 2) c.fail("test_config.test_pair", "must name 2 models, got " + std::to_string(t["test_pair"].size()));
    for (std::size_t i = 0; i < t["test_pair"].size(); ++i)
      c.string(t["test_pair"][i], "test_config.test_pair[" + std::to_string(i) + "]");
  }
  c.optional_string(t, "bootstrap_p", "test_config.bootstrap_p");
  if (t.contains("enabled")) c.boolean(t["enabled"], "test_config.enabled");

  if (s.contains("warnings")) {
    c.array(s["warnings"], "warnings");
    for (std::size_t w = 0; w < s["warnings"].size(); ++w) c.string(s["warnings"][w], "warnings[" + std::to_string(w) + "]");
  }
  if (s.contains("sources")) {
    c.object(s["sources"], "sources");
    for (const auto& [key, value] : s["sources"].items()) c.string(value, "sources." + key);
  }
  if (s.contains("library_versions")) {
    c.object(s["library_versions"], "library_versions");
    for (const char* key : {"eigen", "openblas", "compiler"})
      c.optional_string(s["library_versions"], key, std::string("library_versions.") + key);
  }
  if (s.contains("report_pair")) {
    const json& pair = s["report_pair"];
    c.array(pair, "report_pair");
    if (pair.size() != 2) c.fail("report_pair", "must name 2 models, got " + std::to_string(pair.size()));
    for (std::size_t i = 0; i < 2; ++i) {
      c.string(pair[i], "report_pair[" + std::to_string(i) + "]");
      if (!is_model(pair[i].get<std::string>()))
        c.fail("report_pair[" + std::to_string(i) + "]", "'" + pair[i].get<std::string>() + "' is not one of the models");
    }
  }
  if (s.contains("metric_values")) {
    c.object(s["metric_values"], "metric_values");
    for (const auto& [metric, values] : s["metric_values"].items()) {
      const std::string at = "metric_values." + metric;
      c.array(values, at);
      if (values.size() != m) c.fail(at, "must have one value per model (" + std::to_string(m) + "), got " + std::to_string(values.size()));
      for (std::size_t g = 0; g < values.size(); ++g) c.number(values[g], at + "[" + std::to_string(g) + "]");
    }
  }
  if (s.contains("correlations")) {
    c.array(s["correlations"], "correlations");
    for (std::size_t i = 0; i < s["correlations"].size(); ++i) {
      const json& x = s["correlations"][i];
      const std::string at = "correlations[" + std::to_string(i) + "]";
      c.object(x, at);
      c.string_key(x, "metric", at + ".metric");
      for (const char* key : {"spearman", "spearman_p", "pearson", "pearson_p"})
        c.number(c.key(x, key, at + "." + key), at + "." + key, true);
      c.integer(c.key(x, "pairs", at + ".pairs"), at + ".pairs", 0, kMaxCount);
      c.integer(c.key(x, "permutations", at + ".permutations"), at + ".permutations", 0, kMaxCount);
      c.boolean(c.key(x, "exact", at + ".exact"), at + ".exact");
    }
  }
  if (s.contains("distance")) c.string(s["distance"], "distance");
  if (s.contains("pair_measures")) {
    c.array(s["pair_measures"], "pair_measures");
    for (std::size_t i = 0; i < s["pair_measures"].size(); ++i) {
      const json& x = s["pair_measures"][i];
      const std::string at = "pair_measures[" + std::to_string(i) + "]";
      c.object(x, at);
      c.string_key(x, "name", at + ".name");
      c.optional_string(x, "definition", at + ".definition");
      c.matrix(c.key(x, "distances", at + ".distances"), at + ".distances", m, static_cast<long>(m), true);
    }
  }
  if (s.contains("measure_correlations")) {
    c.array(s["measure_correlations"], "measure_correlations");
    for (std::size_t i = 0; i < s["measure_correlations"].size(); ++i) {
      const json& x = s["measure_correlations"][i];
      const std::string at = "measure_correlations[" + std::to_string(i) + "]";
      c.object(x, at);
      c.string_key(x, "measure", at + ".measure");
      c.string_key(x, "metric", at + ".metric");
      for (const char* key : {"spearman", "spearman_p", "pearson", "pearson_p"})
        c.number(c.key(x, key, at + "." + key), at + "." + key, true);
      c.integer(c.key(x, "pairs", at + ".pairs"), at + ".pairs", 0, kMaxCount);
      c.integer(c.key(x, "permutations", at + ".permutations"), at + ".permutations", 0, kMaxCount);
    }
  }
  if (s.contains("best_measure")) {
    c.array(s["best_measure"], "best_measure");
    for (std::size_t i = 0; i < s["best_measure"].size(); ++i) {
      const json& x = s["best_measure"][i];
      const std::string at = "best_measure[" + std::to_string(i) + "]";
      c.object(x, at);
      c.string_key(x, "measure", at + ".measure");
      c.string_key(x, "metric", at + ".metric");
      c.number(c.key(x, "spearman", at + ".spearman"), at + ".spearman", true);
    }
  }
  if (s.contains("tests")) {
    c.array(s["tests"], "tests");
    for (std::size_t i = 0; i < s["tests"].size(); ++i) {
      const json& x = s["tests"][i];
      const std::string at = "tests[" + std::to_string(i) + "]";
      c.object(x, at);
      for (const char* key : {"model_a", "model_b"}) {
        c.string_key(x, key, at + "." + key);
        if (!is_model(x[key].get<std::string>()))
          c.fail(at + "." + key, "'" + x[key].get<std::string>() + "' is not one of the models");
      }
      for (const char* key : {"null", "correction"}) c.string_key(x, key, at + "." + key);
      c.optional_string(x, "statistic", at + ".statistic");
      c.integer(c.key(x, "bootstrap", at + ".bootstrap"), at + ".bootstrap", 0, std::numeric_limits<int>::max());
      c.integer(c.key(x, "n_rejected", at + ".n_rejected"), at + ".n_rejected", 0, kMaxCount);
      for (const char* key : {"alpha", "smallest_attainable_p", "share_p_below_alpha"})
        c.number(c.key(x, key, at + "." + key), at + "." + key);
      if (x.contains("mean_jaccard")) c.number(x["mean_jaccard"], at + ".mean_jaccard");
      const json& cdf = c.key(x, "p_value_cdf", at + ".p_value_cdf");
      c.array(cdf, at + ".p_value_cdf");
      for (std::size_t p = 0; p < cdf.size(); ++p) {
        const std::string point = at + ".p_value_cdf[" + std::to_string(p) + "]";
        c.array(cdf[p], point);
        if (cdf[p].size() != 2) c.fail(point, "must be an [x, F(x)] pair");
        c.number(cdf[p][0], point + "[0]");
        c.number(cdf[p][1], point + "[1]");
      }
    }
  }
  return names;
}

}  // namespace

ResultsOnDisk read_results(const std::string& dir) {
  namespace fs = std::filesystem;
  ResultsOnDisk out;
  const std::string summary_path = (fs::path(dir) / "summary.json").string();
  {
    std::ifstream in(summary_path);
    if (!in) throw InputError(dir + ": no summary.json (not the output directory of `datakernel compare`?)");
    try {
      out.summary = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw InputError(summary_path + ": malformed JSON (" + e.what() + ")");
    }
  }
  const std::vector<std::string> names = check_summary(out.summary, summary_path);
  const auto n = out.summary["n"].get<std::int64_t>();
  auto is_model = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) != names.end(); };
  // Each CSV row's line number in its file (header = line 1; empty lines are skipped by read_csv_table).
  const std::string latent_path = (fs::path(dir) / "latent_2d.csv").string();
  if (fs::exists(latent_path)) {
    const CsvTable t = read_csv_table(latent_path);
    const int datum = need_column(t, "datum", latent_path), id = need_column(t, "id", latent_path),
              model = need_column(t, "model", latent_path), z1 = need_column(t, "z1", latent_path),
              z2 = need_column(t, "z2", latent_path);
    // Every model of summary.json, every datum once: n × m rows (checked before anything is sized by n).
    const std::uint64_t expected = static_cast<std::uint64_t>(n) * names.size();
    if (t.rows.size() != expected)
      throw InputError(latent_path + ": has " + std::to_string(t.rows.size()) + " rows, expected n × models = " +
                       std::to_string(n) + " × " + std::to_string(names.size()) + " = " + std::to_string(expected) +
                       " (truncated or not from this run?)");
    out.ids.assign(static_cast<std::size_t>(n), std::string());
    std::vector<bool> id_set(static_cast<std::size_t>(n), false);
    std::map<std::string, std::vector<bool>> seen;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      const auto& row = t.rows[r];
      const int line = t.lines[r];
      if (!is_model(row[model]))
        throw InputError(latent_path + ": line " + std::to_string(line) + ": model '" + row[model] +
                         "' is not one of the models of summary.json");
      const auto i = static_cast<std::size_t>(datum_index(row[datum], latent_path, line, n));
      auto& done = seen[row[model]];
      if (done.empty()) {
        done.assign(static_cast<std::size_t>(n), false);
        out.z1[row[model]].assign(static_cast<std::size_t>(n), 0.0);
        out.z2[row[model]].assign(static_cast<std::size_t>(n), 0.0);
      }
      if (done[i])
        throw InputError(latent_path + ": line " + std::to_string(line) + ": datum " + row[datum] + " of model '" +
                         row[model] + "' appears twice");
      done[i] = true;
      if (id_set[i] && out.ids[i] != row[id])
        throw InputError(latent_path + ": line " + std::to_string(line) + ": datum " + row[datum] + " has id '" +
                         row[id] + "' here but '" + out.ids[i] + "' on an earlier line");
      out.ids[i] = row[id];
      id_set[i] = true;
      out.z1[row[model]][i] = finite_number(row[z1], latent_path, line, "z1");
      out.z2[row[model]][i] = finite_number(row[z2], latent_path, line, "z2");
    }
  }
  const std::string annotations_path = (fs::path(dir) / "annotations.csv").string();
  if (fs::exists(annotations_path)) {
    const CsvTable t = read_csv_table(annotations_path);
    const int datum = need_column(t, "datum", annotations_path), label = need_column(t, "label", annotations_path),
              text = need_column(t, "text", annotations_path);
    if (t.rows.size() != static_cast<std::size_t>(n))
      throw InputError(annotations_path + ": has " + std::to_string(t.rows.size()) + " rows, expected n = " +
                       std::to_string(n) + " (truncated or not from this run?)");
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      const auto& row = t.rows[r];
      const int line = t.lines[r];
      if (datum_index(row[datum], annotations_path, line, n) != static_cast<std::int64_t>(r))
        throw InputError(annotations_path + ": line " + std::to_string(line) + ": datum " + row[datum] +
                         " out of order (expected " + std::to_string(r) + ")");
      out.labels.push_back(row[label]);
      out.texts.push_back(row[text]);
    }
  }
  const std::string tests_path = (fs::path(dir) / "datum_tests.csv").string();
  if (fs::exists(tests_path)) {
    const CsvTable t = read_csv_table(tests_path);
    const int datum = need_column(t, "datum", tests_path), a = need_column(t, "model_a", tests_path),
              b = need_column(t, "model_b", tests_path), s = need_column(t, "statistic", tests_path),
              p = need_column(t, "p_value", tests_path), q = need_column(t, "q_value", tests_path),
              r = need_column(t, "rejected", tests_path), jac = need_column(t, "jaccard", tests_path),
              rank = need_column(t, "rank_change", tests_path);
    std::set<std::pair<std::string, std::string>> pairs;
    std::vector<bool> seen;
    auto close_pair = [&](int line) {
      if (!out.tests.empty() && out.tests.back().datum.size() != static_cast<std::size_t>(n))
        throw InputError(tests_path + ": pair " + out.tests.back().model_a + " vs " + out.tests.back().model_b +
                         " has " + std::to_string(out.tests.back().datum.size()) + " rows before line " +
                         std::to_string(line) + ", expected n = " + std::to_string(n) + " (truncated?)");
    };
    for (std::size_t k = 0; k < t.rows.size(); ++k) {
      const auto& row = t.rows[k];
      const int line = t.lines[k];
      if (out.tests.empty() || out.tests.back().model_a != row[a] || out.tests.back().model_b != row[b]) {
        close_pair(line);
        for (const int column : {a, b})
          if (!is_model(row[column]))
            throw InputError(tests_path + ": line " + std::to_string(line) + ": model '" + row[column] +
                             "' is not one of the models of summary.json");
        if (!pairs.emplace(row[a], row[b]).second)
          throw InputError(tests_path + ": line " + std::to_string(line) + ": pair " + row[a] + " vs " + row[b] +
                           " appears in two places");
        out.tests.emplace_back();
        out.tests.back().model_a = row[a];
        out.tests.back().model_b = row[b];
        seen.assign(static_cast<std::size_t>(n), false);
      }
      DatumTestRows& rows = out.tests.back();
      const std::int64_t i = datum_index(row[datum], tests_path, line, n);
      if (seen[static_cast<std::size_t>(i)])
        throw InputError(tests_path + ": line " + std::to_string(line) + ": datum " + row[datum] + " appears twice for " +
                         row[a] + " vs " + row[b]);
      seen[static_cast<std::size_t>(i)] = true;
      if (row[r] != "true" && row[r] != "false")
        throw InputError(tests_path + ": line " + std::to_string(line) + ": rejected '" + row[r] +
                         "' must be true or false");
      rows.datum.push_back(i);
      rows.statistic.push_back(finite_number(row[s], tests_path, line, "statistic"));
      rows.p_value.push_back(number_in(row[p], tests_path, line, "p_value", 0.0, 1.0));
      rows.q_value.push_back(number_in(row[q], tests_path, line, "q_value", 0.0, 1.0));
      rows.rejected.push_back(row[r] == "true");
      rows.jaccard.push_back(number_in(row[jac], tests_path, line, "jaccard", 0.0, 1.0));
      rows.rank_change.push_back(row[rank].empty() ? std::numeric_limits<double>::quiet_NaN()
                                                   : finite_number(row[rank], tests_path, line, "rank_change"));
    }
    close_pair(static_cast<int>(t.rows.size()) + 2);
  }
  return out;
}

}  // namespace dk
