// Adjacency spectral embedding (ASE) and the omnibus embedding of m graphs on the same n vertices.
//
// Each graph is diagonally augmented, Ã_g = A_g + diag(deg_g / (n-1)). The omnibus matrix Ω (mn × mn) has
// blocks Ω_gh = (Ã_g + Ã_h)/2; it is applied matrix-free (OmnibusOperator):
//     (Ωx)_g = ½ Ã_g s + ½ t,   s = Σ_h x_h,   t = Σ_h Ã_h x_h,
// at a cost of 2m sparse products. Ẑ = U |Λ|^½ from its top-d eigenpairs by |λ|; rows g·n .. g·n+n-1 are
// the latent positions of every datum under graph g, aligned across graphs. ASE is the case m = 1.
//
// For three or more graphs the eigenpairs come from a thick-restart block Krylov solver
// (src/embed/block_eigensolve.hpp) on the rank-2n reduction Ω = ½ W J Wᵀ (W = [Ã_1 I; …; Ã_m I]), whose dense
// work and memory do not grow with m (src/embed/omnibus_operators.hpp); for one or two graphs from Lanczos. With --dim auto only as many eigenpairs as the elbow needs are computed:
// 16, then doubled until the chosen d is the same for two successive counts (or the cap is reached).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "datakernel/embed/symmetric_operator.hpp"
#include "datakernel/embeddings.hpp"

namespace dk {

class Communicator;

// The kernel of each graph in the omnibus matrix: augmented = Ã = A + diag(deg / (n − 1)), the data kernel
// (ASE and the omnibus embedding); normalised = N = D^-½ (A + I) D^-½, D = diag(deg + 1), the degree-normalised
// kernel of the normalised omnibus distance (population/pair_measures.hpp), whose top eigenvalue is 1.
enum class GraphKernel { augmented, normalised };

struct OmnibusEmbedding;

// With a communicator of P > 1 ranks, each rank computes the products of its own graphs (ModelPartition) and the
// sums over graphs are added in graph order along the ranks (runtime/ordered_sum.hpp): the same bits as one
// process. Every rank must hold every graph.
class OmnibusOperator final : public SymmetricOperator {
 public:
  explicit OmnibusOperator(std::vector<const Graph*> graphs, Communicator* communicator = nullptr,
                           GraphKernel kernel = GraphKernel::augmented)
      : graphs_(std::move(graphs)), communicator_(communicator), kernel_(kernel) {}
  Eigen::Index rows() const override;
  void perform_op(const double* x_in, double* y_out) const override;

