#include "datakernel/inference/datum_test.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include <unsupported/Eigen/SpecialFunctions>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/error.hpp"
#include "datakernel/runtime/blas.hpp"
#include "inference/analytic_null.hpp"
#include "inference/rdpg_sampler.hpp"
#include "runtime/byte_buffer.hpp"

namespace dk {

TestStatistic parse_test_statistic(const std::string& name) {
  if (name == "neighbourhood" || name == "neighborhood") return TestStatistic::neighbourhood;
  if (name == "omnibus") return TestStatistic::omnibus;
  throw InputError("unknown per-datum statistic '" + name + "' (neighbourhood or omnibus)");
}

std::string test_statistic_name(TestStatistic statistic) {
  return statistic == TestStatistic::neighbourhood ? "neighbourhood" : "omnibus";
}

NullModel parse_null_model(const std::string& name) {
  if (name == "empirical") return NullModel::empirical;
  if (name == "analytic") return NullModel::analytic;
  if (name == "pooled") return NullModel::pooled;
  if (name == "correlated") return NullModel::correlated;
  if (name == "first") return NullModel::first;
  if (name == "second") return NullModel::second;
  if (name == "paper") return NullModel::paper;
  throw InputError("unknown null model '" + name + "' (empirical, analytic, pooled, correlated, first, second or paper)");
}

BootstrapP parse_bootstrap_p(const std::string& name) {
  if (name == "moments") return BootstrapP::moments;
  if (name == "count") return BootstrapP::count;
  if (name == "pooled") return BootstrapP::pooled;
  throw InputError("unknown bootstrap p-value '" + name + "' (moments or count)");
}

std::string bootstrap_p_name(BootstrapP kind) {
  switch (kind) {
    case BootstrapP::count: return "count";
    case BootstrapP::moments: return "moments";
    case BootstrapP::pooled: return "pooled";
  }
  return "?";
}

bool is_bootstrap_null(NullModel null) { return null != NullModel::empirical && null != NullModel::analytic; }

std::string null_model_name(NullModel null) {
  switch (null) {
    case NullModel::empirical: return "empirical";
    case NullModel::analytic: return "analytic";
    case NullModel::pooled: return "pooled";
    case NullModel::correlated: return "correlated";
    case NullModel::first: return "first";
    case NullModel::second: return "second";
    case NullModel::paper: return "paper";
  }
  return "?";
}

double DatumTestResult::smallest_attainable_p() const {
  if (!is_bootstrap_null(config.null)) return 0.0;
  if (config.bootstrap_p == BootstrapP::count) return 1.0 / (config.bootstrap + 1.0);
  if (config.bootstrap_p == BootstrapP::pooled) return 1.0 / (static_cast<double>(statistic.size()) * config.bootstrap + 1.0);
  return 0.0;
}

void validate_datum_test_config(const DatumTestConfig& config) {
  if (!(config.alpha > 0.0 && config.alpha < 1.0)) throw InputError("{alpha} must be in (0, 1)");
  if (config.statistic == TestStatistic::neighbourhood && config.null != NullModel::empirical)
    throw InputError("the neighbourhood statistic is tested against the empirical null only; {null=" +
                     null_model_name(config.null) + "} needs {test=omnibus}");
  if (is_bootstrap_null(config.null) && config.bootstrap < 1)
    throw InputError("{null=" + null_model_name(config.null) + "} needs {bootstrap} of at least 1");
}

std::vector<std::pair<double, double>> DatumTestResult::p_value_cdf(int points) const {
  std::vector<double> sorted = p_value;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::pair<double, double>> cdf;
  for (int g = 0; g <= points; ++g) {
    const double x = static_cast<double>(g) / points;
    const auto below = std::upper_bound(sorted.begin(), sorted.end(), x + 1e-12) - sorted.begin();
    cdf.emplace_back(x, sorted.empty() ? 0.0 : static_cast<double>(below) / static_cast<double>(sorted.size()));
  }
  return cdf;
}

namespace {

// Replicates only need their statistics to well below the bootstrap's own resolution: a relative Ritz
// tolerance of 1e-4 moves T⁽ᵇ⁾ by ~1e-4 relative; a replicate lands that close to T_i with probability ~1e-4.
constexpr double kReplicateTolerance = 1e-4;

Eigen::VectorXd block_distances(const OmnibusEmbedding& e) { return (e.block(0) - e.block(1)).rowwise().norm(); }

void adjust_and_reject(DatumTestResult& result) {
  const std::size_t n = result.p_value.size();
  result.q_value = adjust_p_values(result.p_value, result.config.correction);
  result.rejected.assign(n, false);
  result.n_rejected = 0;
  for (std::size_t i = 0; i < n; ++i) {
    result.rejected[i] = result.q_value[i] <= result.config.alpha;
    result.n_rejected += result.rejected[i];
  }
}

DatumTestResult plain_result(const DatumTestConfig& config) {
  DatumTestResult result;
  result.config = config;
  result.config.progress = nullptr;
  result.config.cancelled = nullptr;
  return result;
}

// After a batch of replicates first .. first + count − 1 split over the ranks (replicate b on rank b mod P): every
// rank's statistics (n doubles per replicate) to every rank, and the first failure of any rank to all of them.
void share_replicates(Communicator& comm, int first, int count, std::vector<Eigen::VectorXd>& batch,
                      std::string& failure) {
  const int ranks = comm.size();
  ByteWriter mine;
  mine.put_string(failure);
  for (int r = 0; r < count; ++r)
    if ((first + r) % ranks == comm.rank()) mine.put_vector(failure.empty() ? batch[r] : Eigen::VectorXd());
  const std::vector<Bytes> all = comm.allgather(mine.bytes());
  for (int q = 0; q < ranks; ++q) {
    ByteReader reader(all[static_cast<std::size_t>(q)]);
    const std::string remote = reader.get_string();
    if (!remote.empty() && failure.empty()) failure = remote + " (MPI rank " + std::to_string(q) + ")";
    for (int r = 0; r < count; ++r)
      if ((first + r) % ranks == q) batch[r] = reader.get_eigen_vector();
  }
}

}  // namespace

std::vector<double> pooled_shape_p_values(const Eigen::VectorXd& statistic, const std::vector<float>& replicates,
                                          int bootstrap) {
  // Each datum's replicates give its centre and spread; the standardized replicates of all data share one
  // reference distribution. A replicate is standardized leave-one-out (by the mean and sd of the datum's other
  // replicates), as the observed statistic is by replicates it is not part of: standardizing a replicate by
  // estimates that include it shrinks the extremes and made p-values ~5x too small at 1e-4 (tests).
  const std::int64_t n = statistic.size();
  const double count = bootstrap;
  std::vector<double> sum(static_cast<std::size_t>(n), 0.0), sum_square(static_cast<std::size_t>(n), 0.0);
  auto replicate = [&](int b, std::int64_t i) { return static_cast<double>(replicates[static_cast<std::size_t>(b) * n + i]); };
  for (int b = 0; b < bootstrap; ++b)
    for (std::int64_t i = 0; i < n; ++i) {
      const double v = replicate(b, i);
      sum[i] += v;
      sum_square[i] += v * v;
    }
  // Mean and sd of `k` values with sums s1, s2 (sd with k − 1); -1 when there is no spread.
  auto standardize = [](double v, double s1, double s2, double k) {
    const double mean = s1 / k;
    const double variance = (s2 - k * mean * mean) / (k - 1.0);
    return variance > 1e-24 * (mean * mean + 1e-300) ? (v - mean) / std::sqrt(variance) : std::nan("");
  };
  std::vector<double> pooled;
  pooled.reserve(replicates.size());
  if (bootstrap >= 3)
    for (int b = 0; b < bootstrap; ++b)
      for (std::int64_t i = 0; i < n; ++i) {
        const double v = replicate(b, i);
        const double z = standardize(v, sum[i] - v, sum_square[i] - v * v, count - 1.0);
        if (!std::isnan(z)) pooled.push_back(z);
      }
  std::sort(pooled.begin(), pooled.end());
  std::vector<double> p(static_cast<std::size_t>(n), 1.0);
  for (std::int64_t i = 0; i < n; ++i) {
    const double z = standardize(statistic[i], sum[i], sum_square[i], count);
    if (std::isnan(z) || pooled.empty()) {  // no spread in the replicates: the plain count
      std::int64_t exceed = 0;
      for (int b = 0; b < bootstrap; ++b) exceed += replicate(b, i) >= statistic[i];
      p[i] = (1.0 + static_cast<double>(exceed)) / (count + 1.0);
      continue;
    }
    const auto above = pooled.end() - std::lower_bound(pooled.begin(), pooled.end(), z);
    p[i] = (1.0 + static_cast<double>(above)) / (static_cast<double>(pooled.size()) + 1.0);
  }
  return p;
}

DatumTestResult test_with_empirical_null(const Eigen::VectorXd& statistic, const DatumTestConfig& config,
                                         const EmpiricalNullOptions& options) {
  validate_datum_test_config(config);
  const auto start_time = std::chrono::steady_clock::now();
  DatumTestResult result = plain_result(config);
  result.config.null = NullModel::empirical;
  result.statistic = statistic;
  result.empirical = fit_empirical_null(statistic, options);
  result.p_value = empirical_null_p_values(statistic, result.empirical);
  adjust_and_reject(result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return result;
}

void debias_latent_positions(Eigen::MatrixXd& x, const Eigen::VectorXd& eigenvalues, int graphs) {
  const Eigen::Index d = x.cols();
  // v_i = Σ_j p_ij (1 − p_ij) with p_ij = x_iᵀ x_j (unclipped; O(n d²) instead of O(n² d)).
  const Eigen::VectorXd column_sums = x.colwise().sum().transpose();
  const Eigen::MatrixXd gram = x.transpose() * x;
  const Eigen::VectorXd variance =
      ((x * column_sums).array() - ((x * gram).array() * x.array()).rowwise().sum()).max(0.0).matrix();
  const double m = graphs;
  for (Eigen::Index c = 0; c < d && c < eigenvalues.size(); ++c) {
    const double norm = x.col(c).norm();
    if (norm == 0.0) continue;
    const double noise = (x.col(c).array().square() * variance.array()).sum() / (norm * norm);
    const double observed = std::abs(eigenvalues[c]);
    const double corrected = observed - m * (m + 3.0) * noise / (4.0 * observed);
    x.col(c) *= corrected > 0.0 ? std::sqrt(corrected / observed) : 0.0;
  }
}

EmpiricalNullOptions neighbourhood_null_options(const NeighbourhoodShift& shift) {
  // The log-normal null (λ = 0), with quartiles at the scales' resolution. The statistic of data that did not
  // move is a count of a few reference ranks when the two models barely differ (float16 rounding: quartiles of
  // 3–7 ranks at n = 3,000): quartiles chosen by symmetry then sent λ to 1 on one reference sample and not on
  // another, and with plain quartiles of integers the scale changed by a factor 2 with the sample; either way
  // the float16 control rejected data on some reference samples (docs/per-datum-test.md). The log is
  // conservative in the upper tail where the bulk is nearer normal; with the scale of one kNN pair in four the
  // recall targets are met with it. Where a change of exactly 0 means "no change at all" (the default's pairs
  // identical to float32 rounding, or the paired map's prediction), a statistic of 0 (the two models measure the
  // datum's neighbourhood identically) counts as less than one step in the fit: when most data are such, the null
  // is one step wide instead of a fit to the moved data alone (issue 9).
  EmpiricalNullOptions options;
  options.fixed_lambda = 0.0;
  options.resolution = shift.resolution;
  options.zeros_within_resolution = shift.zero_means_unchanged;
  return options;
}

DatumTestResult test_neighbourhood_shift(const NeighbourhoodShift& shift, const DatumTestConfig& config,
                                         int explain_rounds, const std::optional<EmpiricalNullOptions>& null_options) {
  const auto start_time = std::chrono::steady_clock::now();
  const EmpiricalNullOptions options = null_options ? *null_options : neighbourhood_null_options(shift);
  DatumTestResult result = test_with_empirical_null(shift.shift, config, options);
  for (int round = 0; round < explain_rounds && result.n_rejected > 0; ++round) {
    DatumTestResult next = test_with_empirical_null(shift_without(shift, result.rejected), config, options);
    const bool settled = next.rejected == result.rejected;
    result = std::move(next);
    if (settled) break;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return result;
}

DatumTestResult test_datum_shift(const Graph& a, const Graph& b, int dim, const DatumTestConfig& config,
                                 std::uint64_t stream) {
  if (a.n != b.n) throw InputError("per-datum test: the two graphs have different numbers of data");
  if (dim < 1) throw InputError("per-datum test: dimension must be at least 1");
  DatumTestConfig omnibus_config = config;
  omnibus_config.statistic = TestStatistic::omnibus;
  validate_datum_test_config(omnibus_config);
  const auto start_time = std::chrono::steady_clock::now();
  const std::int64_t n = a.n;

  OmnibusConfig omni;
  omni.dim = dim;
  omni.seed = config.seed;
  const OmnibusEmbedding observed = embed_omnibus({&a, &b}, omni);
  if (config.null == NullModel::empirical) {
    DatumTestResult result = test_with_empirical_null(block_distances(observed), omnibus_config);
    result.dim = dim;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
    return result;
  }
  DatumTestResult result = plain_result(omnibus_config);
  result.dim = dim;
  result.statistic = block_distances(observed);

  // Latent positions of the null model, and the fixed first graph of the paper's procedure.
  std::optional<OmnibusEmbedding> first_ase;
  Eigen::MatrixXd null_latent;
  Eigen::VectorXd null_eigenvalues = observed.eigenvalues;
  switch (config.null) {
    case NullModel::pooled:
    case NullModel::correlated: null_latent = 0.5 * (observed.block(0) + observed.block(1)); break;
    case NullModel::first: null_latent = observed.block(0); break;
    case NullModel::second: null_latent = observed.block(1); break;
    case NullModel::empirical: break;  // handled above
    case NullModel::analytic: null_latent = 0.5 * (observed.block(0) + observed.block(1)); break;
    case NullModel::paper:
      first_ase = embed_omnibus({&a}, omni);
      null_latent = first_ase->latent;
      null_eigenvalues = first_ase->eigenvalues;
      break;
  }
  // The analytic null plugs X̂ in as it is: debiased, it was conservative (3.2–4.3% of p < 0.05 on four RDPG
  // pairs, against 4.1–6.4% without).
  if (config.null != NullModel::paper && config.null != NullModel::analytic)
    debias_latent_positions(null_latent, observed.eigenvalues, 2);
  if (config.null == NullModel::analytic) {
    Eigen::VectorXd signature(null_latent.cols());
    for (Eigen::Index c = 0; c < signature.size(); ++c)
      signature[c] = c < null_eigenvalues.size() && null_eigenvalues[c] < 0 ? -1.0 : 1.0;
    result.p_value = analytic_null_p_values(result.statistic, analytic_null_terms(null_latent, signature));
    adjust_and_reject(result);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
    return result;
  }
  const LatentPositions latent = latent_positions(null_latent, null_eigenvalues);
  const double rho = config.null == NullModel::correlated ? estimate_edge_correlation(a, b, latent) : 0.0;
  if (config.null == NullModel::correlated) result.edge_correlation = rho;
  const RdpgPrepared prepared = prepare_rdpg(latent);
  const Eigen::VectorXd warm = observed.warm_start();

  // Replicates run in parallel in fixed batches; their statistics are merged in replicate order after each
  // batch, so the moment sums (floating point) do not depend on the thread count.
  std::vector<std::int64_t> exceed(static_cast<std::size_t>(n), 0);
  std::vector<double> sum_square(static_cast<std::size_t>(n), 0.0), sum_fourth(static_cast<std::size_t>(n), 0.0);
  const bool keep_replicates = config.bootstrap_p == BootstrapP::pooled;
  std::vector<float> replicates_kept;  // n × B, replicate-major (pooled p-values only)
  if (keep_replicates) replicates_kept.reserve(static_cast<std::size_t>(n) * config.bootstrap);
  const int threads = config.threads > 0 ? config.threads : openmp_threads();
  constexpr int kBatch = 32;
  std::vector<Eigen::VectorXd> batch(kBatch);
  int done = 0;
  std::string failure;
  BlasSingleThreaded single_threaded_blas;  // replicates run in parallel; each one's BLAS calls stay serial
  OmnibusConfig replicate_config = omni;
  replicate_config.start = &warm;
  replicate_config.tolerance = kReplicateTolerance;
  Communicator* comm = config.communicator != nullptr && config.communicator->size() > 1 ? config.communicator : nullptr;
  auto mine = [&](int rep) { return comm == nullptr || rep % comm->size() == comm->rank(); };
  for (int first = 0; first < config.bootstrap && failure.empty(); first += kBatch) {
    const int count = std::min(kBatch, config.bootstrap - first);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int r = 0; r < count; ++r) {
      if (config.cancelled && config.cancelled()) continue;
      const int rep = first + r;
      if (!mine(rep)) continue;
      try {
        pcg32 rng = replicate_generator(config.seed, stream, static_cast<std::uint64_t>(rep));
        std::pair<Graph, Graph> drawn;
        if (config.null == NullModel::correlated) drawn = sample_correlated_rdpg(prepared, rho, rng);
        else if (config.null == NullModel::paper) drawn.second = sample_rdpg(prepared, rng);
        else drawn = {sample_rdpg(prepared, rng), sample_rdpg(prepared, rng)};
        const Graph& left = config.null == NullModel::paper ? a : drawn.first;
        batch[r] = block_distances(embed_omnibus({&left, &drawn.second}, replicate_config));
      } catch (const std::exception& e) {
#pragma omp critical(datakernel_test_failure)
        if (failure.empty()) failure = "bootstrap replicate " + std::to_string(rep) + ": " + e.what();
      }
#pragma omp critical(datakernel_test_progress)
      {
        ++done;
        if (config.progress) config.progress(done, config.bootstrap);
      }
    }
    if (comm != nullptr) share_replicates(*comm, first, count, batch, failure);
    if (config.cancelled && config.cancelled()) throw Cancelled("per-datum test cancelled");
    if (!failure.empty()) break;
    if (keep_replicates)
      for (int r = 0; r < count; ++r)
        for (std::int64_t i = 0; i < n; ++i) replicates_kept.push_back(static_cast<float>(batch[r][i]));
    for (int r = 0; r < count; ++r)
      for (std::int64_t i = 0; i < n; ++i) {
        const double square = batch[r][i] * batch[r][i];
        exceed[i] += batch[r][i] >= result.statistic[i];
        sum_square[i] += square;
        sum_fourth[i] += square * square;
      }
  }
  if (!failure.empty()) throw ComputeError("per-datum test: " + failure);

  result.p_value.resize(static_cast<std::size_t>(n));
  const double replicates = config.bootstrap;
  if (keep_replicates && config.bootstrap >= 2) {
    result.p_value = pooled_shape_p_values(result.statistic, replicates_kept, config.bootstrap);
    adjust_and_reject(result);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
    return result;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const double count_p = (1.0 + static_cast<double>(exceed[i])) / (replicates + 1.0);
    result.p_value[i] = count_p;
    if (config.bootstrap_p != BootstrapP::moments || config.bootstrap < 2) continue;
    // T² ≈ g χ²_ν with the replicates' mean and variance of T² (moment matching): g = v/(2m), ν = 2m²/v.
    const double mean = sum_square[i] / replicates;
    const double variance = (sum_fourth[i] - replicates * mean * mean) / (replicates - 1.0);
    if (!(mean > 0.0) || !(variance > 0.0)) continue;  // no spread in the replicates: keep the count p
    const double scale = variance / (2.0 * mean), dof = 2.0 * mean * mean / variance;
    const double observed = result.statistic[i] * result.statistic[i];
    result.p_value[i] = Eigen::numext::igammac(dof / 2.0, observed / (2.0 * scale));
  }
  adjust_and_reject(result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return result;
}

}  // namespace dk
