#include "datakernel/io/text_lists.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <cstdio>
#include <unordered_set>

#include "datakernel/error.hpp"
#include "io/csv.hpp"
#include "io/file_bytes.hpp"

namespace dk {
namespace {

std::string trimmed(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  const auto last = s.find_last_not_of(" \t");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

// The lines of a text file: a leading UTF-8 BOM dropped, LF or CRLF line ends, no empty last line for a file
// that ends with a line break. Every line is checked for control characters (a name or id holding a line
// break would otherwise run the whole computation and then break the output files).
std::vector<std::string> text_lines(const std::string& path, const std::string& what) {
  std::string bytes;
  try {
    bytes = read_file_bytes(path);
  } catch (const InputError&) {
    throw InputError(path + ": cannot open " + what + " file");
  }
  const std::string_view text = strip_utf8_bom(bytes);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string problem = control_character_problem(line);
    if (!problem.empty())
      throw InputError(path + ": line " + std::to_string(lines.size() + 1) + " " + problem + " (" + what +
                       ": one per line, no control characters)");
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::string control_character_problem(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\t' || (c >= 0x20 && c != 0x7F)) continue;
    const char* name = c == '\n' ? "a line feed (\\n)" : c == '\r' ? "a carriage return (\\r)" : nullptr;
    char code[8];
    std::snprintf(code, sizeof code, "0x%02X", c);
    return std::string("contains ") + (name ? name : std::string("the control character ") + code) + " at byte " +
           std::to_string(i + 1);
  }
  return "";
}

std::vector<std::string> read_ids(const std::string& path, std::int64_t n) {
  std::vector<std::string> lines = text_lines(path, "ids");
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // tolerate one trailing blank line
  std::vector<std::string> ids;
  std::unordered_set<std::string> seen;
  for (std::size_t l = 0; l < lines.size(); ++l) {
    const std::string& line = lines[l];
    if (line.empty()) throw InputError(path + ": line " + std::to_string(l + 1) + " is empty (one id per line)");
    if (!seen.insert(line).second)
      throw InputError(path + ": duplicate id '" + line + "' on line " + std::to_string(l + 1));
    ids.push_back(line);
  }
  if (static_cast<std::int64_t>(ids.size()) != n)
    throw InputError(path + ": has " + std::to_string(ids.size()) + " ids but the models have n = " +
                     std::to_string(n) + " data");
  return ids;
}

std::vector<std::string> read_lines(const std::string& path, std::int64_t n, const std::string& what) {
  std::vector<std::string> lines = text_lines(path, what);
  if (static_cast<std::int64_t>(lines.size()) != n)
    throw InputError(path + ": has " + std::to_string(lines.size()) + " lines but the models have n = " +
                     std::to_string(n) + " data (" + what + ": one line per datum)");
  return lines;
}

MetricsTable read_metrics(const std::string& path, const std::vector<std::string>& models) {
  std::string bytes;
  try {
    bytes = read_file_bytes(path);
  } catch (const InputError&) {
    throw InputError(path + ": cannot open metrics file");
  }
  CsvParser parser(std::move(bytes), ',', path);
  CsvRecord record;
  if (!parser.next(record)) throw InputError(path + ": empty metrics file");
  std::vector<std::string> header;
  for (const auto& field : record.fields) header.push_back(trimmed(field));
  if (header.size() < 2 || header[0] != "model") {
    std::string line;
    for (std::size_t c = 0; c < header.size(); ++c) line += (c ? "," : "") + header[c];
    throw InputError(path + ": header must be 'model,METRIC[,METRIC...]', got '" + line + "'");
  }
  MetricsTable table;
  table.metric_names.assign(header.begin() + 1, header.end());
  table.values.assign(table.metric_names.size(), std::vector<double>(models.size(), std::nan("")));
  std::map<std::string, std::size_t> index;
  for (std::size_t g = 0; g < models.size(); ++g) index[models[g]] = g;
  std::vector<bool> seen(models.size(), false);
  while (parser.next(record)) {
    const std::int64_t line_number = record.line;
    std::vector<std::string> fields;
    for (const auto& field : record.fields) fields.push_back(trimmed(field));
    if (fields.size() == 1 && fields[0].empty()) continue;
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
      if (fields[c].empty() || result.ec != std::errc() || result.ptr != fields[c].data() + fields[c].size() ||
          !std::isfinite(value))
        throw InputError(path + ": " + csv_position(line_number, c) + ": '" + fields[c] +
                         "' is not a finite number (metric " + table.metric_names[c - 1] + ")");
      table.values[c - 1][found->second] = value;
    }
  }
  for (std::size_t g = 0; g < models.size(); ++g)
    if (!seen[g]) throw InputError(path + ": no row for model '" + models[g] + "'");
  return table;
}

}  // namespace dk
