// The communicator layer and the distributed stages, without MPI: the serial communicator, the model partition,
// the ordered sum (against left-to-right addition, with values where any other order gives other bits), failure
// agreement, and the distributed eigen-solve and bootstrap run on P ranks simulated by threads (an in-process
// communicator with per-pair FIFO mailboxes), compared bit for bit with one process.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/population/pair_measures.hpp"
#include "datakernel/error.hpp"
#include "datakernel/inference/datum_test.hpp"
#include "datakernel/runtime/communicator.hpp"
#include "runtime/ordered_sum.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

// P ranks as threads of this process: send/receive through FIFO mailboxes per (from, to); the collectives are
// built from them, in the same call order on every rank as MPI requires.
struct Mailboxes {
  std::mutex mutex;
  std::condition_variable ready;
  std::map<std::pair<int, int>, std::deque<Bytes>> queues;
};

class ThreadCommunicator final : public Communicator {
 public:
  ThreadCommunicator(Mailboxes& boxes, int rank, int size) : boxes_(boxes), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void barrier() override { allgather({}); }
  void broadcast(Bytes& bytes, int root) override {
    if (rank_ == root) {
      for (int r = 0; r < size_; ++r)
        if (r != root) send(bytes, r);
    } else {
      bytes = receive(root);
    }
  }
  std::vector<Bytes> allgather(const Bytes& mine) override {
    std::vector<Bytes> all(static_cast<std::size_t>(size_));
    for (int r = 0; r < size_; ++r) {
      if (r == rank_) all[r] = mine;
      broadcast(all[r], r);
    }
    return all;
  }
  std::vector<Bytes> gather(const Bytes& mine, int root) override {
    if (rank_ != root) {
      send(mine, root);
      return {};
    }
    std::vector<Bytes> all(static_cast<std::size_t>(size_));
    for (int r = 0; r < size_; ++r) all[r] = r == root ? mine : receive(r);
    return all;
  }
  void send(const Bytes& bytes, int to) override {
    std::lock_guard lock(boxes_.mutex);
    boxes_.queues[{rank_, to}].push_back(bytes);
    counts_.sent += bytes.size();
    boxes_.ready.notify_all();
  }
  Bytes receive(int from) override {
    std::unique_lock lock(boxes_.mutex);
    auto& queue = boxes_.queues[{from, rank_}];
    boxes_.ready.wait(lock, [&] { return !queue.empty(); });
    Bytes bytes = std::move(queue.front());
    queue.pop_front();
    counts_.received += bytes.size();
    return bytes;
  }
  void abort(int) override { std::abort(); }

 private:
  Mailboxes& boxes_;
  int rank_, size_;
};

// Runs body(comm) on `ranks` threads; returns each rank's exception (null when it returned).
std::vector<std::exception_ptr> run_ranks(int ranks, const std::function<void(Communicator&)>& body) {
  Mailboxes boxes;
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(ranks));
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      ThreadCommunicator comm(boxes, r, ranks);
      try {
        body(comm);
      } catch (...) {
        failures[r] = std::current_exception();
      }
    });
  for (std::thread& t : threads) t.join();
  return failures;
}

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0;
}

TEST(SerialCommunicator, OneRankCollectivesReturnItsOwnBuffer) {
  SerialCommunicator comm;
  EXPECT_EQ(comm.rank(), 0);
  EXPECT_EQ(comm.size(), 1);
  const Bytes mine = {std::byte{1}, std::byte{2}};
  EXPECT_EQ(comm.allgather(mine), std::vector<Bytes>{mine});
  EXPECT_EQ(comm.gather(mine, 0), std::vector<Bytes>{mine});
  Bytes copy = mine;
  comm.broadcast(copy, 0);
  EXPECT_EQ(copy, mine);
  EXPECT_THROW(comm.broadcast(copy, 1), std::logic_error);
  EXPECT_THROW(comm.send(mine, 1), std::logic_error);
  EXPECT_THROW(comm.receive(0), std::logic_error);
  EXPECT_EQ(comm.counts().sent + comm.counts().received, 0u);
  EXPECT_NO_THROW(agree_on_failure(comm, nullptr));
  EXPECT_THROW(agree_on_failure(comm, std::make_exception_ptr(InputError("x"))), InputError);
  EXPECT_TRUE(comm.failure_agreed());
}

