// Reads the files of a finished run back (summary.json and the CSV files of results_writer.hpp), so that the
// report can be rendered from an output directory alone (`datakernel report DIR`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dk {

// Rows of a CSV file with a header, as strings (RFC 4180 quoting).
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;  // each row's line number in the file (header = 1; empty lines are skipped)
  int column(const std::string& name) const;  // -1 if absent
};

CsvTable read_csv_table(const std::string& path);
std::vector<std::string> split_csv_line(const std::string& line);

struct DatumTestRows {
  std::string model_a, model_b;
  std::vector<std::int64_t> datum;
  std::vector<double> statistic, p_value, q_value;
  std::vector<bool> rejected;
  std::vector<double> jaccard, rank_change;  // NaN where the file has no value
};

struct ResultsOnDisk {
  nlohmann::json summary;
  std::vector<std::string> ids;                  // from latent_2d.csv (datum order)
  std::map<std::string, std::vector<double>> z1, z2;  // per model, datum order
  std::vector<std::string> labels, texts;        // empty when absent
  std::vector<DatumTestRows> tests;              // in datum_tests.csv order of pairs
};

// Files the tool wrote earlier are input like any other: summary.json's keys and types, every CSV field (datum
// in [0, n), finite numbers, p/q/Jaccard in [0, 1], known model names, n rows per model and pair) are checked
// before use. Throws InputError naming the directory or file, the line or key, and the problem.
ResultsOnDisk read_results(const std::string& dir);

}  // namespace dk
