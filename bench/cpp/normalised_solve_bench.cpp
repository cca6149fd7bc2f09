// The normalised omnibus eigen-solve at several tolerances, on the kNN graphs (exact, default k, cosine) of real
// embeddings: seconds, restarts, operator applications, convergence, and how far each tolerance's distances are
// from the tightest one's. Run by bench/normalised_solve.sh:
//   normalised_solve_bench DIM TOLERANCES(comma-separated, tightest last) OUT_PREFIX A.npy B.npy ...
// writes OUT_PREFIX<tolerance>.csv (the m×m distances) for each tolerance. GRAPH_CACHE=DIR: cached_graphs.hpp.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "datakernel/population/model_distance.hpp"
#include "datakernel/population/pair_measures.hpp"
#include "datakernel/runtime/memory_usage.hpp"
#include "cached_graphs.hpp"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: normalised_solve_bench DIM TOLERANCES OUT_PREFIX A.npy B.npy ...\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // lines as they come, also into a file
  const int dim = std::atoi(argv[1]);
  std::vector<double> tolerances;
  std::stringstream list(argv[2]);
  for (std::string item; std::getline(list, item, ',');) tolerances.push_back(std::stod(item));
  const std::string prefix = argv[3];
  std::vector<dk::Graph> graphs;
  const auto start = std::chrono::steady_clock::now();
  for (int a = 4; a < argc; ++a) {
    dk::Graph graph = dk::bench::cached_knn_graph(argv[a]);
    graphs.push_back(std::move(graph));
  }
  std::vector<const dk::Graph*> pointers;
  for (const dk::Graph& graph : graphs) pointers.push_back(&graph);
  std::printf("# %zu graphs, n = %lld, kNN graphs in %.1f s; d = %d\n", graphs.size(),
              static_cast<long long>(graphs.front().n),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), dim);
  std::printf("%-10s %9s %7s %12s %9s %12s %14s\n", "tolerance", "seconds", "cycles", "applications", "converged",
              "worst_resid", "max|D-D_last|");
  std::vector<Eigen::MatrixXd> results;
  std::vector<std::string> lines;
  for (const double tolerance : tolerances) {
    dk::NormalisedOmnibusConfig config;
    config.dim = dim;
    config.tolerance = tolerance;
    if (std::getenv("MAX_CYCLES") != nullptr) config.max_cycles = std::atoi(std::getenv("MAX_CYCLES"));
    if (std::getenv("DISTANCE_TOLERANCE") != nullptr) config.distance_tolerance = std::atof(std::getenv("DISTANCE_TOLERANCE"));
    const auto begin = std::chrono::steady_clock::now();
    if (std::getenv("TRACE_DISTANCES") != nullptr) {
      // Each restart's distances against the previous restart's, through the embedding's own early-stop hook.
      dk::OmnibusConfig omnibus;
      omnibus.dim = config.dim;
      omnibus.kernel = dk::GraphKernel::normalised;
      omnibus.solver = dk::OmnibusSolver::block_reduced;
      omnibus.tolerance = tolerance;
      omnibus.max_cycles = config.max_cycles;
      omnibus.accept_unconverged = true;
      Eigen::MatrixXd previous;
      int restart = 0;
      omnibus.stop_early = [&](const dk::OmnibusEmbedding& current) {
        const Eigen::MatrixXd distances = dk::model_distances(current);
        std::fprintf(stderr, "#   restart %d, %.1f s: max |D - D_previous| %.2e, D(0,1) %.6f\n", ++restart,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(),
                     previous.size() > 0 ? (distances - previous).cwiseAbs().maxCoeff() : 0.0, distances(0, 1));
        previous = distances;
        return false;
      };
      (void)dk::embed_omnibus(pointers, omnibus);
    }
    if (std::getenv("TRACE") != nullptr)
      config.progress = [&, tolerance](double done) {
        std::fprintf(stderr, "#   %.1f s: relative residual %.1e\n",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(),
                     std::pow(tolerance, done));
      };
    const auto start_solve = std::chrono::steady_clock::now();
    const dk::NormalisedOmnibus solved = dk::normalised_omnibus(pointers, config);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_solve).count();
    results.push_back(solved.distances);
    char line[256];
    std::fprintf(stderr, "# tolerance %.0e done in %.1f s\n", tolerance, seconds);
    std::snprintf(line, sizeof line, "%-10.0e %9.2f %7d %12ld %9s %12.2e", tolerance, seconds, solved.cycles,
                  solved.operator_applications, solved.converged ? "yes" : solved.stopped_early ? "settled" : "no", solved.worst_residual);
    lines.push_back(line);
    char name[64];
    std::snprintf(name, sizeof name, "%.0e.csv", tolerance);
    std::ofstream out(prefix + name);
    for (Eigen::Index i = 0; i < solved.distances.rows(); ++i)
      for (Eigen::Index j = 0; j < solved.distances.cols(); ++j)
        out << solved.distances(i, j) << (j + 1 < solved.distances.cols() ? "," : "\n");
  }
  for (std::size_t t = 0; t < results.size(); ++t)
    std::printf("%s %14.2e\n", lines[t].c_str(), (results[t] - results.back()).cwiseAbs().maxCoeff());
  std::printf("# peak RSS %.0f MB\n", static_cast<double>(dk::peak_rss_bytes()) / 1e6);
  return 0;
}
