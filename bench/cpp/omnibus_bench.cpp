// Omnibus embedding speed on kNN graphs of a seeded clustered simulation (bench/omnibus_scaling.sh).
//
//   omnibus_bench generate N M SEED DIR   m kNN graphs of n data to DIR/graph_<g>.{offsets,columns} (raw
//                                        little-endian int64 / int32, CSR), for this program and graspologic
//   omnibus_bench embed DIR N M DIM SOLVER [REPEATS]
//                                        embeds the first M graphs at DIM (0 = --dim auto) with SOLVER
//                                        (auto | explicit | reduced | lanczos) and prints one JSON line per
//                                        repeat: wall and CPU seconds, peak RSS, d, eigenvalues, applications.
//
// Simulation: 10 cluster centres in 32 dimensions (unit normal), each datum its centre plus N(0, 0.6²) noise;
// model g sees X R_g + N(0, σ_g²) with R_g a random 32 × 64 projection and σ_g = 0.2 + 0.3 g / M.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/runtime/blas.hpp"

namespace {

std::string path(const std::string& dir, int g, const char* what) {
  return dir + "/graph_" + std::to_string(g) + "." + what;
}

template <typename T>
void write_raw(const std::string& file, const std::vector<T>& v) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
  if (!out) throw std::runtime_error("cannot write " + file);
}

template <typename T>
std::vector<T> read_raw(const std::string& file) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot read " + file);
  const std::streamsize bytes = in.tellg();
  std::vector<T> v(static_cast<std::size_t>(bytes) / sizeof(T));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), bytes);
  return v;
}

int generate(std::int64_t n, int m, std::uint64_t seed, const std::string& dir) {
  constexpr int kClusters = 10, kLatent = 32, kObserved = 64;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> centres(kClusters * kLatent), latent(static_cast<std::size_t>(n) * kLatent);
  for (double& c : centres) c = normal(rng);
  for (std::int64_t i = 0; i < n; ++i)
    for (int c = 0; c < kLatent; ++c) latent[i * kLatent + c] = centres[(i % kClusters) * kLatent + c] + 0.6 * normal(rng);
  for (int g = 0; g < m; ++g) {
    std::vector<double> projection(kLatent * kObserved);
    for (double& p : projection) p = normal(rng) / std::sqrt(static_cast<double>(kLatent));
    const double noise = 0.2 + 0.3 * g / std::max(1, m);
    dk::Embeddings y;
    y.n = n;
    y.dim = kObserved;
    y.values.resize(static_cast<std::size_t>(n) * kObserved);
    for (std::int64_t i = 0; i < n; ++i)
      for (int o = 0; o < kObserved; ++o) {
        double v = noise * normal(rng);
        for (int c = 0; c < kLatent; ++c) v += latent[i * kLatent + c] * projection[c * kObserved + o];
        y.values[i * kObserved + o] = static_cast<float>(v);
      }
    dk::KnnConfig knn;
    knn.method = dk::KnnMethod::exact;
    const dk::Graph graph = dk::knn_graph(y, knn);
    write_raw(path(dir, g, "offsets"), graph.row_offsets);
    write_raw(path(dir, g, "columns"), graph.columns);
  }
  return 0;
}

int embed(const std::string& dir, std::int64_t n, int m, int dim, const std::string& solver, int repeats) {
  std::vector<dk::Graph> graphs(m);
  for (int g = 0; g < m; ++g) {
    graphs[g].n = n;
    graphs[g].row_offsets = read_raw<std::int64_t>(path(dir, g, "offsets"));
    graphs[g].columns = read_raw<std::int32_t>(path(dir, g, "columns"));
    if (static_cast<std::int64_t>(graphs[g].row_offsets.size()) != n + 1) throw std::runtime_error("graph size mismatch");
  }
  std::vector<const dk::Graph*> pointers;
  for (const dk::Graph& g : graphs) pointers.push_back(&g);
  dk::OmnibusConfig config;
  config.dim = dim;
  config.seed = 1;
  if (solver == "explicit") config.solver = dk::OmnibusSolver::block_explicit;
  else if (solver == "reduced") config.solver = dk::OmnibusSolver::block_reduced;
  else if (solver == "lanczos") config.solver = dk::OmnibusSolver::lanczos;
  else if (solver != "auto") throw std::runtime_error("unknown solver " + solver);
  for (int r = 0; r < repeats; ++r) {
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    const auto start = std::chrono::steady_clock::now();
    const dk::OmnibusEmbedding e = dk::embed_omnibus(pointers, config);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    getrusage(RUSAGE_SELF, &after);
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
    const double cpu = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_stime);
    std::printf("{\"n\": %lld, \"m\": %d, \"solver\": \"%s\", \"used\": \"%s\", \"wall\": %.4f, \"cpu\": %.4f, "
                "\"peak_rss_mb\": %.1f, \"dim\": %d, \"computed\": %lld, \"applications\": %ld, \"values\": [",
                static_cast<long long>(n), m, solver.c_str(), e.solver.c_str(), wall, cpu, after.ru_maxrss / 1024.0,
                e.dim, static_cast<long long>(e.eigenvalues.size()), e.operator_applications);
    for (Eigen::Index c = 0; c < std::min<Eigen::Index>(e.eigenvalues.size(), 8); ++c)
      std::printf("%s%.10g", c ? ", " : "", e.eigenvalues[c]);
    std::printf("]}\n");
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // OpenBLAS may mis-detect the CPU and run its generic kernels: re-run once with the right core type, as the
  // CLI does (include/datakernel/runtime/blas.hpp).
  const std::string core = dk::blas_kernel_fallback();
  if (!core.empty() && std::getenv("OPENBLAS_CORETYPE") == nullptr) {
    setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
    execv("/proc/self/exe", argv);
  }
  try {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 5 && a[0] == "generate") return generate(std::stoll(a[1]), std::stoi(a[2]), std::stoull(a[3]), a[4]);
    if ((a.size() == 6 || a.size() == 7) && a[0] == "embed")
      return embed(a[1], std::stoll(a[2]), std::stoi(a[3]), std::stoi(a[4]), a[5], a.size() == 7 ? std::stoi(a[6]) : 1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "omnibus_bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: omnibus_bench generate N M SEED DIR | embed DIR N M DIM SOLVER [REPEATS]\n");
  return 2;
}
