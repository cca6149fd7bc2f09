// .npz reader: a zip archive of .npy members, stored (method 0) or deflated (method 8), zip64 aware.
// The central directory is the source of truth for names and sizes (numpy writes zip64 local headers).
// The archive is memory-mapped: a stored member is decoded from the mapping (used in place when it is float32,
// little-endian, C-order and aligned), a deflated one inflated from it; no copy of the archive is held.
#include <zlib.h>

#include <memory>
#include <string_view>

#include "datakernel/error.hpp"
#include "io/file_bytes.hpp"
#include "io/mapped_file.hpp"
#include "io/npy_format.hpp"

namespace dk {
namespace {

struct ZipMember {
  std::string name;
  std::uint16_t method = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t local_header_offset = 0;
};

void need(std::string_view bytes, std::uint64_t offset, std::uint64_t length, const std::string& path) {
  if (offset > bytes.size() || length > bytes.size() - offset)
    throw InputError(path + ": truncated or malformed .npz (zip) archive");
}

// Applies a zip64 extra field to the members' 0xFFFFFFFF placeholders.
void apply_zip64_extra(std::string_view bytes, std::uint64_t extra_at, std::uint16_t extra_len,
                       ZipMember& m, bool has_offset, const std::string& path) {
  std::uint64_t at = extra_at;
  const std::uint64_t end = extra_at + extra_len;
  while (at + 4 <= end) {
    const auto id = load_little_endian<std::uint16_t>(bytes.data() + at);
    const auto size = load_little_endian<std::uint16_t>(bytes.data() + at + 2);
    need(bytes, at + 4, size, path);
    if (id == 0x0001) {
      std::uint64_t field = at + 4;
      auto take = [&](std::uint64_t& target) {
        if (target != 0xFFFFFFFFu) return;
        if (field + 8 > at + 4 + size) throw InputError(path + ": malformed zip64 extra field");
        target = load_little_endian<std::uint64_t>(bytes.data() + field);
        field += 8;
      };
      take(m.uncompressed_size);
      take(m.compressed_size);
      if (has_offset) take(m.local_header_offset);
      return;
    }
    at += 4 + size;
  }
}

std::vector<ZipMember> central_directory(std::string_view bytes, const std::string& path) {
  if (bytes.size() < 22) throw InputError(path + ": not a .npz file (too short for a zip archive)");
  // End of central directory record: last 22 bytes plus up to 64 KiB of comment.
  std::int64_t eocd = -1;
  const std::int64_t lowest = std::max<std::int64_t>(0, static_cast<std::int64_t>(bytes.size()) - 22 - 65535);
  for (std::int64_t at = static_cast<std::int64_t>(bytes.size()) - 22; at >= lowest; --at) {
    if (load_little_endian<std::uint32_t>(bytes.data() + at) == 0x06054b50u) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw InputError(path + ": not a .npz file (no zip end-of-central-directory record)");
  std::uint64_t entries = load_little_endian<std::uint16_t>(bytes.data() + eocd + 10);
  std::uint64_t cd_offset = load_little_endian<std::uint32_t>(bytes.data() + eocd + 16);
  if (cd_offset == 0xFFFFFFFFu || entries == 0xFFFFu) {  // zip64 end record via its locator
    if (eocd < 20 || load_little_endian<std::uint32_t>(bytes.data() + eocd - 20) != 0x07064b50u)
      throw InputError(path + ": malformed zip64 archive (no locator)");
    const auto z64 = load_little_endian<std::uint64_t>(bytes.data() + eocd - 20 + 8);
    need(bytes, z64, 56, path);
    if (load_little_endian<std::uint32_t>(bytes.data() + z64) != 0x06064b50u)
      throw InputError(path + ": malformed zip64 end record");
    entries = load_little_endian<std::uint64_t>(bytes.data() + z64 + 32);
    cd_offset = load_little_endian<std::uint64_t>(bytes.data() + z64 + 48);
  }
  std::vector<ZipMember> members;
  std::uint64_t at = cd_offset;
  for (std::uint64_t e = 0; e < entries; ++e) {
    need(bytes, at, 46, path);
    if (load_little_endian<std::uint32_t>(bytes.data() + at) != 0x02014b50u)
      throw InputError(path + ": malformed zip central directory");
    ZipMember m;
    m.method = load_little_endian<std::uint16_t>(bytes.data() + at + 10);
    m.compressed_size = load_little_endian<std::uint32_t>(bytes.data() + at + 20);
    m.uncompressed_size = load_little_endian<std::uint32_t>(bytes.data() + at + 24);
    const auto name_len = load_little_endian<std::uint16_t>(bytes.data() + at + 28);
    const auto extra_len = load_little_endian<std::uint16_t>(bytes.data() + at + 30);
    const auto comment_len = load_little_endian<std::uint16_t>(bytes.data() + at + 32);
    m.local_header_offset = load_little_endian<std::uint32_t>(bytes.data() + at + 42);
    need(bytes, at + 46, static_cast<std::uint64_t>(name_len) + extra_len + comment_len, path);
    m.name = std::string(bytes.substr(at + 46, name_len));
    apply_zip64_extra(bytes, at + 46 + name_len, extra_len, m, true, path);
    members.push_back(std::move(m));
    at += 46 + name_len + extra_len + comment_len;
  }
  return members;
}

// Where a member's data start in the archive (after its local header), checked against the archive's size.
std::uint64_t member_data_offset(std::string_view bytes, const ZipMember& m, const std::string& what) {
  need(bytes, m.local_header_offset, 30, what);
  const char* local = bytes.data() + m.local_header_offset;
  if (load_little_endian<std::uint32_t>(local) != 0x04034b50u)
    throw InputError(what + ": malformed zip local header");
  const auto name_len = load_little_endian<std::uint16_t>(local + 26);
  const auto extra_len = load_little_endian<std::uint16_t>(local + 28);
  const std::uint64_t data_at = m.local_header_offset + 30 + name_len + extra_len;
  need(bytes, data_at, m.compressed_size, what);
  return data_at;
}

// A stored (uncompressed) member's .npy image, inside the archive's bytes (no copy).
std::string_view stored_member(std::string_view bytes, const ZipMember& m, const std::string& what) {
  const std::uint64_t data_at = member_data_offset(bytes, m, what);
  if (m.compressed_size != m.uncompressed_size) throw InputError(what + ": malformed stored zip member");
  return bytes.substr(data_at, m.compressed_size);
}

// A deflated member's .npy image, inflated.
std::string inflated_member(std::string_view bytes, const ZipMember& m, const std::string& what) {
  const std::uint64_t data_at = member_data_offset(bytes, m, what);
  if (m.method != 8)
    throw InputError(what + ": unsupported zip compression method " + std::to_string(m.method) +
                     " (supported: stored, deflate)");
  // Deflate expands at most ~1032:1; a larger claimed size is a corrupt header, rejected before allocating.
  if (m.uncompressed_size > 1032 * (m.compressed_size + 1))
    throw InputError(what + ": malformed zip member (implausible uncompressed size)");
  std::string out(m.uncompressed_size, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw InputError(what + ": cannot initialise zlib");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + data_at));
  stream.avail_in = static_cast<uInt>(m.compressed_size);
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&stream, Z_FINISH);
  const auto produced = stream.total_out;
  inflateEnd(&stream);
  if (rc != Z_STREAM_END || produced != m.uncompressed_size)
    throw InputError(what + ": corrupt deflate data in .npz member");
  return out;
}


// The chosen member and its name for messages ("a.npz:emb").
std::pair<ZipMember, std::string> choose_member(std::string_view bytes, const std::string& path,
                                                const std::string& member) {
  const std::vector<ZipMember> members = central_directory(bytes, path);
  if (members.empty()) throw InputError(path + ": .npz archive has no arrays");
  const ZipMember* chosen = nullptr;
  std::string names;
  for (const auto& m : members) {
    const std::string short_name =
        m.name.size() > 4 && m.name.ends_with(".npy") ? m.name.substr(0, m.name.size() - 4) : m.name;
    names += (names.empty() ? "" : ", ") + short_name;
    if (!member.empty() && (m.name == member || short_name == member)) chosen = &m;
  }
  if (member.empty()) {
    if (members.size() != 1)
      throw InputError(path + ": .npz holds several arrays (" + names + "); pick one as " + path + ":NAME");
    chosen = &members.front();
  }
  if (chosen == nullptr) throw InputError(path + ": no array '" + member + "' in .npz (has: " + names + ")");
  return {*chosen, path + ":" + (member.empty() ? chosen->name : member)};
}

// The archive's bytes: memory-mapped where it can be (only the pages touched are read: the directory at its end, the
// chosen member), else read whole (a pipe).
struct ArchiveImage {
  std::shared_ptr<const MappedFile> mapped;
  std::string read;
  std::string_view bytes() const {
    return mapped ? std::string_view(mapped->data(), mapped->size()) : std::string_view(read);
  }
};

ArchiveImage open_archive(const std::string& path) {
  check_npz_signature(read_file_prefix(path, 4), path);
  ArchiveImage image;
  image.mapped = MappedFile::open(path);
  if (!image.mapped) image.read = read_file_bytes(path);
  return image;
}

}  // namespace

