// The MPI implementation of Communicator (communicator.hpp) over MPI_COMM_WORLD. Built only with the CMake option
// DATAKERNEL_MPI (then DATAKERNEL_WITH_MPI is defined for code linking the library); this header does not include
// <mpi.h>. Buffers move as MPI_BYTE in pieces of at most 1 GiB (MPI counts are int).
#pragma once

#include "datakernel/runtime/communicator.hpp"

namespace dk {

class MpiCommunicator final : public Communicator {
 public:
  // Initialises MPI (MPI_Init_thread, funneled: only the main thread calls MPI) unless it already is; the
  // destructor finalises it when this object initialised it.
  MpiCommunicator(int* argc, char*** argv);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void barrier() override;
  void broadcast(Bytes& bytes, int root) override;
  std::vector<Bytes> allgather(const Bytes& mine) override;
  std::vector<Bytes> gather(const Bytes& mine, int root) override;
  void send(const Bytes& bytes, int to) override;
  Bytes receive(int from) override;
  void abort(int code) override;

 private:
  int rank_ = 0, size_ = 1;
  bool owns_mpi_ = false;
};

}  // namespace dk
