// Eigenpairs of largest |λ| by a restarted block Krylov method with Rayleigh–Ritz (block Lanczos with full
// re-orthogonalisation, restarted from the Ritz block), for a BlockOperator: M self-adjoint in <x, y>_G.
//
// A cycle starts from the current Ritz block X (b columns) and builds the basis V = [X, MX, ..., M^q X], each
// new block G-orthogonalised twice against all earlier ones (classical Gram–Schmidt, twice) and then
// G-orthonormalised within itself through the eigen-decomposition of its b × b Gram matrix (directions with
// negligible G-norm are dropped, so a singular G or an exhausted Krylov space shrink the block instead of
// failing). The Rayleigh–Ritz step solves the small symmetric problem H = (GV)ᵀ(MV) and keeps the b Ritz
// pairs of largest |θ|. The first new block of the next cycle is R = M X − X Θ, the Ritz residual: its G-norms are
// the convergence test, ‖r_i‖_G ≤ tolerance · |θ_i| for the wanted pairs. R has rank at most b in exact
// arithmetic, so the operator is applied to its range (BlockEigenConfig::range_floor), not to its columns.
//
// All dense work is products of tall blocks with small matrices (tall_blocks.hpp: BLAS-3, threaded over fixed
// row chunks); the operator applies its sparse matrices to whole blocks. Same seed, same bytes, for any
// thread count.
#pragma once

#include <cstdint>
#include <functional>

#include <Eigen/Core>

#include "embed/block_operator.hpp"

namespace dk {

struct BlockEigenConfig {
  int count = 1;                 // wanted eigenpairs (by |λ|)
  std::uint64_t seed = 0;        // random columns of the start block
  double tolerance = 1e-10;      // ‖M x − θ x‖_G ≤ tolerance · |θ| for each wanted pair
  // With tight_count set, only the first tight_count(θ) wanted pairs (θ: the current Ritz values, by |θ|) need
  // `tolerance`; the others need max(tolerance, loose_tolerance). For pairs whose eigenvalues are used but not
  // their vectors: a Ritz value's error is of the order of the squared residual.
  double loose_tolerance = 0.0;
  std::function<int(const Eigen::VectorXd& values)> tight_count;
  int max_cycles = 300;          // restarts
  int restart = 0;               // Ritz vectors kept at a restart, s; 0 = count + max(4, count / 4)
  int block = 0;                 // columns added per Krylov step, b; 0 = 1 (fewest operator applications, measured)
  int basis = 0;                 // basis columns before Rayleigh–Ritz and restart; 0 = max(2 s + 16, s + 4 b)
  // At a restart the operator is applied to the range of the residual block (rank `block` in exact arithmetic),
  // found down to range_floor rounding units of the largest Ritz image; a convergence seen there is confirmed on
  // the residuals of the pairs held to `tolerance`, and if it is not, the whole residual block is used from then
  // on. Larger values only make that fallback likelier (tests use it to reach it).
  double range_floor = 1e3;
  const Block* start = nullptr;  // start columns (rows() × s, s ≤ b; e.g. earlier Ritz vectors); rest random
  // After max_cycles restarts: throw ComputeError (false), or return the current Ritz pairs with converged = false.
  bool accept_unconverged = false;
  std::function<bool()> cancelled;  // polled before each operator application; true throws Cancelled
  // Called after each convergence check with the restart number and the largest relative residual of the wanted
  // pairs (for a progress display; with tight_count, each pair's residual is first mapped to the same place
  // between 1 and `tolerance` as it has between 1 and its own tolerance, on a log scale).
  std::function<void(int cycle, double worst_residual)> on_check;
  // Called after each restart with the wanted Ritz pairs (G-orthonormal vectors, values by |θ|); returning true
  // ends the solve with them (converged = false, stopped_early = true), e.g. when what they are used for has
  // stopped changing.
  std::function<bool(const ConstBlockView& vectors, const Eigen::VectorXd& values)> stop_early;
};

struct BlockEigenPairs {
  Eigen::VectorXd values;  // by descending |λ|
  Block vectors;           // rows() × count, G-orthonormal
  Block gram_vectors;      // G · vectors
  long operator_applications = 0;  // block columns the operator was applied to
  int cycles = 0;
  bool converged = true;
  bool stopped_early = false;   // stop_early ended the solve
  double worst_residual = 0.0;  // largest ‖M x − θ x‖_G / |θ| over the returned pairs held to `tolerance` (at
                                // the last check; all of them without tight_count or when unconverged)
};

BlockEigenPairs block_top_eigenpairs(const BlockOperator& op, const BlockEigenConfig& config);

}  // namespace dk
