#include "embed/block_eigensolve.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "datakernel/error.hpp"
#include "datakernel/runtime/blas.hpp"
#include "embed/eigensolve.hpp"
#include "embed/tall_blocks.hpp"

namespace dk {

namespace {

// Basis storage of one cycle: V (G-orthonormal columns), GV = G V and MV = M V, filled left to right.
struct Basis {
  Block v, gv, mv;
  Eigen::Index width = 0;

  Basis(Eigen::Index rows, Eigen::Index capacity) : v(rows, capacity), gv(rows, capacity), mv(rows, capacity) {}
};

// z -= V (GVᵀ z) twice (classical Gram–Schmidt, repeated once for numerical orthogonality).
void orthogonalise_against(const Basis& basis, BlockView z) {
  if (basis.width == 0) return;
  const auto v = basis.v.leftCols(basis.width);
  const auto gv = basis.gv.leftCols(basis.width);
  for (int pass = 0; pass < 2; ++pass) subtract_block_times_small(v, transposed_product(gv, z), z);
}

// z, gz, mz ← z T, gz T, mz T (a block, its G- and M-images, to a new set of columns).
void transform_columns(Block& z, Block& gz, Block& mz, const Eigen::MatrixXd& transform) {
  Block next_z(z.rows(), transform.cols()), next_gz(z.rows(), transform.cols()), next_mz(z.rows(), transform.cols());
  block_times_small(z, transform, next_z);
  block_times_small(gz, transform, next_gz);
  block_times_small(mz, transform, next_mz);
  z.swap(next_z);
  gz.swap(next_gz);
  mz.swap(next_mz);
}

// Appends a G-orthonormal basis of the span of z (with gz = G z, mz = M z) to the basis, at most `most`
// columns: the directions of largest G-norm, from the eigen-decomposition of zᵀ G z. Directions whose G-norm
// is below `floor`, or below 10⁻⁶ of the largest (nearly dependent), are dropped. Two passes, the second on the
// first's output (as in Cholesky-QR2). Returns the number of columns appended.
Eigen::Index append_orthonormal(Basis& basis, Block z, Block gz, Block mz, double floor, Eigen::Index most) {
  constexpr double kDependence = 1e-12;  // on squared norms
  most = std::min(most, basis.v.cols() - basis.width);
  for (int pass = 0; pass < 2 && z.cols() > 0; ++pass) {
    Eigen::MatrixXd gram = transposed_product(z, gz);
    gram = 0.5 * (gram + gram.transpose()).eval();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(gram);
    if (solver.info() != Eigen::Success) throw ComputeError("block eigen-solver: Gram matrix eigen-decomposition failed");
    const Eigen::Index size = gram.rows();
    const double largest = std::max(0.0, solver.eigenvalues()[size - 1]);
    std::vector<Eigen::Index> kept;
    for (Eigen::Index e = size - 1; e >= 0 && static_cast<Eigen::Index>(kept.size()) < (pass == 0 ? most : size); --e) {
      const double value = solver.eigenvalues()[e];
      if (value > floor * floor && value > kDependence * largest) kept.push_back(e);
    }
    Eigen::MatrixXd transform(size, static_cast<Eigen::Index>(kept.size()));
    for (std::size_t k = 0; k < kept.size(); ++k)
      transform.col(static_cast<Eigen::Index>(k)) = solver.eigenvectors().col(kept[k]) / std::sqrt(solver.eigenvalues()[kept[k]]);
    transform_columns(z, gz, mz, transform);
  }
  const Eigen::Index count = std::min<Eigen::Index>(z.cols(), most);
  basis.v.middleCols(basis.width, count) = z.leftCols(count);
  basis.gv.middleCols(basis.width, count) = gz.leftCols(count);
  basis.mv.middleCols(basis.width, count) = mz.leftCols(count);
  basis.width += count;
  return count;
}

// Columns spanning z's columns (Euclidean-orthonormal, at most z.cols() of them) down to `floor`: what is
// left of any column of z outside their span has norm at most `floor`. Passes over what is left: each takes the
// directions of its Gram matrix within 10⁻⁶ of the largest norm (finer ones are not resolved by a Gram matrix),
// normalised twice (as in append_orthonormal), until every left-over column is below the floor.
Block column_range(const Block& z, double floor) {
  constexpr double kResolved = 1e-12;  // on squared norms
  Block range(z.rows(), 0);
  Block rest = z;
  for (int pass = 0; pass < 6 && range.cols() < z.cols(); ++pass) {
    if (rest.colwise().norm().maxCoeff() <= floor) break;
    Block found = rest;
    for (int normalise = 0; normalise < 2 && found.cols() > 0; ++normalise) {
      Eigen::MatrixXd gram = transposed_product(found, found);
      gram = 0.5 * (gram + gram.transpose()).eval();
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(gram);
      if (solver.info() != Eigen::Success) throw ComputeError("block eigen-solver: residual range eigen-decomposition failed");
      const Eigen::Index size = gram.rows();
      const double largest = std::max(0.0, solver.eigenvalues()[size - 1]);
      std::vector<Eigen::Index> kept;
      for (Eigen::Index e = size - 1; e >= 0; --e) {
        const double value = solver.eigenvalues()[e];
        if (value > kResolved * largest && value > floor * floor && range.cols() + static_cast<Eigen::Index>(kept.size()) < z.cols())
          kept.push_back(e);
      }
      Eigen::MatrixXd transform(size, static_cast<Eigen::Index>(kept.size()));
      for (std::size_t k = 0; k < kept.size(); ++k)
        transform.col(static_cast<Eigen::Index>(k)) = solver.eigenvectors().col(kept[k]) / std::sqrt(solver.eigenvalues()[kept[k]]);
      Block next(z.rows(), transform.cols());
      block_times_small(found, transform, next);
      found.swap(next);
      if (range.cols() > 0)  // against the earlier passes' columns, twice
        for (int repeat = 0; repeat < 2; ++repeat) subtract_block_times_small(range, transposed_product(range, found), found);
    }
    if (found.cols() == 0) break;
    Block wider(z.rows(), range.cols() + found.cols());
    wider.leftCols(range.cols()) = range;
    wider.rightCols(found.cols()) = found;
    range.swap(wider);
    rest = z;
    for (int repeat = 0; repeat < 2; ++repeat) subtract_block_times_small(range, transposed_product(range, rest), rest);
  }
  return range;
}

Block random_block(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  const Eigen::VectorXd values = random_start_vector(rows * cols, seed);
  Block out(rows, cols);
  for (Eigen::Index c = 0; c < cols; ++c)
    for (Eigen::Index r = 0; r < rows; ++r) out(r, c) = values[c * rows + r];
  return out;
}

}  // namespace

BlockEigenPairs block_top_eigenpairs(const BlockOperator& op, const BlockEigenConfig& config) {
  const Eigen::Index n = op.rows();
  const int count = config.count;
  if (count < 1 || count >= n)
    throw ComputeError("block eigen-solver: " + std::to_string(count) + " eigenpairs of a " + std::to_string(n) +
                       "-dimensional operator");
  const Eigen::Index kept_ritz = std::min<Eigen::Index>(n, config.restart > 0 ? std::max(config.restart, count)
                                                                              : count + std::max(4, count / 4));
  const Eigen::Index block =
      std::min<Eigen::Index>(n, config.block > 0 ? config.block : 1);
  const Eigen::Index capacity = std::min<Eigen::Index>(
      n, config.basis > 0 ? std::max<Eigen::Index>(config.basis, kept_ritz + block) : std::max(2 * kept_ritz + 16, kept_ritz + 4 * block));
  const double eps = std::numeric_limits<double>::epsilon();
  // OpenBLAS single-threaded: the threads are the solver's own, over fixed row chunks (tall_blocks.cpp). An
  // OpenBLAS call that threads itself where the solver's region has one thread gave other bytes.
  const BlasSingleThreaded single_threaded_blas;

  BlockEigenPairs out;
  // Room for one block beyond `capacity`, so that a Krylov step is never cut short: the Ritz residuals then lie
  // in the span of the next block, and the restart keeps the Krylov information of the whole basis.
  Basis basis(n, std::min<Eigen::Index>(n, capacity + block));

  // Start block: the given columns (at most kept_ritz), or `block` seeded random ones.
  Eigen::Index given = 0;
  if (config.start != nullptr && config.start->rows() == n) given = std::min<Eigen::Index>(config.start->cols(), kept_ritz);
  Block z(n, std::max(given, block));
  if (given > 0) z.leftCols(given) = config.start->leftCols(given);
  if (given < z.cols()) z.rightCols(z.cols() - given) = random_block(n, z.cols() - given, config.seed);
  Block gz(n, z.cols()), mz(n, z.cols());
  const auto check_cancelled = [&] {
    if (config.cancelled && config.cancelled()) throw Cancelled("eigen-solve cancelled");
  };
  check_cancelled();
  op.apply(z, gz, mz);
  out.operator_applications += z.cols();
  append_orthonormal(basis, std::move(z), std::move(gz), std::move(mz), 0.0, n);
  if (basis.width == 0) throw ComputeError("block eigen-solver: the start block has no component the operator sees");

  Eigen::VectorXd ritz_values;  // of the current restart block (basis columns 0..restart-1), by |θ|
  Eigen::Index restart = 0;
  double scale = 0.0;  // largest |θ| seen: the operator's scale, for the negligible-norm floor
  bool exact_residuals = false;  // set when a convergence found on the residuals' range was not confirmed
  for (int cycle = 0; cycle < config.max_cycles; ++cycle) {
    // Krylov blocks M V_j, G-orthogonalised against the basis. The first one after a restart is the residual
    // block M X − X Θ of the Ritz pairs: its G-norms decide convergence, and its rank is at most the last
    // block's size (the Ritz residuals of a block Krylov space lie in the span of its next block).
    Eigen::Index last_first = 0, last_count = basis.width;
    for (bool first_step = true; basis.width < capacity; first_step = false) {
      z = basis.mv.middleCols(last_first, last_count);
      orthogonalise_against(basis, z);
      const bool check = first_step && restart > 0;
      // The residual block R has rank at most `block` in exact arithmetic (R = F Sᵀ with F the Krylov block
      // after the basis): the operator is applied to its range Q (R = Q C down to rounding) and its G-Gram
      // formed as Cᵀ (Qᵀ G Q) C. Where the range has as many columns as R, or after a failed confirmation, R
      // itself.
      Block residual;          // R, while Q stands in for it in z
      Eigen::MatrixXd coefficients;  // C
      if (check && !exact_residuals) {
        double largest_image = 0.0;
        for (Eigen::Index c = 0; c < restart; ++c) largest_image = std::max(largest_image, basis.mv.col(c).norm());
        Block range = column_range(z, config.range_floor * eps * largest_image);
        if (range.cols() < z.cols()) {
          coefficients = transposed_product(range, z);
          residual.swap(z);
          z.swap(range);
        }
      }
      gz.resize(n, z.cols());
      mz.resize(n, z.cols());
      check_cancelled();
      if (z.cols() > 0) op.apply(z, gz, mz);
      out.operator_applications += z.cols();
      if (check) {
        const bool compressed = residual.size() > 0;
        const Eigen::MatrixXd residual_gram =
            compressed ? Eigen::MatrixXd(coefficients.transpose() * transposed_product(z, gz) * coefficients)
                       : transposed_product(z, gz);
        const int tight = config.tight_count ? std::clamp(config.tight_count(ritz_values.head(count)), 0, count) : count;
        bool converged = true;
        double worst = 0.0, progress = 1.0;  // progress: the least log(residual) / log(own tolerance)
        for (int c = 0; c < count; ++c) {
          const double residual = std::sqrt(std::max(0.0, residual_gram(c, c)));
          const double reference = std::max(std::abs(ritz_values[c]), std::cbrt(eps * eps) * scale);
          const double own = c < tight ? config.tolerance : std::max(config.tolerance, config.loose_tolerance);
          const double relative = reference > 0 ? residual / reference : 0.0;
          converged = converged && residual <= own * reference;
          if (c < tight) worst = std::max(worst, relative);
          if (relative > 0) progress = std::min(progress, std::log(relative) / std::log(own));
        }
        out.worst_residual = worst;
        if (config.on_check) config.on_check(cycle, std::pow(config.tolerance, std::max(0.0, progress)));
        if (converged && compressed && tight > 0) {
          // The pairs held to `tolerance` confirmed on R itself: the range's floor is a Euclidean one, and G may
          // scale what it leaves out (the loose tolerance is far above it).
          Block wanted = residual.leftCols(tight), g_wanted(n, tight), m_wanted(n, tight);
          check_cancelled();
          op.apply(wanted, g_wanted, m_wanted);
          out.operator_applications += tight;
          const Eigen::MatrixXd gram = transposed_product(wanted, g_wanted);
          for (int c = 0; c < tight; ++c) {
            const double reference = std::max(std::abs(ritz_values[c]), std::cbrt(eps * eps) * scale);
            const double true_residual = std::sqrt(std::max(0.0, gram(c, c)));
            converged = converged && true_residual <= config.tolerance * reference;
            worst = std::max(worst, reference > 0 ? true_residual / reference : 0.0);
          }
          out.worst_residual = worst;
          exact_residuals = !converged;
        }
        if (converged) {
          out.values = ritz_values.head(count);
          out.vectors = basis.v.leftCols(count);
          out.gram_vectors = basis.gv.leftCols(count);
          out.cycles = cycle;
          return out;
        }
      }
      if (check && residual.size() > 0 && z.cols() > 0) {  // (an empty range appends nothing)
        // The directions of R the full block would offer: R E = Q (C E), E the leading eigenvectors of Rᵀ G R.
        Eigen::MatrixXd gram = coefficients.transpose() * transposed_product(z, gz) * coefficients;
        gram = 0.5 * (gram + gram.transpose()).eval();
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(gram);
        if (solver.info() != Eigen::Success) throw ComputeError("block eigen-solver: residual Gram eigen-decomposition failed");
        const Eigen::Index offered = std::min<Eigen::Index>(block, gram.rows());
        transform_columns(z, gz, mz, coefficients * solver.eigenvectors().rightCols(offered).rowwise().reverse());
      }
      const Eigen::Index first = basis.width;
      const Eigen::Index added = append_orthonormal(basis, std::move(z), std::move(gz), std::move(mz),
                                                    1e3 * eps * scale, block);
      if (added == 0) break;  // the Krylov space is invariant: nothing new to add
      last_first = first;
      last_count = added;
    }

    // Rayleigh–Ritz on the basis.
    const Eigen::Index width = basis.width;
    Eigen::MatrixXd h = transposed_product(basis.gv.leftCols(width), basis.mv.leftCols(width));
    h = 0.5 * (h + h.transpose()).eval();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(h);
    if (solver.info() != Eigen::Success) throw ComputeError("block eigen-solver: Rayleigh-Ritz step failed");
    std::vector<Eigen::Index> order(static_cast<std::size_t>(width));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
      return std::abs(solver.eigenvalues()[a]) > std::abs(solver.eigenvalues()[b]);
    });
    const Eigen::Index keep = std::min<Eigen::Index>(kept_ritz, width);
    if (keep < count)
      throw ComputeError("block eigen-solver: the operator has only " + std::to_string(keep) +
                         " independent directions, fewer than the " + std::to_string(count) + " eigenpairs wanted");
    Eigen::MatrixXd rotation(width, keep);
    ritz_values.resize(keep);
    for (Eigen::Index c = 0; c < keep; ++c) {
      rotation.col(c) = solver.eigenvectors().col(order[static_cast<std::size_t>(c)]);
      ritz_values[c] = solver.eigenvalues()[order[static_cast<std::size_t>(c)]];
    }
    scale = std::max(scale, std::abs(ritz_values[0]));
    // The Ritz block V·rotation (and G V·rotation, M V·rotation) replaces the basis's first columns, re-normalised
    // without mixing its columns (Cholesky: a triangular, near-identity transform). Two n × keep temporaries: the
    // rotated block is formed from the old columns before they are overwritten (basis.mv last, in x's storage).
    Block x(n, keep), gx(n, keep);
    block_times_small(basis.v.leftCols(width), rotation, x);
    block_times_small(basis.gv.leftCols(width), rotation, gx);
    Eigen::MatrixXd gram = transposed_product(x, gx);
    gram = 0.5 * (gram + gram.transpose()).eval();
    Eigen::LLT<Eigen::MatrixXd> cholesky(gram);
    const bool normalise = cholesky.info() == Eigen::Success;
    Eigen::MatrixXd inverse;
    if (normalise)
      inverse = cholesky.matrixU().solve(Eigen::MatrixXd::Identity(keep, keep));  // R⁻¹, with gram = RᵀR
    const auto store = [&](const Block& rotated, Block& target) {
      if (normalise) block_times_small(rotated, inverse, target.leftCols(keep));
      else target.leftCols(keep) = rotated;
    };
    store(x, basis.v);
    store(gx, basis.gv);
    block_times_small(basis.mv.leftCols(width), rotation, x);
    store(x, basis.mv);
    basis.width = keep;
    restart = keep;
    out.cycles = cycle + 1;
    if (config.stop_early && keep >= count) {
      const Eigen::VectorXd wanted = ritz_values.head(count);
      if (config.stop_early(basis.v.leftCols(count), wanted)) {
        out.values = wanted;
        out.vectors = basis.v.leftCols(count);
        out.gram_vectors = basis.gv.leftCols(count);
        out.converged = false;
        out.stopped_early = true;
        return out;
      }
    }
  }
  if (config.accept_unconverged && restart >= count) {
    // The last Rayleigh–Ritz pairs, with their residuals measured once more: ‖M x − x θ‖_G / |θ|.
    out.values = ritz_values.head(count);
    out.vectors = basis.v.leftCols(count);
    out.gram_vectors = basis.gv.leftCols(count);
    Block residual = basis.mv.leftCols(count) - basis.v.leftCols(count) * ritz_values.head(count).asDiagonal();
    Block g_residual(n, count), m_residual(n, count);
    op.apply(residual, g_residual, m_residual);
    out.operator_applications += count;
    const Eigen::MatrixXd residual_gram = transposed_product(residual, g_residual);
    out.worst_residual = 0.0;
    for (int c = 0; c < count; ++c) {
      const double reference = std::max(std::abs(ritz_values[c]), std::cbrt(eps * eps) * scale);
      out.worst_residual = std::max(out.worst_residual, std::sqrt(std::max(0.0, residual_gram(c, c))) / reference);
    }
    out.converged = false;
    return out;
  }
  throw ComputeError("eigen-solver did not converge (" + std::to_string(count) + " eigenpairs of a " +
                     std::to_string(n) + "-dimensional operator, " + std::to_string(config.max_cycles) +
                     " restarts); try a smaller {max_dim}");
}

}  // namespace dk
