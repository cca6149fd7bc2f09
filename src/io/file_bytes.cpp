#include "io/file_bytes.hpp"

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "datakernel/error.hpp"

namespace dk {

std::string read_file_bytes(const std::string& path) { return read_file_prefix(path, ~std::uint64_t{0}); }

std::string read_file_prefix(const std::string& path, std::uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open file (" + std::strerror(errno) + ")");
  // One allocation of the file's size (a stream buffer would grow and copy: twice the file at its peak).
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0 || !in) {  // not seekable (a pipe): read as a stream
    in.clear();
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw InputError(path + ": read error");
    std::string all = std::move(buffer).str();
    if (all.size() > max_bytes) all.resize(max_bytes);
    return all;
  }
  std::string bytes(static_cast<std::size_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(size), max_bytes)),
                    '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size()) || in.bad())
    throw InputError(path + ": read error (file changed while reading?)");
  return bytes;
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16;
  std::uint32_t exponent = (h >> 10) & 0x1fu;
  std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exponent = 127 - 15 + 1;
      while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        --exponent;
      }
      mantissa &= 0x3ffu;
      bits = sign | (exponent << 23) | (mantissa << 13);
    }
  } else if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float bfloat16_to_float(std::uint16_t h) {
  const std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace dk

namespace dk {

std::size_t scalar_size(ScalarType t) {
  switch (t) {
    case ScalarType::float16:
    case ScalarType::bfloat16: return 2;
    case ScalarType::float32: return 4;
    case ScalarType::float64: return 8;
  }
  return 0;
}

const char* scalar_name(ScalarType t) {
  switch (t) {
    case ScalarType::float16: return "float16";
    case ScalarType::bfloat16: return "bfloat16";
    case ScalarType::float32: return "float32";
    case ScalarType::float64: return "float64";
  }
  return "?";
}

namespace {

float decode_scalar(const char* p, ScalarType type, bool big_endian) {
  const std::size_t size = scalar_size(type);
  char buf[8];
  if (big_endian) {
    for (std::size_t b = 0; b < size; ++b) buf[b] = p[size - 1 - b];
    p = buf;
  }
  switch (type) {
    case ScalarType::float16: return half_to_float(load_little_endian<std::uint16_t>(p));
    case ScalarType::bfloat16: return bfloat16_to_float(load_little_endian<std::uint16_t>(p));
    case ScalarType::float32: return load_little_endian<float>(p);
    case ScalarType::float64: return static_cast<float>(load_little_endian<double>(p));
  }
  return 0.0f;
}

}  // namespace

void decode_values(const char* data, ScalarType type, bool big_endian, std::size_t count, float* out,
                   std::int64_t out_stride) {
  const std::size_t size = scalar_size(type);
  if (type == ScalarType::float32 && !big_endian && out_stride == 1) {
    std::memcpy(out, data, count * sizeof(float));
    return;
  }
  for (std::size_t i = 0; i < count; ++i) out[static_cast<std::int64_t>(i) * out_stride] = decode_scalar(data + i * size, type, big_endian);
}

void decode_matrix(const char* data, ScalarType type, bool big_endian, bool fortran, std::int64_t n,
                   std::int64_t dim, float* out) {
  const std::size_t size = scalar_size(type);
  if (type == ScalarType::float32 && !big_endian && !fortran) {
    std::memcpy(out, data, static_cast<std::size_t>(n * dim) * sizeof(float));
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t c = 0; c < dim; ++c) {
      const std::int64_t source = fortran ? c * n + i : i * dim + c;
      out[i * dim + c] = decode_scalar(data + source * size, type, big_endian);
    }
  }
}

}  // namespace dk
