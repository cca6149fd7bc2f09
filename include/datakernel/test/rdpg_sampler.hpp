// Draws a graph from a (generalized) random dot product graph, A_ij ~ Bernoulli(clip(x_iᵀ S x_j, 0, 1)) for
// i < j, symmetric and hollow, where S = diag(signature) (all +1: the plain RDPG). No n×n matrix is held:
// probabilities are formed in row × column tiles by GEMM, and each pair i < j consumes one 32-bit draw. The result depends only on the latent positions and the generator's state.
#pragma once

#include <cstdint>
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

// Random numbers: PCG32 (pcg-cpp), one draw per pair; its top 24 bits give u in [0, 1), an edge when u < p.
Graph sample_rdpg(const LatentPositions& x, pcg32& rng, std::int64_t tile = 512);

// The generator of replicate `replicate` of stream `stream` under `seed`: its own PCG sequence, so results
// are independent of the thread count and of the order in which replicates run.
pcg32 replicate_generator(std::uint64_t seed, std::uint64_t stream, std::uint64_t replicate);

}  // namespace dk
