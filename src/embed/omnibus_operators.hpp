// The omnibus matrix Ω (blocks Ω_gh = (K_g + K_h)/2 of the m graphs' kernels) as block operators for the block
// eigen-solver. The kernel K_g of a graph (GraphKernel, omnibus.hpp) is its diagonally augmented adjacency
// Ã_g = A_g + diag(deg / (n − 1)) (the data kernel), or its degree-normalised form N_g = D^-½ (A_g + I) D^-½ with
// D = diag(deg + 1) (the normalised omnibus distance); written Ã below. Two forms:
//
//  * explicit: vectors of length m·n, G = I, M = Ω, applied as (ΩX)_g = ½ Ã_g S + ½ T with S = Σ_h X_h and
//    T = Σ_h Ã_h X_h (2m sparse products per block);
//  * reduced (rank 2n): Ω = ½ W J Wᵀ with W = [Ã_1 I; …; Ã_m I] (mn × 2n) and J = [0 I; I 0]. Its nonzero
//    eigenpairs are those of M = ½ J G on coefficient vectors v = (a, b) of length 2n, G = WᵀW =
//    [Σ Ã_g², Σ Ã_g; Σ Ã_g, m I]: if M v = θ v then Ω (W v) = θ W v, and G-orthonormal v give orthonormal
//    W v, (W v)_g = Ã_g a + b. G v costs 2m sparse products (P_g = Ã_g a; Σ Ã_g (P_g + b), Σ P_g); the
//    solver's dense work and memory are on 2n rows, whatever m.
#pragma once

#include <vector>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/embeddings.hpp"
#include "datakernel/runtime/communicator.hpp"
#include "embed/block_operator.hpp"

namespace dk {

// y = K x (or y += K x) for a block x (n × b) and the graph's kernel K; rows in parallel, each row's sum in a
// fixed order (the same bytes for any thread count).
void kernel_block_product(const Graph& graph, GraphKernel kernel, const ConstBlockView& x, BlockView y,
                          bool accumulate);

class ExplicitOmnibusOperator final : public BlockOperator {
 public:
  explicit ExplicitOmnibusOperator(std::vector<const Graph*> graphs, GraphKernel kernel = GraphKernel::augmented)
      : graphs_(std::move(graphs)), kernel_(kernel) {}
  Eigen::Index rows() const override;
  void apply(const ConstBlockView& x, BlockView gram, BlockView image) const override;

 private:
  std::vector<const Graph*> graphs_;
  GraphKernel kernel_;
};

// With a communicator of P > 1 ranks, apply() computes the products of this rank's graphs (ModelPartition) and
// adds the sums over graphs in graph order along the ranks (runtime/ordered_sum.hpp): the same bits as one
// process, 2·n·b doubles passed per rank and application.
class ReducedOmnibusOperator final : public BlockOperator {
 public:
  explicit ReducedOmnibusOperator(std::vector<const Graph*> graphs, Communicator* communicator = nullptr,
                                  GraphKernel kernel = GraphKernel::augmented)
      : graphs_(std::move(graphs)), communicator_(communicator), kernel_(kernel) {}
  Eigen::Index rows() const override;  // 2n
  void apply(const ConstBlockView& x, BlockView gram, BlockView image) const override;
  // The m·n × c vectors W v of coefficient vectors v (2n × c).
  Block expand(const ConstBlockView& coefficients) const;
  // Coefficients whose expansion is Ω u for a vector u of length m·n: ½ J Wᵀ u (a warm start).
  Block coefficients_of_image(const Eigen::VectorXd& u) const;

 private:
  void apply_distributed(const ConstBlockView& x, BlockView gram, BlockView image) const;
  std::vector<const Graph*> graphs_;
  Communicator* communicator_;
  GraphKernel kernel_;
};

}  // namespace dk
