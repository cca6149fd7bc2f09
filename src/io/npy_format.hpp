// The .npy and .npz container formats, shared by the readers (npy.cpp, npz.cpp, array_shape.cpp) and the
// fuzzers: header parsing and signature checks. Internal: the public readers are in datakernel/io/array_readers.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "datakernel/io/array_readers.hpp"
#include "io/file_bytes.hpp"

namespace dk {

// Parses an in-memory .npy image; `what` names it in error messages (e.g. "a.npz:emb").
LoadedEmbeddings parse_npy(std::string_view bytes, const std::string& what);
// An owned float32 matrix from an opened .npy or .npz member: the converted copy as is, or a copy of the mapped
// values (whose pages are then dropped).
LoadedEmbeddings owned_embeddings(NpyInput input);
// The matrix of a .npy image used in place (the mapped reader's path): its float32 values when they are
// little-endian, C-order and aligned at `data`, else nullopt (the image needs converting: parse_npy). The same
// checks and errors as parse_npy (header, payload against the shape).
std::optional<EmbeddingsView> npy_in_place(const char* data, std::size_t size, const std::string& what);

// The header of a .npy image (`bytes` needs to hold only the magic, the lengths and the header).
struct NpyHeader {
  ScalarType type = ScalarType::float32;
  bool big_endian = false;
  bool fortran = false;
  std::int64_t n = 0, dim = 0;
  std::size_t data_offset = 0;
};
NpyHeader parse_npy_header(const std::string& bytes, const std::string& what);

// The .npz part of it: checks the zip signature, reads the (compressed) file and inflates at most 64 KiB of the
// member.
ArrayShape peek_npz_shape(const std::string& path, const std::string& member);
// Throws InputError("<path>: not a .npz file ...") unless `prefix` starts with a zip signature.
void check_npz_signature(const std::string& prefix, const std::string& path);

}  // namespace dk
