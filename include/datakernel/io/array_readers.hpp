// Readers for embedding matrices. Each returns the data contract of embeddings.hpp (row-major float32)
// and throws dk::InputError naming the file and the problem for unreadable, truncated or malformed files and
// unsupported dtypes. Values are returned as stored: NaN/Inf are rejected (with the row) by load_model
// (model_input.hpp), or dropped from all models with --drop-invalid.
//
//   .npy          float16/32/64, either byte order, C or Fortran order, format versions 1, 2 and 3
//   .npz          members stored or deflate-compressed (zip64 too); "file.npz:name" picks a member, and a
//                 file with a single member needs no name
//   .safetensors  F16/BF16/F32/F64 2-D tensors; "file.safetensors:tensor" picks one (optional if only one)
//   .fvecs        int32 dimension + float32 values per row, all rows the same dimension
//   .csv / .tsv   RFC 4180 (csv.hpp), one datum per record, every field a float32 number; a header record by
//                 HeaderMode: automatic takes the first record as a header when none of its fields is a number,
//                 as data when all are, and refuses a mix (a typo, an empty field) or a first record
//                 0,1,...,d-1 (column numbers or data?); info.header says what it decided
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "datakernel/embeddings.hpp"
#include "datakernel/io/mapped_embeddings.hpp"

namespace dk {

struct ArrayInfo {
  std::string source_dtype;     // e.g. "float64", "float32"
  bool fortran_order = false;   // transposed on load
  bool converted = false;       // values were converted to float32 / reordered on load
  std::string header;           // .csv/.tsv under --header auto: what was decided about the first line
};

enum class HeaderMode { automatic, yes, no };
HeaderMode parse_header_mode(const std::string& name);  // "auto" | "yes" | "no"


struct LoadedEmbeddings {
  Embeddings embeddings;
  ArrayInfo info;
};

// A .npy file as an owned float32 matrix (a copy, whatever its dtype).
LoadedEmbeddings read_npy(const std::string& path);
// A .npy file through a memory mapping (mapped_embeddings.hpp): float32 little-endian C-order data are used in
// place (`mapped`, no copy); any other dtype, byte order or Fortran order is converted into `loaded` about 4 MiB
// at a time, each source piece's pages dropped once converted, so no whole copy of the file is held beside the
// result. A file that cannot be mapped (a pipe) is read whole, as before. The same checks and errors as read_npy.
struct NpyInput {
  std::optional<MappedEmbeddings> mapped;
  std::optional<LoadedEmbeddings> loaded;
};
NpyInput open_npy(const std::string& path);
// A .npz member: the archive is memory-mapped (only the pages touched are read); a stored float32 little-endian
// C-order member whose data are aligned in the file is used in place (`mapped`), any other stored member is
// converted from the mapping and a deflated one inflated from it into `loaded`. read_npz: always a copy.
NpyInput open_npz(const std::string& path, const std::string& member);
LoadedEmbeddings read_npz(const std::string& path, const std::string& member);
LoadedEmbeddings read_safetensors(const std::string& path, const std::string& tensor);
LoadedEmbeddings read_fvecs(const std::string& path);
LoadedEmbeddings read_delimited(const std::string& path, char delimiter, HeaderMode header = HeaderMode::automatic);

// The shape of an embeddings file from its header only: magic bytes and header checked (InputError as the full
// reader would throw), nothing else read or inflated. For .npy, .npz (the member's first bytes inflated),
// .safetensors and .fvecs; nullopt for .csv/.tsv and .mtx (no header to read a shape from).
struct ArrayShape {
  std::int64_t n = 0, dim = 0;
  std::uint64_t file_bytes = 0;  // size of the file on disk
  bool in_place = false;         // a float32 little-endian C-order .npy: used in place from a mapping (open_npy)
};
std::optional<ArrayShape> peek_array_shape(const std::string& path, const std::string& format,
                                           const std::string& member);
// Throws InputError("<what>: row r ...") on the first NaN/Inf value.
void check_finite(const EmbeddingsView& e, const std::string& what);

}  // namespace dk
