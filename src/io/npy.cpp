// .npy reader: format versions 1.0 (2-byte header length), 2.0 and 3.0 (4-byte header length).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "datakernel/error.hpp"
#include "io/npy_format.hpp"
#include "io/file_bytes.hpp"
#include "io/mapped_file.hpp"

namespace dk {
namespace {

// Returns the text of the value stored under 'key' in the Python-literal header dict.
std::string header_value(const std::string& header, const std::string& key, const std::string& what) {
  const std::string quoted[2] = {"'" + key + "'", "\"" + key + "\""};
  std::size_t at = std::string::npos;
  for (const auto& q : quoted) {
    at = header.find(q);
    if (at != std::string::npos) {
      at += q.size();
      break;
    }
  }
  if (at == std::string::npos) throw InputError(what + ": malformed .npy header (no '" + key + "')");
  at = header.find(':', at);
  if (at == std::string::npos) throw InputError(what + ": malformed .npy header near '" + key + "'");
  ++at;
  while (at < header.size() && std::isspace(static_cast<unsigned char>(header[at]))) ++at;
  if (at >= header.size()) throw InputError(what + ": malformed .npy header near '" + key + "'");
  std::size_t end = at;
  if (header[at] == '\'' || header[at] == '"') {
    end = header.find(header[at], at + 1);
    if (end == std::string::npos) throw InputError(what + ": malformed .npy header (unterminated string)");
    return header.substr(at + 1, end - at - 1);
  }
  if (header[at] == '(') {
    end = header.find(')', at);
    if (end == std::string::npos) throw InputError(what + ": malformed .npy header (unterminated shape)");
    return header.substr(at, end - at + 1);
  }
  if (header[at] == '[') throw InputError(what + ": structured dtypes are not supported; save a plain float array");
  while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  std::string value = header.substr(at, end - at);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  return value;
}

std::vector<std::int64_t> parse_shape(const std::string& text, const std::string& what) {
  std::vector<std::int64_t> shape;
  std::size_t i = 1;  // skip '('
  while (i < text.size()) {
    while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == ',')) ++i;
    if (i >= text.size() || text[i] == ')') break;
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      throw InputError(what + ": malformed .npy shape " + text);
    std::int64_t value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (value > (std::numeric_limits<std::int64_t>::max() - 9) / 10)
        throw InputError(what + ": .npy shape " + text + " is too large");
      value = value * 10 + (text[i] - '0');
      ++i;
    }
    shape.push_back(value);
  }
  return shape;
}

ScalarType parse_descr(const std::string& descr, bool& big_endian, const std::string& what) {
  if (descr.size() < 3) throw InputError(what + ": unsupported dtype '" + descr + "'");
  const char order = descr[0];
  const std::string kind = descr.substr(1);
  if (order != '<' && order != '>' && order != '=' && order != '|')
    throw InputError(what + ": unsupported dtype '" + descr + "'");
  big_endian = order == '>';
  if (kind == "f2") return ScalarType::float16;
  if (kind == "f4") return ScalarType::float32;
  if (kind == "f8") return ScalarType::float64;
  throw InputError(what + ": unsupported dtype '" + descr +
                   "' (supported: float16, float32, float64; convert integer or complex arrays first)");
}

}  // namespace

