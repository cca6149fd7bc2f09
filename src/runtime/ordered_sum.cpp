#include "runtime/ordered_sum.hpp"

#include <cstring>
#include <stdexcept>

namespace dk {

namespace {

Bytes to_bytes(const double* values, std::size_t length) {
  Bytes bytes(length * sizeof(double));
  if (length > 0) std::memcpy(bytes.data(), values, bytes.size());
  return bytes;
}

void from_bytes(const Bytes& bytes, double* values, std::size_t length) {
  if (bytes.size() != length * sizeof(double)) throw std::logic_error("ordered sum: message of unexpected size");
  if (length > 0) std::memcpy(values, bytes.data(), bytes.size());
}

}  // namespace

void ordered_model_sum(Communicator& comm, double* sum, std::size_t length, const std::vector<const double*>& local) {
  const int rank = comm.rank(), ranks = comm.size();
  if (rank > 0) from_bytes(comm.receive(rank - 1), sum, length);  // the sum over the models of ranks 0 .. rank−1
  for (const double* contribution : local)
    for (std::size_t i = 0; i < length; ++i) sum[i] += contribution[i];
  if (ranks == 1) return;
  if (rank + 1 < ranks) comm.send(to_bytes(sum, length), rank + 1);
  Bytes total = rank == ranks - 1 ? to_bytes(sum, length) : Bytes{};
  comm.broadcast(total, ranks - 1);
  from_bytes(total, sum, length);
}

void share_model_parts(Communicator& comm, const ModelPartition& partition, double* all, std::size_t part_length) {
  if (comm.size() == 1) return;
  const int rank = comm.rank();
  const std::size_t first = static_cast<std::size_t>(partition.first(rank)) * part_length;
  const std::size_t end = static_cast<std::size_t>(partition.end(rank)) * part_length;
  const std::vector<Bytes> parts = comm.allgather(to_bytes(all + first, end - first));
  for (int r = 0; r < comm.size(); ++r) {
    const std::size_t from = static_cast<std::size_t>(partition.first(r)) * part_length;
    const std::size_t to = static_cast<std::size_t>(partition.end(r)) * part_length;
    from_bytes(parts[static_cast<std::size_t>(r)], all + from, to - from);
  }
}

}  // namespace dk