TEST(ModelPartition, ContiguousBlocksCoverEveryModelOnce) {
  for (int m = 1; m <= 9; ++m)
    for (int p = 1; p <= 6; ++p) {
      const ModelPartition partition{m, p};
      EXPECT_EQ(partition.first(0), 0);
      EXPECT_EQ(partition.end(p - 1), m);
      int smallest = m, largest = 0;
      for (int r = 0; r < p; ++r) {
        if (r > 0) {
          EXPECT_EQ(partition.first(r), partition.end(r - 1));
        }
        const int count = partition.end(r) - partition.first(r);
        smallest = std::min(smallest, count), largest = std::max(largest, count);
      }
      EXPECT_LE(largest - smallest, 1) << "m " << m << " P " << p;
      for (int g = 0; g < m; ++g) {
        const int owner = partition.owner(g);
        EXPECT_LE(partition.first(owner), g);
        EXPECT_LT(g, partition.end(owner));
      }
    }
}

// Contributions whose sum depends on the order: left to right ((0 + 1e16) + 1) − 1e16 + 1 = 1; pairwise
// (1e16 + 1) + (−1e16 + 1) = 0.
const std::vector<double> kOrderSensitive = {1e16, 1.0, -1e16, 1.0};

TEST(OrderedSum, AddsLeftToRightOnAnyNumberOfRanks) {
  const double pairwise = (kOrderSensitive[0] + kOrderSensitive[1]) + (kOrderSensitive[2] + kOrderSensitive[3]);
  ASSERT_NE(pairwise, 1.0);  // a tree reduction (what MPI_Allreduce may do) would not pass this test
  for (int ranks = 1; ranks <= 5; ++ranks) {
    std::vector<double> totals(static_cast<std::size_t>(ranks), -7.0);
    const auto failures = run_ranks(ranks, [&](Communicator& comm) {
      const ModelPartition partition{static_cast<int>(kOrderSensitive.size()), comm.size()};
      std::vector<const double*> local;
      for (int g = partition.first(comm.rank()); g < partition.end(comm.rank()); ++g) local.push_back(&kOrderSensitive[g]);
      double sum = 0.0;
      ordered_model_sum(comm, &sum, 1, local);
      totals[comm.rank()] = sum;
    });
    for (int r = 0; r < ranks; ++r) {
      EXPECT_FALSE(failures[r]);
      EXPECT_EQ(totals[r], 1.0) << "rank " << r << " of " << ranks;
    }
  }
}

TEST(OrderedSum, ShareModelPartsGivesEveryRankEveryPart) {
  for (int ranks = 2; ranks <= 4; ++ranks) {
    const auto failures = run_ranks(ranks, [&](Communicator& comm) {
      const ModelPartition partition{5, comm.size()};
      std::vector<double> all(10, -1.0);
      for (int g = partition.first(comm.rank()); g < partition.end(comm.rank()); ++g)
        all[2 * g] = g, all[2 * g + 1] = 10.0 * g;
      share_model_parts(comm, partition, all.data(), 2);
      for (int g = 0; g < 5; ++g)
        if (all[2 * g] != g || all[2 * g + 1] != 10.0 * g) throw std::runtime_error("part " + std::to_string(g));
    });
    for (const auto& failure : failures) EXPECT_FALSE(failure);
  }
}

TEST(AgreeOnFailure, EveryRankThrowsTheFailingRanksError) {
  const auto failures = run_ranks(3, [&](Communicator& comm) {
    agree_on_failure(comm, nullptr);  // nobody failed: returns everywhere
    std::exception_ptr mine;
    if (comm.rank() == 1) mine = std::make_exception_ptr(InputError("models/b.npy: value 7 is NaN"));
    agree_on_failure(comm, mine);
  });
  for (int r = 0; r < 3; ++r) {
    ASSERT_TRUE(failures[r]) << "rank " << r;
    try {
      std::rethrow_exception(failures[r]);
    } catch (const InputError& e) {
      const std::string text = e.what();
      EXPECT_NE(text.find("models/b.npy: value 7 is NaN"), std::string::npos) << text;
      EXPECT_EQ(text.find("(MPI rank 1)") != std::string::npos, r != 1) << text;
    } catch (...) {
      ADD_FAILURE() << "rank " << r << " threw another kind of exception";
    }
  }
}

std::vector<Graph> random_graphs(int m, std::int64_t n, std::uint64_t seed) {
  std::vector<Graph> graphs;
  for (int g = 0; g < m; ++g) {
    std::vector<double> x(static_cast<std::size_t>(n) * 2);
    for (std::int64_t i = 0; i < n; ++i) {
      x[2 * i] = (i % 2 == 0 ? 0.7 : 0.3) + 0.01 * g;
      x[2 * i + 1] = (i % 2 == 0 ? 0.1 : 0.5);
    }
    graphs.push_back(test::rdpg_graph(x, n, 2, seed + g));
  }
  return graphs;
}

