// Memory of building a data kernel from kNN lists: the edge-pair builder (EdgeList::build, sort of (i, j) pairs)
// against the direct CSR builder (graph_from_lists, what the pipeline uses), and the stored graph's bytes per
// edge. One builder per process, so that each peak RSS (getrusage) is its own:
//   graph_memory_bench pairs|csr N K
// prints the peak RSS growth while building, per undirected edge, and the stored CSR's bytes per edge.
// Lists: each datum's k neighbours drawn near it in index order (as clustered data give: many mutual pairs).
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "datakernel/kernel/graph_builder.hpp"
#include "datakernel/runtime/memory_usage.hpp"
#include "runtime/random.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: graph_memory_bench pairs|csr N K\n");
    return 2;
  }
  const std::string builder = argv[1];
  const std::int64_t n = std::atoll(argv[2]);
  const int k = std::atoi(argv[3]);
  std::mt19937_64 rng(1);
  std::vector<std::int64_t> ids(static_cast<std::size_t>(n) * k);
  for (std::int64_t i = 0; i < n; ++i)
    for (int r = 0; r < k; ++r) {
      std::int64_t j = i;
      while (j == i) j = (i + static_cast<std::int64_t>(dk::rand::uniform_below(rng, 4 * k)) - 2 * k + n) % n;
      ids[static_cast<std::size_t>(i) * k + r] = j;
    }
  const std::uint64_t before = dk::peak_rss_bytes();
  dk::Graph g;
  if (builder == "pairs") {
    dk::EdgeList edges(n);
    edges.reserve(ids.size());
    for (std::int64_t i = 0; i < n; ++i)
      for (int r = 0; r < k; ++r) edges.add(i, ids[static_cast<std::size_t>(i) * k + r]);
    g = edges.build(dk::Symmetrize::union_of_both);
  } else {
    g = dk::graph_from_lists(n, k, ids.data(), dk::Symmetrize::union_of_both);
  }
  const std::uint64_t peak = dk::peak_rss_bytes();
  const double edges = static_cast<double>(g.edge_count());
  const double stored = static_cast<double>(g.row_offsets.capacity() * sizeof(std::int64_t) +
                                            g.columns.capacity() * sizeof(std::int32_t));
  std::printf("%-6s n %lld k %d edges %.0f  build peak growth %.1f MiB = %.1f bytes/edge  stored CSR %.1f MiB = %.2f bytes/edge\n",
              builder.c_str(), static_cast<long long>(n), k, edges, (peak - before) / 1048576.0,
              static_cast<double>(peak - before) / edges, stored / 1048576.0, stored / edges);
  return 0;
}
