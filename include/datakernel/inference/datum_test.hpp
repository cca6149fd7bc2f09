// Per-datum hypothesis tests between two models (hyppo-style: a statistic and a p-value per datum).
//
// H0(i): datum i sits at the same place under model a and model b (relative to the other data).
// Statistics:
//   neighbourhood (default)  shift_i = median over i's neighbours (in either model) of the change of the
//            similarity to them on each model's own similarity scale (neighbourhood_shift.hpp). Needs embeddings.
//   omnibus  the paper's T_i = ‖Ẑᵃ_i − Ẑᵇ_i‖ from the omnibus embedding of (A_a, A_b) at dimension d.
// Nulls:
//   empirical (default)  Efron's empirical null fitted to the bulk of the n statistics (empirical_null.hpp):
//            continuous p-values, no replicates, valid when most data did not move.
//   analytic  the omnibus central limit theorem for two independent graphs of the pooled, debiased RDPG
//            (analytic_null.hpp): T_i² ≈ scaled χ², continuous p-values, no replicates.
//   Parametric bootstrap of the omnibus statistic, replicates b = 1..B; p_i from a scaled χ² fitted to datum i's
//   replicates (BootstrapP::moments, continuous) or p_i = (1 + #{b : T_i⁽ᵇ⁾ ≥ T_i}) / (B + 1) (count):
//   pooled   X̂ = (Ẑᵃ + Ẑᵇ)/2; both graphs of a replicate drawn independently from RDPG(X̂X̂ᵀ).
//   correlated  X̂ as pooled, but the two graphs of a replicate are ρ-correlated Bernoulli graphs
//            (corr(A_ij, B_ij) = ρ, same marginals), ρ estimated from the observed pair by the method of
//            moments (estimate_edge_correlation): related models' kNN graphs share most edges, and the null
//            should too (Pantazis et al. 2022 give the omnibus theory for correlated graphs).
//   first    X̂ = Ẑᵃ; both graphs drawn from it (model a as the reference geometry).
//   second   X̂ = Ẑᵇ; both graphs drawn from it.
//   paper    the authors' procedure: X̂ = ASE(A_a); A_b ~ RDPG(X̂X̂ᵀ); T⁽ᵇ⁾ from the omnibus of (A_a, A_b).
//            Anti-conservative: the observed A_a sits at the centre of its own resamples.
// The bootstrap nulls are calibrated on true random dot product graphs but not for kNN graphs of related
// models, which share most edges (docs/per-datum-test.md has the measurements). Graphs are drawn in
// O(n log n + proposals) (rdpg_sampler.hpp), and a replicate's cost is dominated by its omnibus eigen-solve.
// For pooled/correlated/first/second, X̂ is debiased first (debias_latent_positions): spectral estimates overstate the
// eigenvalues by the noise, most in the weakest dimensions, which makes the drawn graphs too regular and the
// null too narrow (measured: 6.5% of p < 0.05 under H0 without, 5.1% with).
// Probabilities are clip(X̂ S X̂ᵀ, 0, 1) with S the signs of the selected eigenvalues (all +1 unless the
// kernels are indefinite in the selected dimensions). Each replicate has its own random stream, seeded by
// (seed, pair, replicate), and is warm-started from the observed embedding; replicates run in parallel and
// the results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "datakernel/embeddings.hpp"
#include "datakernel/inference/multiple_testing.hpp"
#include "datakernel/inference/empirical_null.hpp"
#include "datakernel/inference/neighbourhood_shift.hpp"
#include "datakernel/runtime/communicator.hpp"

