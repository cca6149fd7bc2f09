// One-sample Kolmogorov–Smirnov test of p-values against Uniform(0, 1): used by the calibration checks
// and reported next to each per-datum test.
#pragma once

#include <vector>

namespace dk {

struct KsResult {
  double statistic = 0.0;  // sup |F_n(x) − x|
  double p_value = 1.0;    // asymptotic Kolmogorov distribution with Stephens' small-sample correction
};

KsResult ks_uniform(std::vector<double> values);

// P(K > x) for the Kolmogorov distribution.
double kolmogorov_survival(double x);

}  // namespace dk
