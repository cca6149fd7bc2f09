#include "test_support.hpp"

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "datakernel/kernel/graph_builder.hpp"

namespace dk::test {

TempDir::TempDir() {
  static int counter = 0;
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("datakernel-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string npy_bytes(const std::string& header_dict, const std::string& payload, int major) {
  std::string header = header_dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  const std::size_t total = prefix + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY", 6);
  out.push_back(static_cast<char>(major));
  out.push_back('\0');
  const std::size_t len = header.size();
  if (major == 1) {
    out.push_back(static_cast<char>(len & 0xff));
    out.push_back(static_cast<char>(len >> 8));
  } else {
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<char>((len >> (8 * b)) & 0xff));
  }
  return out + header + payload;
}

namespace {

void put16(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>((v >> 8) & 0xff));
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}
void put64(std::string& s, std::uint64_t v) {
  put32(s, static_cast<std::uint32_t>(v & 0xffffffffu));
  put32(s, static_cast<std::uint32_t>(v >> 32));
}

std::string deflate_raw(const std::string& data) {
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace

std::string zip_bytes(const std::vector<std::pair<std::string, std::string>>& members, bool deflate,
                      bool numpy_zip64) {
  std::string archive, directory;
  for (const auto& [name, data] : members) {
    const std::string stored = deflate ? deflate_raw(data) : data;
    const auto crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()),
                                                      static_cast<uInt>(data.size())));
    const auto offset = static_cast<std::uint32_t>(archive.size());
    const std::uint16_t method = deflate ? 8 : 0;
    // local header
    put32(archive, 0x04034b50u);
    put16(archive, numpy_zip64 ? 45 : 20);
    put16(archive, 0);
    put16(archive, method);
    put16(archive, 0);
    put16(archive, 0);
    put32(archive, crc);
    put32(archive, numpy_zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(stored.size()));
    put32(archive, numpy_zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(data.size()));
    put16(archive, static_cast<std::uint32_t>(name.size()));
    put16(archive, numpy_zip64 ? 20 : 0);
    archive += name;
    if (numpy_zip64) {
      put16(archive, 0x0001);
      put16(archive, 16);
      put64(archive, data.size());
      put64(archive, stored.size());
    }
    archive += stored;
    // central directory entry
    put32(directory, 0x02014b50u);
    put16(directory, 20);
    put16(directory, 20);
    put16(directory, 0);
    put16(directory, method);
    put16(directory, 0);
    put16(directory, 0);
    put32(directory, crc);
    put32(directory, static_cast<std::uint32_t>(stored.size()));
    put32(directory, static_cast<std::uint32_t>(data.size()));
    put16(directory, static_cast<std::uint32_t>(name.size()));
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0);
    put32(directory, 0);
    put32(directory, offset);
    directory += name;
  }
  const auto cd_offset = static_cast<std::uint32_t>(archive.size());
  archive += directory;
  put32(archive, 0x06054b50u);
  put16(archive, 0);
  put16(archive, 0);
  put16(archive, static_cast<std::uint32_t>(members.size()));
  put16(archive, static_cast<std::uint32_t>(members.size()));
  put32(archive, static_cast<std::uint32_t>(directory.size()));
  put32(archive, cd_offset);
  put16(archive, 0);
  return archive;
}

Embeddings random_embeddings(std::int64_t n, std::int64_t dim, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Embeddings e;
  e.n = n;
  e.dim = dim;
  e.values.resize(static_cast<std::size_t>(n * dim));
  for (float& v : e.values) v = normal(rng);
  return e;
}

Embeddings gaussian_clusters(std::int64_t n, int clusters, std::int64_t dim, float spread, float noise, std::uint64_t seed) {
  const Embeddings centres = random_embeddings(clusters, dim, seed + 1000);
  Embeddings y = random_embeddings(n, dim, seed);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t c = 0; c < dim; ++c) y.row(i)[c] = spread * centres.row(i % clusters)[c] + noise * y.row(i)[c];
  return y;
}

Graph rdpg_graph(const std::vector<double>& x, std::int64_t n, int d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  EdgeList edges(n);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = i + 1; j < n; ++j) {
      double p = 0.0;
      for (int c = 0; c < d; ++c) p += x[i * d + c] * x[j * d + c];
      if (uniform(rng) < std::clamp(p, 0.0, 1.0)) edges.add(i, j);
    }
  return edges.build(Symmetrize::union_of_both);
}

}  // namespace dk::test
