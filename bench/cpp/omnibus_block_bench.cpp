// The joint omnibus eigen-solve (augmented kernels, --dim auto, the block solver on the rank-2n reduction) with
// several Krylov block sizes and loose tolerances (OmnibusConfig::loose_tolerance), on the kNN graphs of .npy
// embeddings: seconds, operator applications, d, and how far each variant's eigenvalues and latent positions are
// from the first one's (bench/results/omnibus_block.txt, omnibus_tolerance.txt):
//   omnibus_block_bench VARIANTS A.npy B.npy C.npy ...      GRAPH_CACHE=DIR: cached_graphs.hpp
// VARIANTS: comma-separated BLOCK or BLOCK:LOOSE (e.g. 1,4,8 or 1:0,1:1e-6; LOOSE 0 holds every pair to 1e-10;
// without it, the default).
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "cached_graphs.hpp"
#include "datakernel/embed/omnibus.hpp"
#include "datakernel/runtime/memory_usage.hpp"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: omnibus_block_bench VARIANTS(BLOCK[:LOOSE],...) A.npy B.npy C.npy ...\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  struct Variant {
    int block;
    double loose;
  };
  std::vector<Variant> variants;
  std::stringstream list(argv[1]);
  for (std::string item; std::getline(list, item, ',');) {
    const std::size_t colon = item.find(':');
    variants.push_back({std::stoi(item.substr(0, colon)),
                        colon == std::string::npos ? dk::OmnibusConfig{}.loose_tolerance : std::stod(item.substr(colon + 1))});
  }
  std::vector<dk::Graph> graphs;
  const auto start = std::chrono::steady_clock::now();
  for (int a = 2; a < argc; ++a) graphs.push_back(dk::bench::cached_knn_graph(argv[a]));
  std::vector<const dk::Graph*> pointers;
  for (const dk::Graph& graph : graphs) pointers.push_back(&graph);
  std::printf("# %zu graphs, n = %lld, kNN graphs in %.1f s\n", graphs.size(), static_cast<long long>(graphs.front().n),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  std::printf("%6s %8s %9s %13s %4s %8s %16s %16s\n", "block", "loose", "seconds", "applications", "d", "searched",
              "max|dλ|/|λ1|", "max|dZ|/max|Z|");
  dk::OmnibusEmbedding first;
  for (const auto [block, loose] : variants) {
    dk::OmnibusConfig config;
    config.block = block;
    config.loose_tolerance = loose;
    config.solver = dk::OmnibusSolver::block_reduced;
    const auto begin = std::chrono::steady_clock::now();
    dk::OmnibusEmbedding e = dk::embed_omnibus(pointers, config);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    double value_diff = 0.0, latent_diff = 0.0;
    if (first.latent.size() > 0) {
      const Eigen::Index c = std::min(first.eigenvalues.size(), e.eigenvalues.size());
      value_diff = (first.eigenvalues.head(c) - e.eigenvalues.head(c)).cwiseAbs().maxCoeff() / std::abs(first.eigenvalues[0]);
      latent_diff = first.dim == e.dim ? (first.latent - e.latent).cwiseAbs().maxCoeff() / first.latent.cwiseAbs().maxCoeff()
                                       : -1.0;
    }
    std::printf("%6d %8.0e %9.2f %13ld %4d %8lld %16.2e %16.2e\n", block, loose, seconds, e.operator_applications, e.dim,
                static_cast<long long>(e.eigenvalues.size()), value_diff, latent_diff);
    if (first.latent.size() == 0) first = std::move(e);
  }
  std::printf("# peak RSS %.0f MB\n", static_cast<double>(dk::peak_rss_bytes()) / 1e6);
  return 0;
}
