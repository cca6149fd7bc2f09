// .fvecs reader (the TEXMEX / FAISS benchmark format): per row an int32 dimension, then that many float32.
#include "datakernel/error.hpp"
#include "datakernel/io/array_readers.hpp"
#include "io/file_bytes.hpp"

namespace dk {

LoadedEmbeddings read_fvecs(const std::string& path) {
  {  // The first row's dimension first: a file of another kind is refused without reading it whole.
    const std::string head = read_file_prefix(path, 4);
    if (head.size() == 4) {
      const auto dim = load_little_endian<std::int32_t>(head.data());
      if (dim <= 0 || dim > (1 << 24)) throw InputError(path + ": row 0 has invalid dimension " + std::to_string(dim));
    }
  }
  const std::string bytes = read_file_bytes(path);
  if (bytes.size() < 4) throw InputError(path + ": empty or truncated .fvecs file");
  const auto dim = load_little_endian<std::int32_t>(bytes.data());
  if (dim <= 0 || dim > (1 << 24)) throw InputError(path + ": row 0 has invalid dimension " + std::to_string(dim));
  const std::size_t record = 4 + 4 * static_cast<std::size_t>(dim);
  if (bytes.size() % record != 0)
    throw InputError(path + ": truncated .fvecs file (" + std::to_string(bytes.size()) +
                     " bytes is not a whole number of rows of dimension " + std::to_string(dim) + ")");
  const std::int64_t n = static_cast<std::int64_t>(bytes.size() / record);
  LoadedEmbeddings out;
  out.embeddings.n = n;
  out.embeddings.dim = dim;
  out.embeddings.values.resize(static_cast<std::size_t>(n) * dim);
  for (std::int64_t i = 0; i < n; ++i) {
    const char* at = bytes.data() + i * record;
    const auto row_dim = load_little_endian<std::int32_t>(at);
    if (row_dim != dim)
      throw InputError(path + ": row " + std::to_string(i) + " has dimension " + std::to_string(row_dim) +
                       ", expected " + std::to_string(dim));
    std::memcpy(out.embeddings.row(i), at + 4, 4 * static_cast<std::size_t>(dim));
  }
  out.info.source_dtype = "float32";
  return out;
}

}  // namespace dk
