// Linear CKA from p×p cross products, accumulated over fixed row blocks of the column-centred embeddings:
// O(n p_a p_b) time and O(p_a p_b + block (p_a + p_b)) memory per pair, never an n×n Gram matrix.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "datakernel/error.hpp"
#include "datakernel/population/pair_measures.hpp"
#include "datakernel/runtime/blas.hpp"

namespace dk {
namespace {

constexpr std::int64_t kRowBlock = 1024;  // fixed: the summation order does not depend on the thread count

Eigen::VectorXd column_means(const EmbeddingsView& y) {
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(y.dim);
  for (std::int64_t i = 0; i < y.n; ++i)
    for (std::int64_t c = 0; c < y.dim; ++c) sum[c] += y.at(i, c);
  return sum / static_cast<double>(y.n);
}

// Rows r0 .. r0+rows of y, centred, as a row-major dim × rows matrix (the block transposed).
void centred_block_transposed(const EmbeddingsView& y, const Eigen::VectorXd& mean, std::int64_t r0, std::int64_t rows,
                              std::vector<double>& out) {
  out.resize(static_cast<std::size_t>(y.dim * rows));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < y.dim; ++c) out[c * rows + r] = y.at(r0 + r, c) - mean[c];
}

// ‖Y_aᵀ Y_b‖²_F of the centred embeddings.
double cross_product_squared_norm(const EmbeddingsView& a, const Eigen::VectorXd& mean_a, const EmbeddingsView& b,
                                  const Eigen::VectorXd& mean_b) {
  std::vector<double> block_a, block_b;
  std::vector<double> tile(static_cast<std::size_t>(a.dim * b.dim)), sum(tile.size(), 0.0);
  for (std::int64_t r0 = 0; r0 < a.n; r0 += kRowBlock) {
    const std::int64_t rows = std::min(kRowBlock, a.n - r0);
    centred_block_transposed(a, mean_a, r0, rows, block_a);
    centred_block_transposed(b, mean_b, r0, rows, block_b);
    gemm_abt(block_a.data(), block_b.data(), tile.data(), static_cast<long>(a.dim), static_cast<long>(b.dim),
             static_cast<long>(rows), static_cast<long>(b.dim));
    for (std::size_t e = 0; e < tile.size(); ++e) sum[e] += tile[e];
  }
  double squared = 0.0;
  for (const double v : sum) squared += v * v;
  return squared;
}

double cka_from_norms(double cross_squared, double self_a_squared, double self_b_squared) {
  const double denominator = std::sqrt(self_a_squared) * std::sqrt(self_b_squared);
  return denominator > 0 ? cross_squared / denominator : 0.0;
}

void check_rows(const EmbeddingsView& a, const EmbeddingsView& b) {
  if (a.n != b.n)
    throw InputError("linear CKA needs the same data in both models (" + std::to_string(a.n) + " and " +
                     std::to_string(b.n) + " rows)");
  if (a.n < 2) throw InputError("linear CKA needs at least 2 data");
}

}  // namespace

double linear_cka(const EmbeddingsView& a, const EmbeddingsView& b) {
  check_rows(a, b);
  const Eigen::VectorXd mean_a = column_means(a), mean_b = column_means(b);
  BlasSingleThreaded single_threaded_blas;
  return cka_from_norms(cross_product_squared_norm(a, mean_a, b, mean_b),
                        cross_product_squared_norm(a, mean_a, a, mean_a),
                        cross_product_squared_norm(b, mean_b, b, mean_b));
}

Eigen::MatrixXd linear_cka_distances(const std::vector<EmbeddingsView>& models, int threads) {
  const int m = static_cast<int>(models.size());
  for (int g = 1; g < m; ++g) check_rows(models[0], models[g]);
  std::vector<Eigen::VectorXd> means;
  for (const EmbeddingsView& y : models) means.push_back(column_means(y));
  std::vector<std::pair<int, int>> tasks;  // (g, g) gives ‖Y_gᵀ Y_g‖²_F
  for (int g = 0; g < m; ++g)
    for (int h = g; h < m; ++h) tasks.emplace_back(g, h);
  std::vector<double> squared(tasks.size(), 0.0);
  BlasSingleThreaded single_threaded_blas;
  const int team = threads > 0 ? threads : openmp_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const auto [g, h] = tasks[t];
    squared[t] = cross_product_squared_norm(models[g], means[g], models[h], means[h]);
  }
  Eigen::MatrixXd cross = Eigen::MatrixXd::Zero(m, m);
  for (std::size_t t = 0; t < tasks.size(); ++t) cross(tasks[t].first, tasks[t].second) = squared[t];
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(m, m);
  for (int g = 0; g < m; ++g)
    for (int h = g + 1; h < m; ++h)
      out(g, h) = out(h, g) = 1.0 - cka_from_norms(cross(g, h), cross(g, g), cross(h, h));
  return out;
}

}  // namespace dk
