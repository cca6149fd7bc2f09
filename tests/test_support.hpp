// Helpers for tests: temporary directories, byte-level writers for the formats under test, random data.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "datakernel/embeddings.hpp"

namespace dk::test {

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void write_bytes(const std::string& path, const std::string& bytes);

// A .npy image with an arbitrary header dict and payload, format version `major` (1, 2 or 3).
std::string npy_bytes(const std::string& header_dict, const std::string& payload, int major = 1);

// A zip archive of (name, data) members; deflate = method 8 via zlib, else stored. With numpy_zip64, local
// headers carry 0xFFFFFFFF sizes and a zip64 extra field, as numpy's savez writes them.
std::string zip_bytes(const std::vector<std::pair<std::string, std::string>>& members, bool deflate,
                      bool numpy_zip64 = false);

Embeddings random_embeddings(std::int64_t n, std::int64_t dim, std::uint64_t seed);
// Row i = spread · centre[i mod clusters] + noise · N(0, I): Gaussian clusters around random normal centres
// (the centres drawn with seed + 1000).
Embeddings gaussian_clusters(std::int64_t n, int clusters, std::int64_t dim, float spread, float noise, std::uint64_t seed);

// Binary little-endian image of values of type T.
template <class T>
std::string raw_bytes(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// Symmetric hollow graph drawn from an RDPG with latent positions x (n × d, row-major).
Graph rdpg_graph(const std::vector<double>& x, std::int64_t n, int d, std::uint64_t seed);

}  // namespace dk::test
