#include "datakernel/runtime/communicator.hpp"

#include <stdexcept>

#include "datakernel/error.hpp"
#include "runtime/byte_buffer.hpp"

namespace dk {

void SerialCommunicator::broadcast(Bytes&, int root) {
  if (root != 0) throw std::logic_error("serial communicator: broadcast from rank " + std::to_string(root));
}

std::vector<Bytes> SerialCommunicator::allgather(const Bytes& mine) { return {mine}; }

std::vector<Bytes> SerialCommunicator::gather(const Bytes& mine, int root) {
  if (root != 0) throw std::logic_error("serial communicator: gather to rank " + std::to_string(root));
  return {mine};
}

void SerialCommunicator::send(const Bytes&, int to) {
  throw std::logic_error("serial communicator: send to rank " + std::to_string(to) + " (there is only rank 0)");
}

Bytes SerialCommunicator::receive(int from) {
  throw std::logic_error("serial communicator: receive from rank " + std::to_string(from) + " (there is only rank 0)");
}

Communicator& serial_communicator() {
  static SerialCommunicator serial;
  return serial;
}

namespace {

enum class FailureKind : std::uint8_t { none, input, compute, resource, cancelled };

FailureKind kind_of(std::exception_ptr failure, std::string& message) {
  try {
    std::rethrow_exception(failure);
  } catch (const InputError& e) {
    message = e.what();
    return FailureKind::input;
  } catch (const ResourceError& e) {
    message = e.what();
    return FailureKind::resource;
  } catch (const ComputeError& e) {
    message = e.what();
    return FailureKind::compute;
  } catch (const Cancelled& e) {
    message = e.what();
    return FailureKind::cancelled;
  } catch (const std::bad_alloc&) {
    message = "out of memory";
    return FailureKind::resource;
  } catch (const std::exception& e) {
    message = e.what();
    return FailureKind::compute;
  } catch (...) {
    message = "unknown failure";
    return FailureKind::compute;
  }
}

}  // namespace

void agree_on_failure(Communicator& comm, std::exception_ptr failure) {
  if (comm.size() == 1) {
    if (failure) {
      comm.mark_failure_agreed();
      std::rethrow_exception(failure);
    }
    return;
  }
  ByteWriter writer;
  std::string message;
  const FailureKind kind = failure ? kind_of(failure, message) : FailureKind::none;
  writer.put(kind);
  writer.put_string(message);
  const std::vector<Bytes> all = comm.allgather(writer.bytes());
  for (std::size_t r = 0; r < all.size(); ++r) {
    ByteReader reader(all[r]);
    const auto remote = reader.get<FailureKind>();
    if (remote == FailureKind::none) continue;
    comm.mark_failure_agreed();
    if (failure) std::rethrow_exception(failure);
    const std::string text = reader.get_string() + " (MPI rank " + std::to_string(r) + ")";
    switch (remote) {
      case FailureKind::input: throw InputError(text);
      case FailureKind::resource: throw ResourceError(text);
      case FailureKind::cancelled: throw Cancelled(text);
      default: throw ComputeError(text);
    }
  }
}

int ModelPartition::first(int rank) const {
  return static_cast<int>(static_cast<std::int64_t>(rank) * models / ranks);
}

int ModelPartition::end(int rank) const { return first(rank + 1); }

int ModelPartition::owner(int model) const {
  int rank = 0;
  while (rank + 1 < ranks && end(rank) <= model) ++rank;
  return rank;
}

}  // namespace dk
