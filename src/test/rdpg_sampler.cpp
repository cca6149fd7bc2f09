#include "datakernel/test/rdpg_sampler.hpp"

#include <algorithm>

#include "datakernel/kernel/graph_builder.hpp"
#include "datakernel/runtime/blas.hpp"

namespace dk {

LatentPositions latent_positions(const Eigen::MatrixXd& x, const Eigen::VectorXd& eigenvalues) {
  LatentPositions out;
  out.n = x.rows();
  out.dim = static_cast<int>(x.cols());
  out.rows.resize(static_cast<std::size_t>(out.n) * out.dim);
  for (std::int64_t i = 0; i < out.n; ++i)
    for (int c = 0; c < out.dim; ++c) out.rows[i * out.dim + c] = static_cast<float>(x(i, c));
  for (int c = 0; c < out.dim; ++c) out.signature.push_back(c < eigenvalues.size() && eigenvalues[c] < 0 ? -1.0f : 1.0f);
  return out;
}

pcg32 replicate_generator(std::uint64_t seed, std::uint64_t stream, std::uint64_t replicate) {
  // SplitMix64 finaliser spreads the user's seed over the state; the sequence selects the stream.
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return pcg32(z, (stream << 32) ^ replicate);
}

Graph sample_rdpg(const LatentPositions& x, pcg32& rng, std::int64_t tile) {
  const std::int64_t n = x.n;
  const int d = x.dim;
  std::vector<float> signed_rows = x.rows;  // x_j S, so that the tile is x_i S x_jᵀ
  for (std::int64_t j = 0; j < n; ++j)
    for (int c = 0; c < d; ++c) signed_rows[j * d + c] *= x.signature[c];
  std::vector<std::pair<std::int32_t, std::int32_t>> upper;
  std::vector<float> probabilities(static_cast<std::size_t>(tile * tile));
  for (std::int64_t r0 = 0; r0 < n; r0 += tile) {
    const std::int64_t rows = std::min(tile, n - r0);
    for (std::int64_t c0 = r0; c0 < n; c0 += tile) {  // upper triangle of tiles
      const std::int64_t cols = std::min(tile, n - c0);
      gemm_abt(x.rows.data() + r0 * d, signed_rows.data() + c0 * d, probabilities.data(), rows, cols, d, cols);
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t i = r0 + r;
        const float* p = probabilities.data() + r * cols;
        const std::int64_t first = std::max<std::int64_t>(0, i + 1 - c0);
        // Branch-free: one draw per pair, u uniform on [0, 1) in steps of 2⁻²⁴; u < p needs no clipping
        // (p <= 0 never, p >= 1 always). The edge is written always and kept when accepted.
        std::size_t size = upper.size();
        upper.resize(size + static_cast<std::size_t>(cols - first));
        for (std::int64_t c = first; c < cols; ++c) {
          const float u = static_cast<float>(rng() >> 8) * 0x1p-24f;
          upper[size] = {static_cast<std::int32_t>(i), static_cast<std::int32_t>(c0 + c)};
          size += u < p[c];
        }
        upper.resize(size);
      }
    }
  }
  return graph_from_upper_triangle(n, upper);
}

}  // namespace dk
