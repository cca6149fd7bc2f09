// Draws graphs from a (generalized) random dot product graph, A_ij ~ Bernoulli(clip(x_iᵀ S x_j, 0, 1)) for
// i < j, symmetric and hollow, where S = diag(signature) (all +1: the plain RDPG). Results depend only on the
// latent positions and the generator's state.
//
// sample_rdpg does no O(n²) work when the graph is sparse: by Cauchy–Schwarz |x_iᵀ S x_j| ≤ w_i w_j with
// w_i = ‖x_i‖, so pairs are proposed from the rank-one (Chung–Lu) bound min(1, w_i w_j) by the skipping method
// of Miller & Hagberg (2011, "Efficient generation of networks with given expected degrees"), which visits only
// the proposed pairs, and each proposal is kept with probability clip(x_iᵀ S x_j) / bound (thinning), so every
// pair is an edge with exactly its probability. Cost O(n log n + proposals · d), expected proposals
// Σ_{i<j} min(1, w_i w_j) ≤ (Σ_i w_i)² / 2: for latent positions in K well-separated directions about K times
// the expected edges (measured on kNN graphs of text embeddings: ~17, bench/results/rdpg_sampler.txt).
// sample_rdpg_dense draws every pair (probabilities by GEMM in tiles, one draw per pair, O(n² d) but ~10x
// cheaper per pair); prepare_rdpg picks it when its expected work is smaller (small n), by a measured cost model.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <pcg_random.hpp>

#include <Eigen/Core>

#include "datakernel/embeddings.hpp"

namespace dk {

struct LatentPositions {
  std::int64_t n = 0;
  int dim = 0;
  std::vector<float> rows;       // n × dim, row-major
  std::vector<float> signature;  // dim entries, +1 or −1
};

LatentPositions latent_positions(const Eigen::MatrixXd& x, const Eigen::VectorXd& eigenvalues);

// Latent positions prepared for sampling: rows in decreasing norm, the expected proposals, and the sampler the
// cost model picks. Made once per null model and shared (read-only) by all replicates; refers to `x`, which
// must outlive it.
struct RdpgPrepared {
  std::int64_t n = 0;
  int dim = 0;
  std::vector<std::int64_t> order;       // position (decreasing norm) → datum
  std::vector<double> weight;            // ‖x‖ in that order (with a margin above float rounding)
  std::vector<float> rows, signed_rows;  // x and x S in that order, n × dim
  double expected_proposals = 0.0;       // Σ_{i<j} min(1, w_i w_j): the thinned sampler's work (it examines
                                         // up to ~11% more pairs: its bound is lowered in 10% steps)
  bool use_dense = false;                // the dense sampler is expected to be cheaper
  const LatentPositions* latent = nullptr;
};
RdpgPrepared prepare_rdpg(const LatentPositions& x);

// Random numbers: PCG32 (pcg-cpp). `scale` in [0, 1] multiplies every probability (used by the correlated
// null). `proposals`, when given, forces the thinned sampler and receives the number of pairs it examined.
Graph sample_rdpg(const RdpgPrepared& prepared, pcg32& rng, double scale = 1.0, std::int64_t* proposals = nullptr);
Graph sample_rdpg(const LatentPositions& x, pcg32& rng, double scale = 1.0);
// Expected edges Σ_{i<j} x_iᵀ S x_j (unclipped), O(n d).
double rdpg_expected_edges(const LatentPositions& x);

// One draw per pair; its top 24 bits give u in [0, 1), an edge when u < p.
Graph sample_rdpg_dense(const LatentPositions& x, pcg32& rng, std::int64_t tile = 512);

// A pair of ρ-correlated graphs with the same marginal probabilities p_ij = clip(x_iᵀ S x_j, 0, 1):
// corr(A_ij, B_ij) = ρ for every pair, pairs independent (the ρ-correlated Bernoulli model). B keeps each edge
// of A with probability p + ρ(1 − p) and adds each non-edge of A with probability (1 − ρ) p. Always thinned.
std::pair<Graph, Graph> sample_correlated_rdpg(const RdpgPrepared& prepared, double rho, pcg32& rng);
std::pair<Graph, Graph> sample_correlated_rdpg(const LatentPositions& x, double rho, pcg32& rng);

// Method-of-moments edge correlation of two observed graphs under a common probability matrix P = X S Xᵀ:
// shared edges = Σ_{i<j} p² + ρ Σ_{i<j} p (1 − p), with the sums over i < j in O(n d²) (unclipped p).
// Clamped to [0, 1].
double estimate_edge_correlation(const Graph& a, const Graph& b, const LatentPositions& x);

// The generator of replicate `replicate` of stream `stream` under `seed`: its own PCG sequence, so results
// are independent of the thread count and of the order in which replicates run.
pcg32 replicate_generator(std::uint64_t seed, std::uint64_t stream, std::uint64_t replicate);

}  // namespace dk
