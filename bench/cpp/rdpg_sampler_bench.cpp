// Cost of drawing one random dot product graph, side by side: the O(n log n + proposals) sampler
// (sample_rdpg) against the O(n² d) dense one (sample_rdpg_dense), on the latent positions the bootstrap nulls
// use (the ASE of a kNN graph at the automatic dimension). Usage:
//   rdpg_sampler_bench EMBEDDINGS.npy N [N ...]   (the first N rows of the file for each N)
// Prints one row per N: d, expected edges and proposals, median seconds of each sampler (one thread, as in the
// bootstrap's parallel replicates), their ratio, the sampler the cost model picks, and ns per proposal.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/io/model_input.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/runtime/blas.hpp"
#include "inference/rdpg_sampler.hpp"

namespace {

template <typename F>
double median_seconds(int runs, F&& f) {
  std::vector<double> s;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f(r);
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s EMBEDDINGS.npy N [N ...]\n", argv[0]);
    return 2;
  }
  const dk::ModelInput input = dk::load_model(argv[1]);
  const dk::EmbeddingsView all = input.view();
  std::printf("%8s %4s %12s %14s %10s %10s %11s %9s %6s %9s\n", "n", "d", "E[edges]", "E[proposals]",
              "prop/edge", "thinned_s", "dense_s", "ratio", "picks", "ns/prop");
  for (int a = 2; a < argc; ++a) {
    const std::int64_t n = std::min<std::int64_t>(std::stoll(argv[a]), all.n);
    dk::EmbeddingsView y = all;
    y.n = n;
    const dk::Graph g = dk::knn_graph(y, dk::KnnConfig{});
    const dk::OmnibusEmbedding e = dk::embed_omnibus({&g}, dk::OmnibusConfig{});
    const dk::LatentPositions x = dk::latent_positions(e.latent, e.eigenvalues);
    const dk::RdpgPrepared prepared = dk::prepare_rdpg(x);
    const double edges = dk::rdpg_expected_edges(x), proposals = prepared.expected_proposals;
  
    // As inside the bootstrap, where replicates run in parallel: one thread per draw, BLAS single-threaded.
    const dk::BlasSingleThreaded single_threaded_blas;
    const double fast = median_seconds(5, [&](int r) {
      pcg32 rng = dk::replicate_generator(1, 0, r);
      std::int64_t examined = 0;
      dk::sample_rdpg(prepared, rng, 1.0, &examined);
    });
    const int dense_runs = n > 30000 ? 1 : 3;
    const double dense = median_seconds(dense_runs, [&](int r) {
      pcg32 rng = dk::replicate_generator(2, 0, r);
      dk::sample_rdpg_dense(x, rng);
    });
    std::printf("%8lld %4d %12.0f %14.0f %10.1f %10.4f %11.4f %9.2f %6s %9.1f\n", static_cast<long long>(n),
                x.dim, edges, proposals, proposals / edges, fast, dense, dense / fast,
                prepared.use_dense ? "dense" : "thin", 1e9 * fast / proposals);
    std::fflush(stdout);
  }
  return 0;
}
