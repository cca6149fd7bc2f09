// .csv / .tsv reader: one datum per line, numeric fields, optional header line.
#include <charconv>
#include <fstream>

#include "datakernel/error.hpp"
#include "datakernel/io/array_readers.hpp"

namespace dk {
namespace {

std::vector<std::string_view> split(std::string_view line, char delimiter) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = line.find(delimiter, start);
    fields.push_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return fields;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"'))
    s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view field, float& value) {
  field = trim(field);
  if (field.empty()) return false;
  if (field.front() == '+') field.remove_prefix(1);
  double parsed = 0.0;
  const auto result = std::from_chars(field.data(), field.data() + field.size(), parsed);
  if (result.ec != std::errc() || result.ptr != field.data() + field.size()) return false;
  value = static_cast<float>(parsed);
  return true;
}

}  // namespace

LoadedEmbeddings read_delimited(const std::string& path, char delimiter) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open file");
  LoadedEmbeddings out;
  Embeddings& e = out.embeddings;
  std::string line;
  std::int64_t line_number = 0;
  bool first_data_line = true;
  while (std::getline(in, line)) {
    ++line_number;
    if (trim(line).empty()) continue;
    const auto fields = split(line, delimiter);
    std::vector<float> row(fields.size());
    bool numeric = true;
    for (std::size_t c = 0; c < fields.size() && numeric; ++c) numeric = parse_number(fields[c], row[c]);
    if (!numeric) {
      if (first_data_line && e.n == 0) {  // header line
        first_data_line = false;
        continue;
      }
      throw InputError(path + ": line " + std::to_string(line_number) + " has a non-numeric field");
    }
    first_data_line = false;
    if (e.n == 0) e.dim = static_cast<std::int64_t>(row.size());
    if (static_cast<std::int64_t>(row.size()) != e.dim)
      throw InputError(path + ": line " + std::to_string(line_number) + " has " + std::to_string(row.size()) +
                       " fields, expected " + std::to_string(e.dim));
    e.values.insert(e.values.end(), row.begin(), row.end());
    ++e.n;
  }
  if (e.n == 0) throw InputError(path + ": no numeric rows");
  out.info.source_dtype = "text";
  out.info.converted = true;
  return out;
}

}  // namespace dk
