// Whole-file reads and little-endian decoding shared by the binary readers.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace dk {

// Reads a whole file; throws InputError("<path>: cannot open ...") when it cannot.
std::string read_file_bytes(const std::string& path);
// The first min(size, max_bytes) bytes of a file.
std::string read_file_prefix(const std::string& path, std::uint64_t max_bytes);

template <class T>
T load_little_endian(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // this library targets little-endian hosts (checked in CMake)
  return v;
}

// float16 / bfloat16 bit patterns to float.
float half_to_float(std::uint16_t h);
float bfloat16_to_float(std::uint16_t h);

enum class ScalarType { float16, bfloat16, float32, float64 };
std::size_t scalar_size(ScalarType t);
const char* scalar_name(ScalarType t);

// Decodes an n×dim matrix of `type` (either byte order; C order, or Fortran order when `fortran`) into
// row-major float32 `out` (n*dim values).
void decode_matrix(const char* data, ScalarType type, bool big_endian, bool fortran, std::int64_t n,
                   std::int64_t dim, float* out);

// Decodes `count` consecutive values of `type` into out[0], out[out_stride], out[2 * out_stride], ...
void decode_values(const char* data, ScalarType type, bool big_endian, std::size_t count, float* out,
                   std::int64_t out_stride);

}  // namespace dk
