// Small text inputs: the --ids file (one id per line) and the --metrics table (CSV: a "model" column,
// then one numeric column per downstream metric).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dk {

// Files are UTF-8 (a leading byte-order mark is dropped), lines end in LF or CRLF, and a line holding a
// control character (other than tab) is refused with its line number.

// Exactly `n` non-empty lines, no duplicates; errors name the file and line.
std::vector<std::string> read_ids(const std::string& path, std::int64_t n);

// Exactly `n` lines (one per datum; empty lines allowed), e.g. --text and --labels.
std::vector<std::string> read_lines(const std::string& path, std::int64_t n, const std::string& what);

struct MetricsTable {
  std::vector<std::string> metric_names;
  std::vector<std::vector<double>> values;  // [metric][model], in the order of `models`
};

// The --metrics table is read by the project's one CSV parser (csv.hpp): quoted fields, BOM, CRLF.
// Every model in `models` must appear exactly once; unknown model names are an error.
MetricsTable read_metrics(const std::string& path, const std::vector<std::string>& models);

// "" when `text` holds no control character (tab allowed), else e.g. "contains a line feed (\n) at byte 4".
// Names, ids, labels and texts are checked with it before anything is computed.
std::string control_character_problem(std::string_view text);

}  // namespace dk