// The distributed eigen-solve gives the serial bits: Lanczos (2 graphs), dense (small), reduced block (3, 5).
TEST(DistributedOmnibus, SameBitsAsOneProcessForAnyNumberOfRanks) {
  const std::vector<std::pair<int, std::int64_t>> cases = {{2, 300}, {2, 120}, {3, 200}, {5, 160}};
  for (const auto& [m, n] : cases) {
    const std::vector<Graph> graphs = random_graphs(m, n, 40 + m);
    std::vector<const Graph*> pointers;
    for (const Graph& g : graphs) pointers.push_back(&g);
    OmnibusConfig config;
    config.seed = 3;
    const OmnibusEmbedding serial = embed_omnibus(pointers, config);
    for (int ranks : {2, 3, 6}) {
      std::vector<OmnibusEmbedding> out(static_cast<std::size_t>(ranks));
      const auto failures = run_ranks(ranks, [&](Communicator& comm) {
        OmnibusConfig mine = config;
        mine.communicator = &comm;
        out[comm.rank()] = embed_omnibus(pointers, mine);
      });
      for (int r = 0; r < ranks; ++r) {
        ASSERT_FALSE(failures[r]);
        EXPECT_EQ(out[r].dim, serial.dim);
        EXPECT_TRUE(same_bits(out[r].eigenvalues, serial.eigenvalues)) << "m " << m << " n " << n << " P " << ranks;
        EXPECT_TRUE(same_bits(out[r].latent, serial.latent)) << "m " << m << " n " << n << " P " << ranks;
      }
    }
  }
}

// The normalised omnibus distance's solve (the reduced block solver with the normalised kernels) split over
// ranks: the serial bits, also when it stops at its restart cap.
TEST(DistributedNormalisedOmnibus, SameBitsAsOneProcessForAnyNumberOfRanks) {
  for (const auto& [m, cycles] : std::vector<std::pair<int, int>>{{2, 300}, {4, 300}, {4, 1}}) {
    const std::vector<Graph> graphs = random_graphs(m, 250, 60 + m);
    std::vector<const Graph*> pointers;
    for (const Graph& g : graphs) pointers.push_back(&g);
    NormalisedOmnibusConfig config;
    config.dim = 6;
    config.seed = 5;
    config.max_cycles = cycles;
    const NormalisedOmnibus serial = normalised_omnibus(pointers, config);
    EXPECT_EQ(serial.converged, cycles > 1);
    for (int ranks : {2, 3}) {
      std::vector<NormalisedOmnibus> out(static_cast<std::size_t>(ranks));
      const auto failures = run_ranks(ranks, [&](Communicator& comm) {
        NormalisedOmnibusConfig mine = config;
        mine.communicator = &comm;
        out[comm.rank()] = normalised_omnibus(pointers, mine);
      });
      for (int r = 0; r < ranks; ++r) {
        ASSERT_FALSE(failures[r]);
        EXPECT_TRUE(same_bits(out[r].eigenvalues, serial.eigenvalues)) << "m " << m << " P " << ranks;
        EXPECT_TRUE(same_bits(out[r].distances, serial.distances)) << "m " << m << " P " << ranks;
        EXPECT_EQ(out[r].converged, serial.converged);
      }
    }
  }
}

// Bootstrap replicates split over ranks: the same p-values, bit for bit.
TEST(DistributedBootstrap, SameBitsAsOneProcess) {
  const std::vector<Graph> graphs = random_graphs(2, 90, 7);
  DatumTestConfig config;
  config.statistic = TestStatistic::omnibus;
  config.null = NullModel::pooled;
  config.bootstrap = 37;  // two batches, the second partial
  config.seed = 5;
  const DatumTestResult serial = test_datum_shift(graphs[0], graphs[1], 2, config, 11);
  for (int ranks : {2, 3}) {
    std::vector<DatumTestResult> out(static_cast<std::size_t>(ranks));
    const auto failures = run_ranks(ranks, [&](Communicator& comm) {
      DatumTestConfig mine = config;
      mine.communicator = &comm;
      out[comm.rank()] = test_datum_shift(graphs[0], graphs[1], 2, mine, 11);
    });
    for (int r = 0; r < ranks; ++r) {
      ASSERT_FALSE(failures[r]);
      EXPECT_EQ(out[r].p_value, serial.p_value) << "P " << ranks << " rank " << r;
      EXPECT_TRUE(same_bits(out[r].statistic, serial.statistic));
    }
  }
}

}  // namespace
}  // namespace dk
