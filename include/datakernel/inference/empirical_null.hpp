// Empirical null for n per-datum statistics (Efron 2004, "Large-scale simultaneous hypothesis testing: the
// choice of a null hypothesis"): most data did not move, so the bulk of the statistics shows what "not moved"
// looks like for this pair of models, whatever the reason for their differences (a different training run,
// quantisation, a different architecture). No replicates, no random numbers.
//
// Model: for the data that did not move, z_i = h_λ(statistic_i) is normal, where h_λ is the Box–Cox transform
// (x^λ − 1)/λ (log x at λ = 0) with λ in [0, 1] chosen so that the quartiles of z are symmetric (the bulk's own
// shape decides between a log-normal and a normal null; measured in docs/per-datum-test.md: the log alone is
// too conservative when the bulk is closer to normal). Its centre is the median of z and its scale
// (q75 − q50) / Φ⁻¹(0.75), the upper half of the interquartile range: the side where moved data are tested.
// One-sided p_i = 1 − Φ((z_i − centre) / scale); a statistic of 0 (no change at all) has p = 1.
// The neighbourhood statistic fixes λ = 0 and gives the statistic's resolution (EmpiricalNullOptions; why in
// test_neighbourhood_shift and docs/per-datum-test.md); the omnibus statistic uses the fit above.
// Valid when most data did not move (up to ~10% moved: the fitted null then barely moves; more moved data
// inflate centre and scale, which makes the test conservative, never liberal). The p-values are continuous,
// so any multiple-testing level is reachable, but their far tail is the normal model's, not an observation.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace dk {

// How the null is fitted. The defaults are the general fit (used by the omnibus statistic); the neighbourhood
// statistic fixes the log and gives its resolution (see test_neighbourhood_shift).
struct EmpiricalNullOptions {
  // λ fixed in [0, 1] instead of chosen by quartile symmetry (negative: chosen).
  double fixed_lambda = -1.0;
  // The statistic's resolution: values are known to this step only (for the neighbourhood statistic one rank
  // of the similarity scales' reference sample, 1/(N − 1)). The quartiles are taken with tied values spread
  // evenly over one step around them, so that a statistic of a few steps does not give quartiles that jump by
  // a whole step (and the null's scale by a factor 2) with the reference sample. 0: plain quartiles.
  double resolution = 0.0;
  // With a resolution: statistics of exactly 0 enter the quartiles as values spread evenly over (0, resolution),
  // "less than one step" (they keep p = 1). When most data did not change at all (models that agree exactly on
  // them) the null is then one step wide instead of degenerate or a fit to the changed data alone. Used by the
  // neighbourhood statistic's default (ScaleComparison::marginal_except_identical) and the paired similarity map,
  // whose statistic is exactly 0 for such data.
  bool zeros_within_resolution = false;
};

struct EmpiricalNull {
  double lambda = 0.0;       // Box–Cox exponent in [0, 1]
  double centre = 0.0;       // median of h_λ(statistic) over positive statistics
  double scale = 0.0;        // (q75 − q50) / 0.6745 of h_λ(statistic)
  std::int64_t fitted = 0;   // statistics the fit used: the positive ones, and the zeros at a resolution
  std::int64_t zeros = 0;    // statistics equal to 0 (p = 1)
  bool degenerate = false;   // fewer than 10 positive statistics or no spread: every p is 1
  double resolution = 0.0;   // EmpiricalNullOptions::resolution used by the fit
};

// Quantile q in [0, 1] of `values` (linear interpolation between order statistics, Hyndman–Fan type 7).
double quantile(std::vector<double> values, double q);

EmpiricalNull fit_empirical_null(const Eigen::VectorXd& statistic, const EmpiricalNullOptions& options = {});

// `sorted` (ascending, positive) with each run of m equal values v replaced by m values spread evenly over
// [v − w/2, v + w/2], w = min(resolution, v): the values' mid-distribution at that resolution.
std::vector<double> spread_ties(std::vector<double> sorted, double resolution);
std::vector<double> empirical_null_p_values(const Eigen::VectorXd& statistic, const EmpiricalNull& null);

// The Box–Cox transform h_λ(x) = (x^λ − 1)/λ, log x at λ = 0 (x > 0).
double box_cox(double x, double lambda);

// Upper tail of the standard normal, 1 − Φ(z), accurate far into the tail (via erfc).
double normal_upper_tail(double z);

}  // namespace dk
