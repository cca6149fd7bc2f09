#include "datakernel/inference/multiple_testing.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "datakernel/error.hpp"

namespace dk {

Correction parse_correction(const std::string& name) {
  if (name == "bh") return Correction::bh;
  if (name == "by") return Correction::by;
  if (name == "holm") return Correction::holm;
  if (name == "none") return Correction::none;
  throw InputError("unknown correction '" + name + "' (bh, by, holm or none)");
}

std::string correction_name(Correction correction) {
  switch (correction) {
    case Correction::bh: return "bh";
    case Correction::by: return "by";
    case Correction::holm: return "holm";
    case Correction::none: return "none";
  }
  return "?";
}

std::vector<double> adjust_p_values(const std::vector<double>& p, Correction correction) {
  const std::size_t n = p.size();
  if (correction == Correction::none || n == 0) return p;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(n);
  if (correction == Correction::bh || correction == Correction::by) {
    double harmonic = 1.0;  // BY: c(n) = Σ_{s=1}^{n} 1/s
    if (correction == Correction::by)
      for (std::size_t s = 2; s <= n; ++s) harmonic += 1.0 / static_cast<double>(s);
    double running = 1.0;  // q_(r) = min(1, min_{s >= r} c(n) n p_(s) / s)
    for (std::size_t r = n; r-- > 0;) {
      running = std::min(running, harmonic * p[order[r]] * static_cast<double>(n) / static_cast<double>(r + 1));
      adjusted[order[r]] = running;
    }
  } else {
    double running = 0.0;  // Holm: max_{s <= r} (n - s + 1) p_(s), capped at 1
    for (std::size_t r = 0; r < n; ++r) {
      running = std::max(running, std::min(1.0, p[order[r]] * static_cast<double>(n - r)));
      adjusted[order[r]] = running;
    }
  }
  return adjusted;
}

std::string bootstrap_size_advice(std::int64_t n, int bootstrap, double alpha, Correction correction) {
  const double floor = 1.0 / (bootstrap + 1.0);
  const double nd = static_cast<double>(n);
  if (correction == Correction::none) {
    if (floor > alpha)
      return fmt::format("with {{bootstrap={}}} the smallest attainable p is {:.3g} > alpha = {}: nothing can be "
                         "rejected; use {{bootstrap={}}} or more",
                         bootstrap, floor, alpha, static_cast<long>(std::ceil(1.0 / alpha - 1.0)));
    return "";
  }
  if (correction == Correction::holm) {
    if (floor > alpha / nd)
      return fmt::format("with {{bootstrap={}}} the smallest attainable p is {:.3g}, above alpha/n = {:.3g}: Holm "
                         "can reject nothing; use {{bootstrap={}}} or more (or {{correction=bh}})",
                         bootstrap, floor, alpha / nd, static_cast<long>(std::ceil(nd / alpha - 1.0)));
    return "";
  }
  // BH rejects the r smallest p-values only if p_(r) <= alpha r / n; at best p_(r) = 1/(B+1). BY divides alpha
  // by the harmonic sum 1 + 1/2 + ... + 1/n.
  double harmonic = 1.0;
  if (correction == Correction::by)
    for (std::int64_t s = 2; s <= n; ++s) harmonic += 1.0 / static_cast<double>(s);
  const double needed = std::ceil(harmonic * nd / (alpha * (bootstrap + 1.0)));
  if (needed > nd)
    return fmt::format("with {{bootstrap={}}} the smallest attainable p is {:.3g}: BH at alpha = {} over {} data can "
                       "reject nothing; use {{bootstrap={}}} or more",
                       bootstrap, floor, alpha, n, static_cast<long>(std::ceil(harmonic / alpha - 1.0)));
  if (needed > std::max(1.0, 0.01 * nd))
    return fmt::format("with {{bootstrap={}}} (smallest p {:.3g}) BH at alpha = {} rejects only if at least {} of the "
                       "{} data ({:.1f}%) are at that floor; to detect a signal in 1% of the data use {{bootstrap={}}} "
                       "or more",
                       bootstrap, floor, alpha, static_cast<long>(needed), n, 100.0 * needed / nd,
                       static_cast<long>(std::ceil(100.0 * harmonic / alpha - 1.0)));
  return "";
}

}  // namespace dk
