// kNN graphs (exact, default k, cosine) of .npy embeddings for the eigen-solve benchmarks. With GRAPH_CACHE=DIR
// each model's graph is kept in DIR (raw CSR arrays, named by a hash of the path) and read from there next time.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "datakernel/io/array_readers.hpp"
#include "datakernel/kernel/knn.hpp"

namespace dk::bench {

inline Graph cached_knn_graph(const std::string& path) {
  const char* cache = std::getenv("GRAPH_CACHE");
  const std::string cached =
      cache != nullptr ? std::string(cache) + "/" + std::to_string(std::hash<std::string>{}(path)) + ".csr" : "";
  std::ifstream in(cached, std::ios::binary);
  Graph graph;
  if (cache != nullptr && in) {
    std::int64_t edges = 0;
    in.read(reinterpret_cast<char*>(&graph.n), sizeof graph.n);
    in.read(reinterpret_cast<char*>(&edges), sizeof edges);
    graph.row_offsets.resize(static_cast<std::size_t>(graph.n) + 1);
    graph.columns.resize(static_cast<std::size_t>(edges));
    in.read(reinterpret_cast<char*>(graph.row_offsets.data()), static_cast<std::streamsize>(graph.row_offsets.size() * 8));
    in.read(reinterpret_cast<char*>(graph.columns.data()), static_cast<std::streamsize>(graph.columns.size() * 4));
    return graph;
  }
  const LoadedEmbeddings loaded = read_npy(path);
  graph = knn_graph(loaded.embeddings.view(), KnnConfig{});
  if (cache != nullptr) {
    std::ofstream out(cached, std::ios::binary);
    const std::int64_t edges = static_cast<std::int64_t>(graph.columns.size());
    out.write(reinterpret_cast<const char*>(&graph.n), sizeof graph.n);
    out.write(reinterpret_cast<const char*>(&edges), sizeof edges);
    out.write(reinterpret_cast<const char*>(graph.row_offsets.data()), static_cast<std::streamsize>(graph.row_offsets.size() * 8));
    out.write(reinterpret_cast<const char*>(graph.columns.data()), static_cast<std::streamsize>(graph.columns.size() * 4));
  }
  return graph;
}

}  // namespace dk::bench
