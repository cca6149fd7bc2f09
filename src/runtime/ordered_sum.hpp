// Sums over models that come out with the same bits whatever the number of ranks. Floating-point addition is not
// associative, so MPI_Allreduce (whose order depends on the number of ranks and the library) is not used: the
// partial sum travels along the ranks in model order instead (a chain), each rank adding its own models'
// contributions, exactly as one process adds them in a loop; the last rank then broadcasts the total.
// Per call: P − 1 messages of `length` doubles along the chain, then one broadcast of the same size.
#pragma once

#include <cstddef>
#include <vector>

#include "datakernel/runtime/communicator.hpp"

namespace dk {

// On entry `sum` (length doubles) holds the starting value, the same on every rank, and `local` the
// contributions of the models this rank owns (partition.first(rank) .. end(rank), in model order). On return
// every rank's `sum` is ((start + c_0) + c_1) + … + c_{m−1}, added element by element, left to right.
void ordered_model_sum(Communicator& comm, double* sum, std::size_t length, const std::vector<const double*>& local);

// `all` holds m parts of `part_length` doubles, model after model; each rank has filled its own models' parts.
// On return every rank holds every part (an allgather of contiguous blocks).
void share_model_parts(Communicator& comm, const ModelPartition& partition, double* all, std::size_t part_length);

}  // namespace dk
