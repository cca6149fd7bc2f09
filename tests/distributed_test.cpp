// The communicator layer and the distributed stages, without MPI: the serial communicator, the model partition,
// the ordered sum (against left-to-right addition, with values where any other order gives other bits), failure
// agreement, the reading stage (each rank opens only its own models' files), and the distributed eigen-solve and
// bootstrap run on P ranks simulated by threads (an in-process communicator with per-pair FIFO mailboxes), compared
// bit for bit with one process.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "datakernel/embed/omnibus.hpp"
#include "datakernel/population/pair_measures.hpp"
#include "datakernel/error.hpp"
#include "datakernel/inference/datum_test.hpp"
#include "datakernel/io/model_input.hpp"
#include "datakernel/prepare_input.hpp"
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

// The reading stage on P ranks (load_compare_input with a communicator). Files of three formats: model 0 a .npy,
// models 1 and 2 .csv; with P = 2, rank 0 has model 0 and rank 1 models 1 and 2 (ModelPartition).
struct ReadingCase {
  test::TempDir dir;
  std::vector<Embeddings> values;
  InputFiles files;
  explicit ReadingCase(std::int64_t n = 40, std::int64_t dim = 6) {
    for (std::uint64_t g = 0; g < 3; ++g) values.push_back(test::random_embeddings(n, dim, 70 + g));
    files.models = {dir.file("m0.npy"), dir.file("m1.csv"), dir.file("m2.csv")};
    test::write_bytes(files.models[0],
                      test::npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(n) + ", " +
                                          std::to_string(dim) + "), }",
                                      test::raw_bytes(values[0].values)));
    for (int g = 1; g < 3; ++g) write_csv(g);
  }
  // Model g as CSV; `replace(row, column)` may give another field's text.
  void write_csv(int g, const std::function<std::string(std::int64_t, std::int64_t)>& replace = nullptr) {
    std::string text;
    const Embeddings& e = values[static_cast<std::size_t>(g)];
    for (std::int64_t i = 0; i < e.n; ++i)
      for (std::int64_t c = 0; c < e.dim; ++c) {
        const std::string other = replace ? replace(i, c) : std::string();
        text += other.empty() ? fmt::format("{:.9g}", e.row(i)[c]) : other;
        text += c + 1 < e.dim ? ',' : '\n';
      }
    test::write_bytes(files.models[static_cast<std::size_t>(g)], text);
  }
  // load_compare_input on `ranks` thread ranks: each rank's prepared input, or its failure.
  std::vector<PreparedInput> load(int ranks, const CompareConfig& config, std::vector<std::exception_ptr>& failures) {
    std::vector<PreparedInput> out(static_cast<std::size_t>(ranks));
    failures = run_ranks(ranks, [&](Communicator& comm) { out[comm.rank()] = load_compare_input(files, config, nullptr, &comm); });
    return out;
  }
};

bool same_values(const EmbeddingsView& a, const Embeddings& b) {
  if (a.n != b.n || a.dim != b.dim || a.f32 == nullptr) return false;
  return std::memcmp(a.f32, b.values.data(), b.values.size() * sizeof(float)) == 0;
}

