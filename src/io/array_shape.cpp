// Shapes of embeddings files from their headers only, so that memory can be checked before anything large is
// read or inflated (a 1 MB .npz can hold gigabytes of zeros).
#include <filesystem>

#include <nlohmann/json.hpp>

#include "datakernel/error.hpp"
#include "io/npy_format.hpp"
#include "io/file_bytes.hpp"

namespace dk {
namespace {

std::uint64_t file_size(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw InputError(path + ": cannot open file (" + error.message() + ")");
  return size;
}

std::optional<ArrayShape> peek_npy(const std::string& path) {
  const std::uint64_t size = file_size(path);
  std::string head = read_file_prefix(path, 12);
  if (head.size() >= 10 && head.compare(0, 6, "\x93NUMPY", 6) == 0) {
    const int major = static_cast<unsigned char>(head[6]);
    const std::uint64_t header_len = major == 1 ? load_little_endian<std::uint16_t>(head.data() + 8)
                                     : head.size() >= 12 ? load_little_endian<std::uint32_t>(head.data() + 8)
                                                         : 0;
    head = read_file_prefix(path, std::min<std::uint64_t>(12 + header_len, 1u << 24));
  }
  const NpyHeader h = parse_npy_header(head, path);  // throws as the full reader would (magic, header)
  const bool in_place = h.type == ScalarType::float32 && !h.big_endian && !h.fortran && h.data_offset % 4 == 0;
  return ArrayShape{h.n, h.dim, size, in_place};
}

std::optional<ArrayShape> peek_safetensors(const std::string& path, const std::string& tensor) {
  const std::uint64_t size = file_size(path);
  const std::string head = read_file_prefix(path, 8);
  if (head.size() < 8) return std::nullopt;  // the full reader says what is wrong
  const auto header_len = load_little_endian<std::uint64_t>(head.data());
  if (header_len > size - 8 || header_len > (1u << 26)) return std::nullopt;
  const std::string bytes = read_file_prefix(path, 8 + header_len);
  const nlohmann::json header = nlohmann::json::parse(bytes.begin() + 8, bytes.end(), nullptr, false);
  if (!header.is_object()) return std::nullopt;
  const nlohmann::json* entry = nullptr;
  int tensors = 0;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    ++tensors;
    if (tensor.empty() || it.key() == tensor) entry = &it.value();
  }
  if (entry == nullptr || (tensor.empty() && tensors != 1) || !entry->is_object() || !entry->contains("shape"))
    return std::nullopt;
  const nlohmann::json& shape = (*entry)["shape"];
  if (!shape.is_array() || shape.size() != 2 || !shape[0].is_number_unsigned() || !shape[1].is_number_unsigned())
    return std::nullopt;
  return ArrayShape{shape[0].get<std::int64_t>(), shape[1].get<std::int64_t>(), size};
}

std::optional<ArrayShape> peek_fvecs(const std::string& path) {
  const std::uint64_t size = file_size(path);
  const std::string head = read_file_prefix(path, 4);
  if (head.size() < 4) return std::nullopt;
  const auto dim = load_little_endian<std::int32_t>(head.data());
  if (dim <= 0 || dim > (1 << 24)) return std::nullopt;
  return ArrayShape{static_cast<std::int64_t>(size / (4 + 4 * static_cast<std::uint64_t>(dim))), dim, size};
}

}  // namespace

std::optional<ArrayShape> peek_array_shape(const std::string& path, const std::string& format,
                                           const std::string& member) {
  if (format == "npy") return peek_npy(path);
  if (format == "npz") return peek_npz_shape(path, member);
  if (format == "safetensors") return peek_safetensors(path, member);
  if (format == "fvecs") return peek_fvecs(path);
  return std::nullopt;
}

}  // namespace dk