NpyHeader parse_npy_header(const std::string& bytes, const std::string& what) {
  static const char magic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, 6, magic, 6) != 0)
    throw InputError(what + ": not a .npy file (bad magic bytes)");
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0;
  std::size_t header_start = 0;
  if (major == 1) {
    header_len = load_little_endian<std::uint16_t>(bytes.data() + 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw InputError(what + ": truncated .npy header");
    header_len = load_little_endian<std::uint32_t>(bytes.data() + 8);
    header_start = 12;
  } else {
    throw InputError(what + ": unsupported .npy format version " + std::to_string(major));
  }
  if (header_start + header_len > bytes.size()) throw InputError(what + ": truncated .npy header");
  const std::string header = bytes.substr(header_start, header_len);

  NpyHeader out;
  out.type = parse_descr(header_value(header, "descr", what), out.big_endian, what);
  const std::string fortran_text = header_value(header, "fortran_order", what);
  if (fortran_text != "True" && fortran_text != "False")
    throw InputError(what + ": malformed .npy header (fortran_order = " + fortran_text + ")");
  out.fortran = fortran_text == "True";
  const std::vector<std::int64_t> shape = parse_shape(header_value(header, "shape", what), what);
  if (shape.size() != 2)
    throw InputError(what + ": expected a 2-D array (n data × dim), got " + std::to_string(shape.size()) +
                     "-D");
  out.n = shape[0];
  out.dim = shape[1];
  if (out.n == 0 || out.dim == 0)
    throw InputError(what + ": empty array (shape " + std::to_string(out.n) + "×" + std::to_string(out.dim) + ")");
  out.data_offset = header_start + header_len;
  return out;
}

namespace {

std::size_t payload_bytes(const NpyHeader& h) {
  return static_cast<std::size_t>(h.n * h.dim) * scalar_size(h.type);
}

// The header of an image of `size` bytes at `data`, with the payload checked against the shape.
NpyHeader checked_header(const char* data, std::size_t size, const std::string& what) {
  // Only the magic, the lengths and the header dict are copied (at most 12 + 2^32 bytes by the format, and never
  // more than the file).
  std::size_t prefix = std::min<std::size_t>(size, 12);
  if (size >= 12 && std::memcmp(data, "\x93NUMPY", 6) == 0) {
    const int major = static_cast<unsigned char>(data[6]);
    if (major >= 1 && major <= 3) {
      const std::size_t header_len = major == 1 ? load_little_endian<std::uint16_t>(data + 8)
                                                : load_little_endian<std::uint32_t>(data + 8);
      prefix = std::min<std::size_t>(size, 12 + header_len);
    }
  }
  const NpyHeader h = parse_npy_header(std::string(data, prefix), what);
  const std::size_t payload = size - h.data_offset;
  const std::size_t value_size = scalar_size(h.type);
  // Checked before allocating: a header cannot claim more data than the file holds.
  if (static_cast<unsigned long long>(h.n) > payload / value_size / static_cast<unsigned long long>(h.dim) ||
      payload_bytes(h) > payload)
    throw InputError(what + ": truncated data (header claims " + std::to_string(h.n) + "×" + std::to_string(h.dim) +
                     " " + scalar_name(h.type) + ", file holds " + std::to_string(payload) + " bytes)");
  return h;
}

bool usable_in_place(const char* data, const NpyHeader& h) {
  return h.type == ScalarType::float32 && !h.big_endian && !h.fortran &&
         reinterpret_cast<std::uintptr_t>(data + h.data_offset) % alignof(float) == 0;
}

// Decodes the matrix into row-major float32 `out`, about 4 MiB of the source at a time; after each piece,
// `done(offset, length)` is told the source bytes just read (the mapped reader drops those pages then, so a
// conversion never holds the whole source besides its result).
void decode_in_pieces(const char* data, const NpyHeader& h, float* out,
                      const std::function<void(std::size_t, std::size_t)>& done) {
  constexpr std::size_t kPiece = 4u << 20;
  const std::size_t size = scalar_size(h.type);
  const auto n = static_cast<std::size_t>(h.n), dim = static_cast<std::size_t>(h.dim);
  const char* payload = data + h.data_offset;
  if (!h.fortran) {  // rows are contiguous in the source
    const std::size_t rows = std::max<std::size_t>(1, kPiece / (dim * size));
    for (std::size_t first = 0; first < n; first += rows) {
      const std::size_t count = std::min(rows, n - first);
      decode_values(payload + first * dim * size, h.type, h.big_endian, count * dim, out + first * dim, 1);
      if (done) done(h.data_offset + first * dim * size, count * dim * size);
    }
    return;
  }
  const std::size_t columns = std::max<std::size_t>(1, kPiece / (n * size));  // columns are contiguous
  for (std::size_t first = 0; first < dim; first += columns) {
    const std::size_t count = std::min(columns, dim - first);
    for (std::size_t c = first; c < first + count; ++c)
      decode_values(payload + c * n * size, h.type, h.big_endian, n, out + c, static_cast<std::int64_t>(dim));
    if (done) done(h.data_offset + first * n * size, count * n * size);
  }
}

LoadedEmbeddings decode_npy(const char* data, const NpyHeader& h,
                            const std::function<void(std::size_t, std::size_t)>& done) {
  LoadedEmbeddings out;
  out.embeddings.n = h.n;
  out.embeddings.dim = h.dim;
  out.embeddings.values.resize(static_cast<std::size_t>(h.n * h.dim));
  decode_in_pieces(data, h, out.embeddings.values.data(), done);
  out.info.source_dtype = scalar_name(h.type);
  out.info.fortran_order = h.fortran;
  out.info.converted = h.type != ScalarType::float32 || h.big_endian || h.fortran;
  return out;
}

}  // namespace

