#include "datakernel/report/results_reader.hpp"

#include <limits>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>

#include "datakernel/error.hpp"
#include "datakernel/io/csv.hpp"
#include "datakernel/io/file_bytes.hpp"

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
  }
  return table;
}

namespace {

double number(const std::string& text, const std::string& path) {
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc()) throw InputError(path + ": '" + text + "' is not a number");
  return value;
}

int need_column(const CsvTable& t, const std::string& name, const std::string& path) {
  const int c = t.column(name);
  if (c < 0) throw InputError(path + ": no column '" + name + "'");
  return c;
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
  const std::string latent_path = (fs::path(dir) / "latent_2d.csv").string();
  if (fs::exists(latent_path)) {
    const CsvTable t = read_csv_table(latent_path);
    const int datum = need_column(t, "datum", latent_path), id = need_column(t, "id", latent_path),
              model = need_column(t, "model", latent_path), z1 = need_column(t, "z1", latent_path),
              z2 = need_column(t, "z2", latent_path);
    for (const auto& row : t.rows) {
      const auto i = static_cast<std::size_t>(number(row[datum], latent_path));
      if (out.ids.size() <= i) out.ids.resize(i + 1);
      out.ids[i] = row[id];
      auto& a = out.z1[row[model]];
      auto& b = out.z2[row[model]];
      if (a.size() <= i) a.resize(i + 1), b.resize(i + 1);
      a[i] = number(row[z1], latent_path);
      b[i] = number(row[z2], latent_path);
    }
  }
  const std::string annotations_path = (fs::path(dir) / "annotations.csv").string();
  if (fs::exists(annotations_path)) {
    const CsvTable t = read_csv_table(annotations_path);
    const int label = need_column(t, "label", annotations_path), text = need_column(t, "text", annotations_path);
    for (const auto& row : t.rows) {
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
    auto optional_number = [&](const std::string& field) {
      return field.empty() ? std::numeric_limits<double>::quiet_NaN() : number(field, tests_path);
    };
    for (const auto& row : t.rows) {
      if (out.tests.empty() || out.tests.back().model_a != row[a] || out.tests.back().model_b != row[b]) {
        out.tests.emplace_back();
        out.tests.back().model_a = row[a];
        out.tests.back().model_b = row[b];
      }
      DatumTestRows& rows = out.tests.back();
      rows.datum.push_back(static_cast<std::int64_t>(number(row[datum], tests_path)));
      rows.statistic.push_back(number(row[s], tests_path));
      rows.p_value.push_back(number(row[p], tests_path));
      rows.q_value.push_back(number(row[q], tests_path));
      rows.rejected.push_back(row[r] == "true");
      rows.jaccard.push_back(number(row[jac], tests_path));
      rows.rank_change.push_back(optional_number(row[rank]));
    }
  }
  return out;
}

}  // namespace dk
