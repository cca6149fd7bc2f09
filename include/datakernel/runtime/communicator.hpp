// The processes of one run (MPI ranks, or just this process) and the few collective operations a distributed
// comparison needs: byte buffers passed between ranks, and agreement on failure. run_compare takes one; the
// serial implementation (one rank) is always built, the MPI one (mpi_communicator.hpp) only with the CMake option
// DATAKERNEL_MPI. Every operation is collective over all ranks unless it says otherwise, and moves bytes only:
// no arithmetic happens in the communication layer, so results never depend on how a library reduces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace dk {

using Bytes = std::vector<std::byte>;

// Bytes this rank sent and received, by purpose (counted by every implementation; zero for one rank).
struct CommunicationCounts {
  std::uint64_t sent = 0, received = 0;
  std::uint64_t messages = 0;  // point-to-point messages and collective calls this rank took part in
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void barrier() = 0;
  // `bytes` of rank `root` to every rank (resized on the others).
  virtual void broadcast(Bytes& bytes, int root) = 0;
  // Every rank's buffer (any sizes) on every rank, in rank order.
  virtual std::vector<Bytes> allgather(const Bytes& mine) = 0;
  // Every rank's buffer on `root`, in rank order; an empty list on the other ranks.
  virtual std::vector<Bytes> gather(const Bytes& mine, int root) = 0;
  // Point to point (not collective): a buffer to rank `to`, and the next buffer from rank `from`.
  virtual void send(const Bytes& bytes, int to) = 0;
  virtual Bytes receive(int from) = 0;
  // Ends every rank of the run at once with `code` (for failures the ranks could not agree on). Serial: nothing.
  virtual void abort(int code) = 0;

  const CommunicationCounts& counts() const { return counts_; }
  // True once agree_on_failure (below) has thrown on this rank: every rank knows of the failure and exits
  // cleanly. A failure seen without it (inside a collective stage) needs abort().
  bool failure_agreed() const { return failure_agreed_; }
  void mark_failure_agreed() { failure_agreed_ = true; }

 protected:
  CommunicationCounts counts_;
  bool failure_agreed_ = false;
};

// One process: rank 0 of 1. Collectives return the caller's own buffer; send/receive to itself are refused.
class SerialCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void barrier() override {}
  void broadcast(Bytes& bytes, int root) override;
  std::vector<Bytes> allgather(const Bytes& mine) override;
  std::vector<Bytes> gather(const Bytes& mine, int root) override;
  void send(const Bytes& bytes, int to) override;
  Bytes receive(int from) override;
  void abort(int) override {}
};

// The shared serial communicator (for callers that pass none).
Communicator& serial_communicator();

// Stage boundary: every rank says whether its part failed (`failure`, null if not). When none did, returns.
// Otherwise every rank throws: the rank that failed rethrows its own exception; the others throw an exception of
// the same kind (InputError, ComputeError, ResourceError, Cancelled; anything else becomes ComputeError) whose
// message is the first failing rank's, followed by " (MPI rank R)". Marks the communicator's failure as agreed.
void agree_on_failure(Communicator& comm, std::exception_ptr failure);

// Which models each rank works on: contiguous blocks in model order, rank r has models
// [r·m/P, (r+1)·m/P) (some ranks have none when P > m).
struct ModelPartition {
  int models = 0, ranks = 1;
  int first(int rank) const;  // first model of `rank`
  int end(int rank) const;    // one past its last model
  int owner(int model) const;
};

}  // namespace dk