LoadedEmbeddings parse_npy(std::string_view bytes, const std::string& what) {
  return decode_npy(bytes.data(), checked_header(bytes.data(), bytes.size(), what), nullptr);
}

std::optional<EmbeddingsView> npy_in_place(const char* data, std::size_t size, const std::string& what) {
  const NpyHeader h = checked_header(data, size, what);
  if (!usable_in_place(data, h)) return std::nullopt;
  return EmbeddingsView{h.n, h.dim, reinterpret_cast<const float*>(data + h.data_offset), nullptr};
}

NpyInput open_npy(const std::string& path) {
  // The magic bytes first: a file of another kind is refused without reading or mapping it.
  const std::string head = read_file_prefix(path, 6);
  if (head.size() < 6 || head.compare(0, 6, "\x93NUMPY", 6) != 0)
    throw InputError(path + ": not a .npy file (bad magic bytes)");
  NpyInput out;
  const std::shared_ptr<const MappedFile> file = MappedFile::open(path);
  if (!file) {  // not mappable (a pipe): read whole, as a stream
    out.loaded = parse_npy(read_file_bytes(path), path);
    return out;
  }
  const NpyHeader h = checked_header(file->data(), file->size(), path);
  if (usable_in_place(file->data(), h)) {
    out.mapped = MappedEmbeddings{file, EmbeddingsView{h.n, h.dim,
                                                       reinterpret_cast<const float*>(file->data() + h.data_offset),
                                                       nullptr}};
    return out;
  }
  file->advise_sequential();
  out.loaded = decode_npy(file->data(), h, [&](std::size_t offset, std::size_t length) { file->release(offset, length); });
  return out;
}

LoadedEmbeddings read_npy(const std::string& path) { return owned_embeddings(open_npy(path)); }

LoadedEmbeddings owned_embeddings(NpyInput input) {
  if (input.loaded) return std::move(*input.loaded);
  const EmbeddingsView y = input.mapped->view;
  LoadedEmbeddings out;
  out.embeddings.n = y.n;
  out.embeddings.dim = y.dim;
  out.embeddings.values.assign(y.f32, y.f32 + y.n * y.dim);
  out.info.source_dtype = "float32";
  input.mapped->release();
  return out;
}

void MappedEmbeddings::release() const {
  if (file) file->release();
}

void check_finite(const EmbeddingsView& e, const std::string& what) {
  for (std::int64_t i = 0; i < e.n; ++i) {
    for (std::int64_t c = 0; c < e.dim; ++c) {
      const double v = e.at(i, c);
      if (!std::isfinite(v))
        throw InputError(what + ": row " + std::to_string(i) + " (0-based) contains " + (std::isnan(v) ? "NaN" : "Inf") +
                         " at column " + std::to_string(c));
    }
  }
}

}  // namespace dk
