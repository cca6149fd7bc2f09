// .safetensors reader: u64 header length, JSON header {name: {dtype, shape, data_offsets}}, raw data.
#include <nlohmann/json.hpp>

#include <cstdint>

#include "datakernel/error.hpp"
#include "datakernel/io/array_readers.hpp"
#include "io/file_bytes.hpp"

namespace dk {

LoadedEmbeddings read_safetensors(const std::string& path, const std::string& tensor) {
  {  // The header's length first: a file of another kind is refused without reading it whole.
    const std::string head = read_file_prefix(path, 9);
    if (head.size() < 8) throw InputError(path + ": not a .safetensors file (too short)");
    if (head.size() > 8 && head[8] != '{') throw InputError(path + ": not a .safetensors file (no JSON header)");
  }
  const std::string bytes = read_file_bytes(path);
  if (bytes.size() < 8) throw InputError(path + ": not a .safetensors file (too short)");
  const auto header_len = load_little_endian<std::uint64_t>(bytes.data());
  if (header_len > bytes.size() - 8) throw InputError(path + ": truncated .safetensors header");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_len));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": malformed .safetensors header (" + e.what() + ")");
  }
  if (!header.is_object()) throw InputError(path + ": malformed .safetensors header (not an object)");
  std::string names;
  const nlohmann::json* entry = nullptr;
  std::string chosen_name;
  std::size_t tensor_count = 0;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    ++tensor_count;
    names += (names.empty() ? "" : ", ") + it.key();
    if (tensor.empty() || it.key() == tensor) {
      entry = &it.value();
      chosen_name = it.key();
    }
  }
  if (tensor_count == 0) throw InputError(path + ": .safetensors file holds no tensors");
  if (tensor.empty() && tensor_count > 1)
    throw InputError(path + ": .safetensors holds several tensors (" + names + "); pick one as " + path +
                     ":NAME");
  if (entry == nullptr) throw InputError(path + ": no tensor '" + tensor + "' (has: " + names + ")");
  const std::string what = path + ":" + chosen_name;
  try {
    const std::string dtype = entry->at("dtype").get<std::string>();
    // nlohmann converts 60.9 to 60 and -1 to 2^64 - 1 on request: every entry must be a non-negative integer.
    auto integers = [&](const char* key) {
      const nlohmann::json& list = entry->at(key);
      if (!list.is_array()) throw InputError(what + ": '" + key + "' must be a list of integers, got " + list.dump());
      for (const auto& v : list)
        if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0))
          throw InputError(what + ": '" + key + "' must hold non-negative integers, got " + list.dump());
      return list.get<std::vector<std::uint64_t>>();
    };
    const auto unsigned_shape = integers("shape");
    const auto offsets = integers("data_offsets");
    std::vector<std::int64_t> shape;
    for (std::uint64_t v : unsigned_shape) {
      if (v > static_cast<std::uint64_t>(INT64_MAX)) throw InputError(what + ": implausible shape entry " + std::to_string(v));
      shape.push_back(static_cast<std::int64_t>(v));
    }
    ScalarType type;
    if (dtype == "F32") type = ScalarType::float32;
    else if (dtype == "F64") type = ScalarType::float64;
    else if (dtype == "F16") type = ScalarType::float16;
    else if (dtype == "BF16") type = ScalarType::bfloat16;
    else throw InputError(what + ": unsupported dtype '" + dtype + "' (supported: F16, BF16, F32, F64)");
    if (shape.size() != 2)
      throw InputError(what + ": expected a 2-D tensor (n data × dim), got " + std::to_string(shape.size()) + "-D");
    if (shape[0] <= 0 || shape[1] <= 0) throw InputError(what + ": empty tensor");
    if (offsets.size() != 2 || offsets[1] < offsets[0])
      throw InputError(what + ": malformed data_offsets");
    const std::uint64_t data_start = 8 + header_len;
    const std::uint64_t available = bytes.size() - data_start;
    if (offsets[1] > available) throw InputError(what + ": truncated data (offsets point past the end of file)");
    const std::uint64_t length = offsets[1] - offsets[0];
    const std::size_t size = scalar_size(type);
    if (static_cast<std::uint64_t>(shape[0]) > length / size / static_cast<std::uint64_t>(shape[1]) ||
        static_cast<std::uint64_t>(shape[0]) * static_cast<std::uint64_t>(shape[1]) * size != length)
      throw InputError(what + ": shape does not match data_offsets");
    LoadedEmbeddings out;
    out.embeddings.n = shape[0];
    out.embeddings.dim = shape[1];
    out.embeddings.values.resize(static_cast<std::size_t>(shape[0] * shape[1]));
    decode_matrix(bytes.data() + data_start + offsets[0], type, false, false, shape[0], shape[1],
                  out.embeddings.values.data());
    out.info.source_dtype = scalar_name(type);
    out.info.converted = type != ScalarType::float32;
    return out;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(what + ": malformed .safetensors entry (" + e.what() + ")");
  }
}

}  // namespace dk