TEST(DistributedReading, EachRankHoldsOnlyItsOwnModelsValues) {
  ReadingCase input;
  CompareConfig config;
  const PreparedInput serial = load_compare_input(input.files, config);
  std::vector<std::exception_ptr> failures;
  const std::vector<PreparedInput> ranks = input.load(2, config, failures);
  for (int r = 0; r < 2; ++r) {
    ASSERT_FALSE(failures[r]) << "rank " << r;
    const auto& models = ranks[r].input.models;
    ASSERT_EQ(models.size(), 3u);
    for (int g = 0; g < 3; ++g) {
      const bool own = (g == 0) == (r == 0);
      EXPECT_EQ(models[g].has_values(), own) << "rank " << r << " model " << g;
      EXPECT_EQ(models[g].elsewhere.has_value(), !own) << "rank " << r << " model " << g;
      EXPECT_TRUE(models[g].has_embeddings());
      EXPECT_EQ(models[g].rows(), 40);
      EXPECT_EQ(models[g].dim(), 6);
      if (own) {
        EXPECT_TRUE(same_values(models[g].use().view(), input.values[g]));
      } else {
        EXPECT_EQ(models[g].elsewhere->owner, g == 0 ? 0 : 1);
        EXPECT_THROW(models[g].view(), std::logic_error);
        const ModelInput here = read_model_here(models[g]);  // what a later stage reads on this rank
        EXPECT_TRUE(same_values(here.use().view(), input.values[g])) << "rank " << r << " model " << g;
      }
    }
    // Rank 0 says the notes of every model (the .csv header decisions), as one process does.
    EXPECT_EQ(ranks[r].notes, serial.notes);
  }
}

// A file with a valid start but a bad field further on, owned by rank 1: only rank 1 reads it, so rank 0 fails
// with rank 1's message and its rank. (A rank that read every file would fail with its own message, no rank.)
TEST(DistributedReading, AFilesErrorIsRaisedByItsOwner) {
  ReadingCase input;
  input.write_csv(2, [](std::int64_t i, std::int64_t c) { return i == 29 && c == 2 ? std::string("abc") : std::string(); });
  std::vector<std::exception_ptr> failures;
  input.load(2, CompareConfig{}, failures);
  std::string owner_message;
  for (int r : {1, 0}) {
    ASSERT_TRUE(failures[r]) << "rank " << r;
    try {
      std::rethrow_exception(failures[r]);
    } catch (const InputError& e) {
      const std::string text = e.what();
      EXPECT_NE(text.find("m2.csv: line 30, field 3: 'abc' is not a number"), std::string::npos) << text;
      if (r == 1) owner_message = text;
      if (r == 0) {
        EXPECT_EQ(text, owner_message + " (MPI rank 1)");
      }
    } catch (...) {
      ADD_FAILURE() << "rank " << r << " threw another kind of exception";
    }
  }
}

// --drop-invalid: every rank drops the rows any model has NaN in, whichever rank read that model; a model read
// elsewhere loses them when read here.
TEST(DistributedReading, DropInvalidDropsEveryRanksRows) {
  ReadingCase input;
  input.values[0].row(3)[1] = std::numeric_limits<float>::quiet_NaN();  // model 0 (rank 0)
  test::write_bytes(input.files.models[0],
                    test::npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (40, 6), }",
                                    test::raw_bytes(input.values[0].values)));
  input.write_csv(2, [](std::int64_t i, std::int64_t c) { return i == 17 && c == 0 ? std::string("nan") : std::string(); });
  CompareConfig config;
  config.input.drop_invalid = true;
  const PreparedInput serial = load_compare_input(input.files, config);
  ASSERT_EQ(serial.input.dropped, (std::vector<std::string>{"3", "17"}));
  for (int ranks : {2, 3}) {
    std::vector<std::exception_ptr> failures;
    const std::vector<PreparedInput> out = input.load(ranks, config, failures);
    for (int r = 0; r < ranks; ++r) {
      ASSERT_FALSE(failures[r]) << "P " << ranks << " rank " << r;
      EXPECT_EQ(out[r].input.dropped, serial.input.dropped) << "P " << ranks << " rank " << r;
      EXPECT_EQ(out[r].input.ids, serial.input.ids);
      for (int g = 0; g < 3; ++g) {
        const ModelInput& model = out[r].input.models[g];
        EXPECT_EQ(model.rows(), 38);
        const ModelInput here = model.has_values() ? ModelInput{} : read_model_here(model);
        const EmbeddingsView y = model.has_values() ? model.view() : here.view();
        EXPECT_TRUE(same_values(y, serial.input.models[g].embeddings->embeddings)) << "P " << ranks << " model " << g;
      }
    }
  }
}

}  // namespace
}  // namespace dk
