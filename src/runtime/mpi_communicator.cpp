#include "datakernel/runtime/mpi_communicator.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace dk {

namespace {

constexpr std::size_t kPiece = std::size_t{1} << 30;  // bytes per MPI call (MPI counts are int)

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string("MPI ") + what + ": " + std::string(text, static_cast<std::size_t>(length)));
}

// Every buffer of `sizes` exchanged as pieces of at most kPiece bytes.
int piece(std::size_t remaining) { return static_cast<int>(std::min(remaining, kPiece)); }

}  // namespace

MpiCommunicator::MpiCommunicator(int* argc, char*** argv) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "init");
    owns_mpi_ = true;
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiCommunicator::~MpiCommunicator() {
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (owns_mpi_ && !finalised) MPI_Finalize();
}

void MpiCommunicator::barrier() {
  check(MPI_Barrier(MPI_COMM_WORLD), "barrier");
  ++counts_.messages;
}

void MpiCommunicator::broadcast(Bytes& bytes, int root) {
  std::uint64_t size = bytes.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, root, MPI_COMM_WORLD), "broadcast");
  if (rank_ != root) bytes.resize(size);
  for (std::size_t at = 0; at < size; at += kPiece)
    check(MPI_Bcast(bytes.data() + at, piece(size - at), MPI_BYTE, root, MPI_COMM_WORLD), "broadcast");
  ++counts_.messages;
  if (rank_ == root) counts_.sent += size * static_cast<std::uint64_t>(size_ - 1);
  else counts_.received += size;
}

std::vector<Bytes> MpiCommunicator::allgather(const Bytes& mine) {
  std::vector<Bytes> all(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) {  // one broadcast per rank: simple, and each buffer may exceed 2 GiB
    Bytes& bytes = all[static_cast<std::size_t>(r)];
    if (r == rank_) bytes = mine;
    broadcast(bytes, r);
  }
  return all;
}

std::vector<Bytes> MpiCommunicator::gather(const Bytes& mine, int root) {
  std::vector<Bytes> all;
  if (rank_ != root) {
    send(mine, root);
    return all;
  }
  all.resize(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) all[static_cast<std::size_t>(r)] = r == root ? mine : receive(r);
  return all;
}

void MpiCommunicator::send(const Bytes& bytes, int to) {
  const std::uint64_t size = bytes.size();
  check(MPI_Send(&size, 1, MPI_UINT64_T, to, 0, MPI_COMM_WORLD), "send");
  for (std::size_t at = 0; at < size; at += kPiece)
    check(MPI_Send(bytes.data() + at, piece(size - at), MPI_BYTE, to, 1, MPI_COMM_WORLD), "send");
  ++counts_.messages;
  counts_.sent += size;
}

Bytes MpiCommunicator::receive(int from) {
  std::uint64_t size = 0;
  check(MPI_Recv(&size, 1, MPI_UINT64_T, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "receive");
  Bytes bytes(size);
  for (std::size_t at = 0; at < size; at += kPiece)
    check(MPI_Recv(bytes.data() + at, piece(size - at), MPI_BYTE, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "receive");
  ++counts_.messages;
  counts_.received += size;
  return bytes;
}

void MpiCommunicator::abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

}  // namespace dk
