// .csv / .tsv reader: one datum per record, numeric fields, a header record by --header (auto|yes|no).
// Parsing is the shared RFC 4180 parser (csv.hpp); every field of a data record must be a float32 number.
#include <fmt/format.h>

#include "datakernel/error.hpp"
#include "datakernel/io/array_readers.hpp"
#include "io/csv.hpp"
#include "io/file_bytes.hpp"

namespace dk {
namespace {

std::string shown(const std::string& field) {
  std::string out;
  for (char c : field.substr(0, 40)) out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
  return field.size() > 40 ? out + "..." : out;
}

bool blank(const CsvRecord& record) {
  if (record.fields.size() != 1 || record.quoted[0]) return false;
  return record.fields[0].find_first_not_of(" \t") == std::string::npos;
}

// A first record 0,1,...,d-1 or 1,...,d (d >= 8): column numbers (as pandas writes them) or data? Nobody can
// tell, so --header auto asks.
bool column_numbers(const std::vector<float>& row) {
  if (row.size() < 8) return false;  // small files (tests, toy data) may well start 1,2
  for (std::size_t c = 0; c < row.size(); ++c)
    if (row[c] != static_cast<float>(c) + row[0] || (row[0] != 0.0f && row[0] != 1.0f)) return false;
  return true;
}

}  // namespace

HeaderMode parse_header_mode(const std::string& name) {
  if (name == "auto") return HeaderMode::automatic;
  if (name == "yes") return HeaderMode::yes;
  if (name == "no") return HeaderMode::no;
  throw InputError("{header} must be auto, yes or no, got '" + name + "'");
}

LoadedEmbeddings read_delimited(const std::string& path, char delimiter, HeaderMode header) {
  CsvParser parser(read_file_bytes(path), delimiter, path);
  LoadedEmbeddings out;
  Embeddings& e = out.embeddings;
  CsvRecord record;
  std::int64_t first_line = 0;  // the line that fixed the number of fields
  std::vector<float> row;
  bool first = true;
  while (parser.next(record)) {
    if (blank(record)) continue;
    const std::size_t fields = record.fields.size();
    if (first_line != 0 && static_cast<std::int64_t>(fields) != e.dim)
      throw InputError(fmt::format("{}: line {} has {} fields, expected {} (as on line {})", path, record.line, fields,
                                   e.dim, first_line));
    row.assign(fields, 0.0f);
    std::vector<FieldKind> kinds(fields);
    for (std::size_t c = 0; c < fields; ++c) kinds[c] = parse_float_field(record.fields[c], row[c]);
    if (first) {
      first = false;
      std::size_t numbers = 0, texts = 0;
      for (FieldKind k : kinds) {
        numbers += k == FieldKind::number || k == FieldKind::out_of_range;
        texts += k == FieldKind::text;
      }
      bool is_header = header == HeaderMode::yes;
      if (header == HeaderMode::automatic) {
        if (numbers == 0 && texts > 0) {
          is_header = true;
        } else if (numbers == 0) {
          throw InputError(fmt::format("{}: line {}: every field is empty", path, record.line));
        } else if (numbers == fields && column_numbers(row)) {
          throw InputError(fmt::format(
              "{}: line {} reads {},...,{}: column numbers (a header) or data? say {{header=yes}} or {{header=no}}", path,
              record.line, row.front(), row.back()));
        } else if (numbers != fields) {
          std::size_t c = 0;
          while (kinds[c] == FieldKind::number || kinds[c] == FieldKind::out_of_range) ++c;
          throw InputError(fmt::format(
              "{}: {}: {} but other fields of this first line are numbers, so it is neither a header nor data "
              "({{header=auto}}); fix the line, or say {{header=yes}} if it is a header",
              path, csv_position(record.line, c),
              kinds[c] == FieldKind::empty ? std::string("field is empty") : "'" + shown(record.fields[c]) + "' is not a number"));
        }
        out.info.header = is_header ? fmt::format("{{header=auto}}: line {} read as a header (no field is a number)", record.line)
                                    : fmt::format("{{header=auto}}: line {} read as data (every field is a number)",
                                                  record.line);
      }
      if (is_header) {
        e.dim = static_cast<std::int64_t>(fields);
        first_line = record.line;
        continue;
      }
    }
    for (std::size_t c = 0; c < fields; ++c) {
      if (kinds[c] == FieldKind::number) continue;
      const std::string where = path + ": " + csv_position(record.line, c) + ": ";
      if (kinds[c] == FieldKind::empty) throw InputError(where + "empty field (every field must be a number)");
      if (kinds[c] == FieldKind::out_of_range)
        throw InputError(where + "'" + shown(record.fields[c]) + "' is out of the float32 range (|x| < 3.4e38)");
      throw InputError(where + "'" + shown(record.fields[c]) + "' is not a number" +
                       (e.n == 0 && header == HeaderMode::no ? " ({header=no}: the first line is data)" : ""));
    }
    if (first_line == 0) {
      e.dim = static_cast<std::int64_t>(fields);
      first_line = record.line;
    }
    e.values.insert(e.values.end(), row.begin(), row.end());
    ++e.n;
  }
  if (e.n == 0) throw InputError(path + ": no numeric rows");
  out.info.source_dtype = "text";
  out.info.converted = true;
  return out;
}

}  // namespace dk
