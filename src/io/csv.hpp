// The one CSV/TSV parser of the project (RFC 4180, strict), used by every delimited input: embeddings
// (.csv/.tsv), the --metrics table and the result files read back by `datakernel report`.
//
//   - fields are separated by `delimiter`, records by LF or CRLF; a leading UTF-8 byte-order mark is dropped;
//   - a field that starts with '"' is quoted: it may hold delimiters, quotes (doubled: "") and line breaks, and
//     must be followed by a delimiter, a line break or the end of the file;
//   - refused, with the line and field: a quote that is never closed, anything after a closing quote other
//     than a delimiter or line break, a quote inside an unquoted field, a carriage return not followed by LF;
//   - an empty line is skipped (it is not a record); a trailing delimiter makes a last, empty field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dk {

struct CsvRecord {
  std::vector<std::string> fields;
  std::vector<bool> quoted;  // per field: it was written in quotes
  std::int64_t line = 0;     // 1-based line on which the record starts
};

class CsvParser {
 public:
  // `what` names the input in error messages (usually the path).
  CsvParser(std::string text, char delimiter, std::string what);
  // The next record; false at the end of the input. Throws InputError("<what>: line L, field F: ...").
  bool next(CsvRecord& record);

 private:
  std::string text_;
  char delimiter_;
  std::string what_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
};

// Drops a leading UTF-8 byte-order mark (EF BB BF).
std::string_view strip_utf8_bom(std::string_view text);

// Numeric fields of embeddings: surrounding spaces/tabs ignored, optional leading '+', decimal or scientific
// notation, nan/inf accepted here (load_model refuses them with the row).
enum class FieldKind { number, empty, out_of_range, text };
// Classifies `field`; for FieldKind::number stores its value rounded to float32. out_of_range: finite in
// decimal but beyond float32 (|x| >= 2^128 - 2^103 rounds to infinity), e.g. 1e39 or 1e400.
FieldKind parse_float_field(std::string_view field, float& value);

// "line L, field F" in one place, so every reader words it alike.
std::string csv_position(std::int64_t line, std::size_t field_index);

}  // namespace dk