 private:
  void perform_op_with_kernel(const double* x_in, double* y_out) const;
  std::vector<const Graph*> graphs_;
  Communicator* communicator_;
  GraphKernel kernel_;
};

// y = Ã x for one diagonally augmented graph.
void augmented_product(const Graph& graph, const double* x, double* y);

// Which eigen-solver: automatic = the Lanczos solver (Spectra) on Ω for one or two graphs, the block Krylov
// solver on the rank-2n reduction for three or more (omnibus_solver_for); block_explicit = the block solver on
// Ω itself. Operators of at most 400 rows are formed and solved densely whatever the choice.
enum class OmnibusSolver { automatic, block_explicit, block_reduced, lanczos };

struct OmnibusConfig {
  int dim = 0;              // fixed embedding dimension d; 0 = choose by Zhu–Ghodsi
  int elbows = 2;           // which Zhu–Ghodsi elbow to use when choosing d
  int search = 0;           // most eigenvalues computed for the choice; 0 = default_search_count
  OmnibusSolver solver = OmnibusSolver::automatic;
  // (|λ_d| − |λ_{d+1}|) / |λ_d| below this marks the d-dim subspace as near-degenerate (not identifiable):
  // --dim auto then falls back to an earlier elbow that ends at a clear gap; a fixed d only warns.
  double degenerate_gap = 0.05;
  std::uint64_t seed = 0;
  const Eigen::VectorXd* start = nullptr;  // warm start for the eigen-solver (length graphs·n)
  double tolerance = 1e-10;                // eigen-solver relative tolerance
  // Block solvers: the relative tolerance of the eigenpairs beyond the d kept ones (d as the current Ritz values
  // choose it, or the fixed d), whose eigenvalues only are used (the elbow, the gap, the summary). A Ritz value's
  // error is of the order of its squared residual; measured in bench/results/omnibus_tolerance.txt.
  double loose_tolerance = 1e-4;
  // The ranks that share the operator's products (docs/distributed.md); null = this process alone. Results are
  // the same bits for any number of ranks. Only the Lanczos and the reduced block solvers split their work.
  Communicator* communicator = nullptr;
  GraphKernel kernel = GraphKernel::augmented;  // normalised: always the block solver on the rank-2n reduction
  // Restarts of the block solver before it gives up; with accept_unconverged it then returns its current Ritz
  // pairs (converged = false, worst_residual says how far they are) instead of throwing ComputeError.
  int max_cycles = 300;
  bool accept_unconverged = false;
  // Block solvers: columns added per Krylov step (BlockEigenConfig::block); 0 = the solver's default.
  int block = 0;
  // Polled between Krylov steps of the block solver and operator applications of the Lanczos solver; true stops
  // the solve with Cancelled.
  std::function<bool()> cancelled;
  // Block solvers: called after each restart with how far the solve has come, log(residual) / log(tolerance) of
  // the worst wanted pair clamped to [0, 1] (for a progress bar; the residual shrinks about geometrically).
  std::function<void(double)> progress;
  // Block solvers with a fixed d: called after each restart with the embedding the current Ritz pairs give
  // (latent and eigenvalues only); returning true ends the solve there (converged = false, stopped_early = true).
  std::function<bool(const OmnibusEmbedding&)> stop_early;
};

// Most eigenvalues searched by Zhu–Ghodsi when d is chosen automatically: 64 (or fewer for tiny operators).
// The profile likelihood needs both a signal part and a noise part populated; graspologic's ⌈log₂ n⌉
// (13 at n = 5,000) leaves the noise part nearly empty for clustered data with ten or more groups.
int default_search_count(std::int64_t operator_size);

// Eigenvalues computed first by --dim auto (then doubled while the chosen d changes): 16.
inline constexpr int kFirstSearchCount = 16;

// The solver `automatic` resolves to for m graphs (never automatic or lanczos).
OmnibusSolver omnibus_solver_for(int graphs);

// (|λ_d| − |λ_{d+1}|) / |λ_d| for values sorted by descending magnitude; 1 when λ_{d+1} is unknown.
double relative_eigengap(const Eigen::VectorXd& values, int d);

struct OmnibusEmbedding {
  int graphs = 0;
  std::int64_t n = 0;
  int dim = 0;
  std::string dim_rule;                 // "fixed" or "zhu-ghodsi elbow E of S eigenvalues[ (why not a later one)]"
  Eigen::VectorXd eigenvalues;          // all computed, by descending |λ| (signed), at least dim+1 when possible
  std::vector<int> elbows;              // Zhu–Ghodsi elbows (empty when dim was fixed)
  double relative_gap = 0.0;            // (|λ_d| - |λ_{d+1}|) / |λ_d|
  bool near_degenerate = false;         // relative_gap < degenerate_gap: the d-dim subspace is not identifiable
  int negative_selected = 0;            // how many of the d selected eigenvalues are negative
  long operator_applications = 0;       // vectors the operator was applied to, over all solves
  std::string solver;                   // "dense", "lanczos", "block" or "block, rank-2n reduction"
  bool converged = true;                // false when max_cycles ran out (accept_unconverged) or stop_early ended it
  bool stopped_early = false;           // OmnibusConfig::stop_early ended the solve
  double worst_residual = 0.0;          // block solvers: largest ‖M x − θ x‖_G / |θ| of the returned pairs
  int cycles = 0;                       // block solvers: restarts of the last solve
  Eigen::MatrixXd latent;               // (graphs·n) × dim

  // Σ_c u_c: a start vector that lies in the embedding's eigenspace, for warm-starting related solves.
  Eigen::VectorXd warm_start() const;

  auto block(int g) const { return latent.middleRows(static_cast<Eigen::Index>(g) * n, n); }
};

OmnibusEmbedding embed_omnibus(const std::vector<const Graph*>& graphs, const OmnibusConfig& config);

}  // namespace dk
