#include "datakernel/error.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace dk {

namespace {

constexpr const char* kOptionKeys[] = {
    "k",           "knn",         "metric",      "symmetrize", "dim",     "elbows",   "max_dim",     "pairwise",     "manifold_dim",
    "metrics",     "test",        "null",       "bootstrap", "bootstrap_p", "alpha",   "correction",   "reference",
    "ids",         "header",      "timings",    "drop_invalid", "memory_limit", "force", "report_pair", "test_pair", "text",
    "labels",      "seed",        "threads",    "out",     "quiet",    "save_kernels", "names",     "distance",
    "direction_dim", "normalised_dim", "measures",  nullptr};

bool known_key(std::string_view key) {
  for (const char* const* k = kOptionKeys; *k; ++k)
    if (key == *k) return true;
  return false;
}

bool is_number(std::string_view text) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == 'e'; });
}

std::string render_one(std::string_view key, std::string_view value, bool has_value, OptionStyle style) {
  if (style == OptionStyle::cli) {
    std::string flag = "--";
    for (char c : key) flag += c == '_' ? '-' : c;
    return has_value ? flag + " " + std::string(value) : flag;
  }
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "'" + std::string(...).
  std::string out(key);
  if (!has_value) return out;
  const bool quoted = !is_number(value);
  out += '=';
  if (quoted) out += '\'';
  out.append(value);
  if (quoted) out += '\'';
  return out;
}

}  // namespace

const char* const* option_keys() { return kOptionKeys; }

std::string render_option_names(std::string_view message, OptionStyle style) {
  std::string out;
  out.reserve(message.size());
  std::size_t at = 0;
  while (at < message.size()) {
    const std::size_t open = message.find('{', at);
    if (open == std::string_view::npos) break;
    const std::size_t close = message.find('}', open + 1);
    if (close == std::string_view::npos) break;
    const std::string_view inside = message.substr(open + 1, close - open - 1);
    const std::size_t equals = inside.find('=');
    const std::string_view key = inside.substr(0, equals);
    out.append(message.substr(at, open - at));
    if (known_key(key)) {
      out += render_one(key, equals == std::string_view::npos ? std::string_view() : inside.substr(equals + 1),
                        equals != std::string_view::npos, style);
    } else {
      out.append(message.substr(open, close - open + 1));
    }
    at = close + 1;
  }
  out.append(message.substr(at));
  return out;
}

}  // namespace dk
