// The reduction behind the distributed eigen-solve, measured three ways under mpirun: the sum over m models of
// per-model blocks of `length` doubles (one application of the reduced omnibus operator to b vectors reduces
// 2·n·b doubles), each rank owning a contiguous block of models (ModelPartition).
//   chain     ordered_model_sum: the running sum passes rank to rank in model order, the last rank broadcasts
//             (what datakernel uses: the same bits as one process for any P)
//   gather    share_model_parts: every model's block to every rank, then each rank adds them in model order
//             (also the same bits; P times the data moved)
//   allreduce MPI_Allreduce(MPI_SUM) of each rank's partial sum (the usual choice; its order of additions
//             depends on P and the MPI library, so the bits can differ from one process)
// Prints, per method, the median wall seconds of REPEATS calls (rank 0's clock, after a barrier) and whether the
// result has the same bits as the models added one after the other on one process.
// Usage: mpirun -np P mpi_reduction_bench N B MODELS [REPEATS]   (length = 2·N·B doubles)
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <pcg_random.hpp>

#include "datakernel/runtime/mpi_communicator.hpp"
#include "runtime/ordered_sum.hpp"

namespace {

// Model g's block: values of very different magnitudes, so that the order of additions shows in the bits.
std::vector<double> model_block(int g, std::size_t length) {
  pcg32 rng(1234, static_cast<std::uint64_t>(g));
  std::vector<double> block(length);
  for (double& v : block) v = (static_cast<double>(rng()) / 4294967296.0 - 0.5) * std::ldexp(1.0, static_cast<int>(rng() % 40) - 20);
  return block;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  dk::MpiCommunicator comm(&argc, &argv);
  if (argc < 4) {
    if (comm.rank() == 0) std::fprintf(stderr, "usage: mpirun -np P %s N B MODELS [REPEATS]\n", argv[0]);
    return 2;
  }
  const std::size_t n = std::strtoull(argv[1], nullptr, 10), b = std::strtoull(argv[2], nullptr, 10);
  const int models = std::atoi(argv[3]);
  const int repeats = argc > 4 ? std::atoi(argv[4]) : 9;
  const std::size_t length = 2 * n * b;
  const dk::ModelPartition partition{models, comm.size()};

  std::vector<std::vector<double>> blocks(static_cast<std::size_t>(models));
  for (int g = 0; g < models; ++g)
    if (partition.owner(g) == comm.rank()) blocks[static_cast<std::size_t>(g)] = model_block(g, length);

  // The reference: one process adding every model in order.
  std::vector<double> serial(length, 0.0);
  for (int g = 0; g < models; ++g) {
    const std::vector<double> block = model_block(g, length);
    for (std::size_t i = 0; i < length; ++i) serial[i] += block[i];
  }

  auto timed = [&](auto&& run) {
    std::vector<double> seconds;
    std::vector<double> result;
    for (int r = 0; r < repeats; ++r) {
      comm.barrier();
      const auto start = std::chrono::steady_clock::now();
      result = run();
      comm.barrier();
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const bool same = std::memcmp(result.data(), serial.data(), length * sizeof(double)) == 0;
    int same_everywhere = same ? 1 : 0, all = 0;
    MPI_Allreduce(&same_everywhere, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return std::make_pair(median(seconds), all == 1);
  };

  const auto chain = timed([&] {
    std::vector<double> sum(length, 0.0);
    std::vector<const double*> local;
    for (int g = partition.first(comm.rank()); g < partition.end(comm.rank()); ++g)
      local.push_back(blocks[static_cast<std::size_t>(g)].data());
    dk::ordered_model_sum(comm, sum.data(), length, local);
    return sum;
  });
  const auto gather = timed([&] {
    std::vector<double> all(length * static_cast<std::size_t>(models), 0.0);
    for (int g = partition.first(comm.rank()); g < partition.end(comm.rank()); ++g)
      std::copy(blocks[static_cast<std::size_t>(g)].begin(), blocks[static_cast<std::size_t>(g)].end(),
                all.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(g) * length));
    dk::share_model_parts(comm, partition, all.data(), length);
    std::vector<double> sum(length, 0.0);
    for (int g = 0; g < models; ++g)
      for (std::size_t i = 0; i < length; ++i) sum[i] += all[static_cast<std::size_t>(g) * length + i];
    return sum;
  });
  const auto allreduce = timed([&] {
    std::vector<double> partial(length, 0.0), sum(length, 0.0);
    for (int g = partition.first(comm.rank()); g < partition.end(comm.rank()); ++g)
      for (std::size_t i = 0; i < length; ++i) partial[i] += blocks[static_cast<std::size_t>(g)][i];
    MPI_Allreduce(partial.data(), sum.data(), static_cast<int>(length), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    return sum;
  });

  if (comm.rank() == 0) {
    const double megabytes = static_cast<double>(length * sizeof(double)) / 1e6;
    for (const auto& [name, result] : {std::make_pair("chain", chain), std::make_pair("gather", gather),
                                       std::make_pair("allreduce", allreduce)})
      std::printf("P %d  n %zu  b %zu  models %d  block %.2f MB  %-9s  median %.5f s  same bits as one process: %s\n",
                  comm.size(), n, b, models, megabytes, name, result.first, result.second ? "yes" : "no");
  }
  return 0;
}
