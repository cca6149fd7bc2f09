#include "datakernel/io/text_lists.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_set>

#include "datakernel/error.hpp"

namespace dk {
namespace {

std::string trimmed(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\"");
  const auto last = s.find_last_not_of(" \t\r\"");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) out.push_back(trimmed(field));
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

}  // namespace

std::vector<std::string> read_ids(const std::string& path, std::int64_t n) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open ids file");
  std::vector<std::string> ids;
  std::unordered_set<std::string> seen;
  std::string line;
  std::int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (in.peek() == EOF) break;  // tolerate a trailing blank line only
      throw InputError(path + ": line " + std::to_string(line_number) + " is empty (one id per line)");
    }
    if (!seen.insert(line).second)
      throw InputError(path + ": duplicate id '" + line + "' on line " + std::to_string(line_number));
    ids.push_back(line);
  }
  if (static_cast<std::int64_t>(ids.size()) != n)
    throw InputError(path + ": has " + std::to_string(ids.size()) + " ids but the models have n = " +
                     std::to_string(n) + " data");
  return ids;
}

std::vector<std::string> read_lines(const std::string& path, std::int64_t n, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open " + what + " file");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  if (static_cast<std::int64_t>(lines.size()) != n)
    throw InputError(path + ": has " + std::to_string(lines.size()) + " lines but the models have n = " +
                     std::to_string(n) + " data (" + what + ": one line per datum)");
  return lines;
}

MetricsTable read_metrics(const std::string& path, const std::vector<std::string>& models) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open metrics file");
  std::string line;
  if (!std::getline(in, line)) throw InputError(path + ": empty metrics file");
  const std::vector<std::string> header = split_csv(line);
  if (header.size() < 2 || header[0] != "model")
    throw InputError(path + ": header must be 'model,METRIC[,METRIC...]', got '" + trimmed(line) + "'");
  MetricsTable table;
  table.metric_names.assign(header.begin() + 1, header.end());
  table.values.assign(table.metric_names.size(), std::vector<double>(models.size(), std::nan("")));
  std::map<std::string, std::size_t> index;
  for (std::size_t g = 0; g < models.size(); ++g) index[models[g]] = g;
  std::vector<bool> seen(models.size(), false);
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (trimmed(line).empty()) continue;
    const std::vector<std::string> fields = split_csv(line);
    if (fields.size() != header.size())
      throw InputError(path + ": line " + std::to_string(line_number) + " has " + std::to_string(fields.size()) +
                       " fields, expected " + std::to_string(header.size()));
    const auto found = index.find(fields[0]);
    if (found == index.end())
      throw InputError(path + ": line " + std::to_string(line_number) + " names unknown model '" + fields[0] + "'");
    if (seen[found->second])
      throw InputError(path + ": model '" + fields[0] + "' appears twice (line " + std::to_string(line_number) + ")");
    seen[found->second] = true;
    for (std::size_t c = 1; c < fields.size(); ++c) {
      double value = 0;
      const auto result = std::from_chars(fields[c].data(), fields[c].data() + fields[c].size(), value);
      if (result.ec != std::errc() || result.ptr != fields[c].data() + fields[c].size() || !std::isfinite(value))
        throw InputError(path + ": line " + std::to_string(line_number) + ": '" + fields[c] +
                         "' is not a finite number (metric " + table.metric_names[c - 1] + ")");
      table.values[c - 1][found->second] = value;
    }
  }
  for (std::size_t g = 0; g < models.size(); ++g)
    if (!seen[g]) throw InputError(path + ": no row for model '" + models[g] + "'");
  return table;
}

}  // namespace dk