namespace dk {

enum class TestStatistic { neighbourhood, omnibus };
TestStatistic parse_test_statistic(const std::string& name);
std::string test_statistic_name(TestStatistic statistic);

enum class NullModel { empirical, analytic, pooled, correlated, first, second, paper };
NullModel parse_null_model(const std::string& name);
std::string null_model_name(NullModel null);
bool is_bootstrap_null(NullModel null);  // drawn replicates: pooled, correlated, first, second, paper

// How a bootstrap null turns replicates into p-values.
enum class BootstrapP {
  count,    // (1 + #{b : T⁽ᵇ⁾ ≥ T}) / (B + 1): exact for exchangeable replicates, floor 1/(B+1)
  moments,  // per datum, T² ≈ g·χ²_ν fitted to the replicates' mean and variance of T² (continuous; its far
            // tail is too light: below 1e-3 it is ~4x smaller than a 20,000-replicate bootstrap's, bench/)
  pooled,   // each datum's replicates standardized by their own mean and sd, pooled over all n data: the
            // observed standardized statistic is ranked among the n·B pooled values (floor 1/(nB+1); default)
};
BootstrapP parse_bootstrap_p(const std::string& name);
std::string bootstrap_p_name(BootstrapP kind);

struct DatumTestConfig {
  TestStatistic statistic = TestStatistic::neighbourhood;
  NullModel null = NullModel::empirical;
  int bootstrap = 1000;  // replicates of a bootstrap null (unused by the empirical null)
  BootstrapP bootstrap_p = BootstrapP::pooled;
  Correction correction = Correction::bh;
  double alpha = 0.05;
  std::uint64_t seed = 0;
  int threads = 0;  // 0 = all available
  // Called after each finished replicate with (done, total), from one thread at a time.
  std::function<void(int, int)> progress;
  // Polled between replicates; when it returns true the test stops and throws Cancelled.
  std::function<bool()> cancelled;
  // Bootstrap replicates split over these ranks (replicate b on rank b mod P, its statistics shared after each
  // batch): every rank calls test_datum_shift with the same arguments and gets the same result, the same bits as
  // one process. Null: this process alone.
  Communicator* communicator = nullptr;
};

struct DatumTestResult {
  int dim = 0;                   // omnibus dimension (omnibus statistic only)
  DatumTestConfig config;
  Eigen::VectorXd statistic;     // shift_i or T_i
  std::vector<double> p_value;   // empirical-null (continuous) or bootstrap (count) p-values
  std::vector<double> q_value;   // adjusted by config.correction, over the n data of this pair
  std::vector<bool> rejected;    // q_value <= alpha
  std::int64_t n_rejected = 0;
  EmpiricalNull empirical;       // the fitted null (empirical null only)
  double edge_correlation = -1;  // ρ̂ of the correlated null (-1: not estimated)
  double seconds = 0.0;

  // The smallest p-value the null can produce: 1/(B+1) for a bootstrap null, 0 (continuous) otherwise.
  double smallest_attainable_p() const;

  // Empirical CDF of the p-values on the grid 0, 1/points, ..., 1.
  std::vector<std::pair<double, double>> p_value_cdf(int points = 100) const;
};

// Second-order eigenvalue correction of omnibus latent positions X̂ (n × d) of `graphs` graphs whose omnibus
// eigenvalues are `eigenvalues`: perturbation theory gives λ̂_Ω ≈ λ_Ω + m(m+3)σ_c²/(4λ_Ω), with
// σ_c² = Σ_i u_ci² Σ_j p_ij(1 − p_ij) estimated from X̂ itself; each column is rescaled by
// sqrt(λ_corrected / λ̂) (to zero if the correction exceeds the eigenvalue: a pure-noise dimension).
void debias_latent_positions(Eigen::MatrixXd& x, const Eigen::VectorXd& eigenvalues, int graphs);

// p-values of the pooled-shape bootstrap (BootstrapP::pooled): replicates is B × n (replicate-major).
std::vector<double> pooled_shape_p_values(const Eigen::VectorXd& statistic, const std::vector<float>& replicates,
                                          int bootstrap);

// Checks the configuration (statistic/null combination, alpha, replicates); throws InputError.
void validate_datum_test_config(const DatumTestConfig& config);

// The omnibus statistic T_i of (a, b) at `dim`, tested with config.null. `stream` separates the random streams
// of different model pairs under one seed.
DatumTestResult test_datum_shift(const Graph& a, const Graph& b, int dim, const DatumTestConfig& config,
                                 std::uint64_t stream = 0);

// The neighbourhood statistic with collateral explained away: tested against the empirical null; then, up to
// `explain_rounds` times, each datum's shift is recomputed without the neighbours rejected in the previous
// round (a change of i's similarity to a neighbour that itself moved says nothing about i; shift_without) and
// tested again, until the rejected set no longer changes. result.statistic is the final shift.
// The null is fitted with neighbourhood_null_options(shift) unless `options` is given (tests compare variants).
DatumTestResult test_neighbourhood_shift(const NeighbourhoodShift& shift, const DatumTestConfig& config,
                                         int explain_rounds = 3,
                                         const std::optional<EmpiricalNullOptions>& options = std::nullopt);

// The empirical null of the neighbourhood statistic: the log-normal (λ = 0) with quartiles at the similarity
// scales' resolution (shift.resolution).
EmpiricalNullOptions neighbourhood_null_options(const NeighbourhoodShift& shift);

// Any per-datum statistic (larger = more moved) tested against the empirical null of its bulk.
DatumTestResult test_with_empirical_null(const Eigen::VectorXd& statistic, const DatumTestConfig& config,
                                         const EmpiricalNullOptions& options = {});

}  // namespace dk
