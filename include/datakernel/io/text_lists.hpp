// Small text inputs: the --ids file (one id per line) and the --metrics table (CSV: a "model" column,
// then one numeric column per downstream metric).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dk {

// Exactly `n` non-empty lines, no duplicates; errors name the file and line.
std::vector<std::string> read_ids(const std::string& path, std::int64_t n);

// Exactly `n` lines (one per datum; empty lines allowed), e.g. --text and --labels.
std::vector<std::string> read_lines(const std::string& path, std::int64_t n, const std::string& what);

struct MetricsTable {
  std::vector<std::string> metric_names;
  std::vector<std::vector<double>> values;  // [metric][model], in the order of `models`
};

// Every model in `models` must appear exactly once; unknown model names are an error.
MetricsTable read_metrics(const std::string& path, const std::vector<std::string>& models);

}  // namespace dk
