#include "io/csv.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "datakernel/error.hpp"

namespace dk {

std::string_view strip_utf8_bom(std::string_view text) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB &&
      static_cast<unsigned char>(text[2]) == 0xBF)
    text.remove_prefix(3);
  return text;
}

std::string csv_position(std::int64_t line, std::size_t field_index) {
  return "line " + std::to_string(line) + ", field " + std::to_string(field_index + 1);
}

CsvParser::CsvParser(std::string text, char delimiter, std::string what)
    : text_(std::move(text)), delimiter_(delimiter), what_(std::move(what)) {
  pos_ = text_.size() - strip_utf8_bom(text_).size();
}

bool CsvParser::next(CsvRecord& record) {
  record.fields.clear();
  record.quoted.clear();
  const std::size_t size = text_.size();
  // Skip empty lines (LF or CRLF alone).
  while (pos_ < size) {
    if (text_[pos_] == '\n') {
      ++pos_, ++line_;
    } else if (text_[pos_] == '\r' && pos_ + 1 < size && text_[pos_ + 1] == '\n') {
      pos_ += 2, ++line_;
    } else {
      break;
    }
  }
  if (pos_ >= size) return false;
  record.line = line_;
  auto fail = [&](const std::string& problem) {
    throw InputError(what_ + ": " + csv_position(line_, record.fields.size()) + ": " + problem);
  };
  while (true) {
    std::string field;
    bool quoted = false;
    if (pos_ < size && text_[pos_] == '"') {
      quoted = true;
      const std::int64_t opened = line_;
      ++pos_;
      while (true) {
        if (pos_ >= size)
          throw InputError(what_ + ": " + csv_position(opened, record.fields.size()) +
                           ": unbalanced quote (the quoted field is never closed)");
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < size && text_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        if (c == '\n') ++line_;
        field += c;
        ++pos_;
      }
      if (pos_ < size && text_[pos_] != delimiter_ && text_[pos_] != '\n' &&
          !(text_[pos_] == '\r' && pos_ + 1 < size && text_[pos_ + 1] == '\n'))
        fail("unexpected '" + std::string(1, text_[pos_]) +
             "' after a closing quote (a quote inside a quoted field must be doubled: \"\")");
    } else {
      while (pos_ < size && text_[pos_] != delimiter_ && text_[pos_] != '\n') {
        const char c = text_[pos_];
        if (c == '"') fail("quote inside an unquoted field (quote the whole field and double inner quotes)");
        if (c == '\r') {
          if (pos_ + 1 < size && text_[pos_ + 1] == '\n') break;
          fail("carriage return inside a field (line breaks are LF or CRLF)");
        }
        field += c;
        ++pos_;
      }
    }
    record.fields.push_back(std::move(field));
    record.quoted.push_back(quoted);
    if (pos_ >= size) return true;
    if (text_[pos_] == delimiter_) {
      ++pos_;
      continue;  // another field follows (possibly empty, at the end of the line)
    }
    if (text_[pos_] == '\r') ++pos_;
    ++pos_;  // '\n'
    ++line_;
    return true;
  }
}

FieldKind parse_float_field(std::string_view field, float& value) {
  while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
  if (field.empty()) return FieldKind::empty;
  std::string_view digits = field;
  if (digits.front() == '+') {
    digits.remove_prefix(1);
    if (digits.empty() || digits.front() == '+' || digits.front() == '-') return FieldKind::text;
  }
  double parsed = 0.0;
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
  if (result.ptr != digits.data() + digits.size() || result.ec == std::errc::invalid_argument) return FieldKind::text;
  if (result.ec == std::errc::result_out_of_range) {
    // Overflow or underflow of double: strtod tells which (underflow rounds towards zero, like any rounding).
    const std::string copy(digits);
    parsed = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(parsed)) return FieldKind::out_of_range;
  }
  static const double float_limit = std::ldexp(1.0, 128) - std::ldexp(1.0, 103);  // rounds to float infinity
  if (std::isfinite(parsed) && std::fabs(parsed) >= float_limit) return FieldKind::out_of_range;
  value = static_cast<float>(parsed);
  return FieldKind::number;
}

}  // namespace dk