NpyInput open_npz(const std::string& path, const std::string& member) {
  const ArchiveImage archive = open_archive(path);
  const auto [chosen, what] = choose_member(archive.bytes(), path, member);
  NpyInput out;
  if (chosen.method == 0) {  // stored: the .npy image lies in the mapping
    const std::string_view image = stored_member(archive.bytes(), chosen, what);
    if (archive.mapped) {
      if (const auto view = npy_in_place(image.data(), image.size(), what)) {
        out.mapped = MappedEmbeddings{archive.mapped, *view};
        return out;
      }
    }
    out.loaded = parse_npy(image, what);
  } else {
    out.loaded = parse_npy(inflated_member(archive.bytes(), chosen, what), what);
  }
  if (archive.mapped) archive.mapped->release();
  return out;
}

LoadedEmbeddings read_npz(const std::string& path, const std::string& member) {
  return owned_embeddings(open_npz(path, member));
}

void check_npz_signature(const std::string& prefix, const std::string& path) {
  if (prefix.size() < 4 || (prefix.compare(0, 4, "PK\x03\x04") != 0 && prefix.compare(0, 4, "PK\x05\x06") != 0))
    throw InputError(path + ": not a .npz file (no zip signature at the start)");
}

ArrayShape peek_npz_shape(const std::string& path, const std::string& member) {
  const ArchiveImage archive = open_archive(path);  // mapped: only the directory and the member's start are read
  const std::string_view bytes = archive.bytes();
  const auto [chosen, what] = choose_member(bytes, path, member);
  std::string head;
  if (chosen.method == 0) {
    head = std::string(stored_member(bytes, chosen, what).substr(0, 1 << 16));
  } else {
    // Inflate only the first 64 KiB of the member: enough for any .npy header.
    const std::uint64_t data_at = member_data_offset(bytes, chosen, what);
    head.assign(static_cast<std::size_t>(std::min<std::uint64_t>(chosen.uncompressed_size, 1 << 16)), '\0');
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw InputError(what + ": cannot initialise zlib");
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + data_at));
    stream.avail_in = static_cast<uInt>(std::min<std::uint64_t>(chosen.compressed_size, 1u << 30));
    stream.next_out = reinterpret_cast<Bytef*>(head.data());
    stream.avail_out = static_cast<uInt>(head.size());
    const int rc = inflate(&stream, Z_SYNC_FLUSH);
    head.resize(stream.total_out);
    inflateEnd(&stream);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      throw InputError(what + ": corrupt deflate data in .npz member");
  }
  const NpyHeader h = parse_npy_header(head, what);
  if (archive.mapped) archive.mapped->release();
  return ArrayShape{h.n, h.dim, static_cast<std::uint64_t>(bytes.size())};
}

}  // namespace dk
