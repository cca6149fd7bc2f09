#include "datakernel/prepare_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <unordered_map>

#include "datakernel/error.hpp"
#include "datakernel/inference/multiple_testing.hpp"
#include "datakernel/inference/neighbourhood_shift.hpp"
#include "datakernel/io/array_readers.hpp"
#include "datakernel/io/model_input.hpp"
#include "datakernel/io/text_lists.hpp"
#include "datakernel/runtime/blas.hpp"
#include "kernel/knn_clustered.hpp"
#include "runtime/byte_buffer.hpp"

namespace dk {

std::vector<std::int64_t> invalid_rows(const std::vector<ModelInput>& models, Metric metric) {
  std::vector<bool> bad;
  for (const ModelInput& model : models) {
    if (!model.has_values()) continue;  // a graph, or a model another rank reads (it reports that model's rows)
    const EmbeddingsView y = model.view();
    bad.resize(static_cast<std::size_t>(y.n), false);
    for (std::int64_t i = 0; i < y.n; ++i) {
      bool zero = true, finite = true;
      for (std::int64_t c = 0; c < y.dim; ++c) {
        const double v = y.at(i, c);
        finite = finite && std::isfinite(v);
        zero = zero && v == 0.0;
      }
      if (!finite || (metric == Metric::cosine && zero)) bad[i] = true;
    }
    model.release_pages();
  }
  std::vector<std::int64_t> rows;
  for (std::size_t i = 0; i < bad.size(); ++i)
    if (bad[i]) rows.push_back(static_cast<std::int64_t>(i));
  return rows;
}

void drop_rows(CompareInput& input, const std::vector<std::int64_t>& rows) {
  if (rows.empty()) return;
  const std::int64_t n = input.models.front().rows();
  std::vector<bool> drop(static_cast<std::size_t>(n), false);
  for (std::int64_t r : rows) drop[r] = true;
  for (ModelInput& model : input.models) {
    if (!model.has_embeddings())
      throw InputError(model.spec + ": {drop_invalid} cannot remove data from a precomputed kernel (.mtx)");
    if (model.rows() != n) return;  // mismatched n: validation reports it
    if (model.elsewhere) {  // read by another rank: the rows are removed when (if ever) it is read here
      model.elsewhere->dropped = rows;
      model.elsewhere->n -= static_cast<std::int64_t>(rows.size());
      continue;
    }
    LoadedEmbeddings loaded;
    loaded.info = model.embeddings ? model.embeddings->info : ArrayInfo{};
    loaded.embeddings = without_rows(model.view(), rows);
    model.embeddings = std::move(loaded);
    model.mapped.reset();
    model.borrowed.reset();
  }
  auto filter = [&](std::vector<std::string>& values) {
    if (values.empty()) return;
    std::vector<std::string> kept;
    for (std::int64_t i = 0; i < n; ++i)
      if (!drop[i]) kept.push_back(std::move(values[i]));
    values = std::move(kept);
  };
  if (input.ids.empty())
    for (std::int64_t i = 0; i < n; ++i) input.ids.push_back(std::to_string(i));
  filter(input.ids);
  filter(input.texts);
  filter(input.labels);
}

DuplicateRows duplicate_rows(const EmbeddingsView& y) {
  DuplicateRows out;
  std::unordered_map<std::uint64_t, std::vector<std::int64_t>> by_hash;
  auto equal = [&](std::int64_t a, std::int64_t b) {
    for (std::int64_t c = 0; c < y.dim; ++c)
      if (y.at(a, c) != y.at(b, c)) return false;
    return true;
  };
  for (std::int64_t i = 0; i < y.n; ++i) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the row's values
    for (std::int64_t c = 0; c < y.dim; ++c) {
      const double v = y.at(i, c);
      std::uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      h = (h ^ bits) * 1099511628211ull;
    }
    auto& same = by_hash[h];
    for (std::int64_t j : same)
      if (equal(i, j)) {
        if (out.count++ == 0) out.first = j, out.second = i;
        break;
      }
    same.push_back(i);
  }
  return out;
}

MemoryShape memory_shape(const CompareInput& input) {
  MemoryShape shape;
  shape.n = input.models.empty() ? 0 : input.models.front().rows();
  shape.models = static_cast<std::int64_t>(input.models.size());
  for (const ModelInput& model : input.models)
    if (model.has_embeddings()) {
      const auto values = static_cast<std::uint64_t>(model.rows()) * static_cast<std::uint64_t>(model.dim());
      shape.widest = std::max<std::int64_t>(shape.widest, model.dim());
      shape.values += values;
      // Resident only while a stage reads them: a mapped file, and a model another rank reads (read here, if at
      // all, by the per-datum tests of its pairs).
      if (model.mapped || model.elsewhere) {
        shape.mapped_values += values;
        shape.largest_mapped = std::max(shape.largest_mapped, values);
      }
    }
  return shape;
}

std::uint64_t estimate_peak_bytes(const MemoryShape& shape, const CompareConfig& config) {
  const auto n = static_cast<std::uint64_t>(shape.n);
  const auto m = static_cast<std::uint64_t>(shape.models);
  const std::uint64_t k = static_cast<std::uint64_t>(config.knn.k > 0 ? config.knn.k : default_k(shape.n));
  const std::uint64_t threads = static_cast<std::uint64_t>(config.knn.threads > 0 ? config.knn.threads : openmp_threads());
  const auto widest = static_cast<std::uint64_t>(shape.widest);
  // Inputs held in memory throughout; a mapped input is resident only while a stage reads it.
  const std::uint64_t inputs = (shape.values - shape.mapped_values) * 4;
  const std::uint64_t mapped_model = shape.largest_mapped * 4;
  const std::uint64_t graph = (n + 1) * 8 + 2 * n * k * 4;  // CSR, union degree <= 2k
  const std::uint64_t lists = n * k * 8;                     // neighbour ids + similarities, kept per model
  // kNN of one model: its mapped input, normalised float copy, neighbour lists, per-thread float tiles; then the
  // graph is built from the lists (graph_from_lists: at most 2k int32 entries per datum before deduplication).
  std::uint64_t knn = mapped_model + n * widest * 4 + n * k * 12 + threads * 256 * 4096 * 4;
  if (resolved_knn_method(config.knn, shape.n) == KnnMethod::clustered) {
    // Exact search's, plus the copy of the prepared rows in cell order (beside the normalised copy under cosine)
    // with each position's datum, the lists kept in cell order until the end, k-means' sample of rows, the
    // assignment and, per datum, its probed cells (int32), its place in their query lists (int64) and the
    // larger-numbered of them with its position (2 int32: at most all probes); the recall sample's exact search,
    // after the search, makes its own normalised copy.
    const ClusteredPlan plan = clustered_plan(config.knn.clustered, static_cast<std::int64_t>(n));
    const std::uint64_t sample = std::min<std::uint64_t>(
        n, static_cast<std::uint64_t>(plan.clusters) * static_cast<std::uint64_t>(config.knn.clustered.sample_per_cluster));
    knn += n * widest * 4 + n * 12 + n * k * 12 + sample * widest * 4 + n * static_cast<std::uint64_t>(plan.probes) * 20;
  } else if (resolved_knn_method(config.knn, shape.n) == KnnMethod::hnsw) {
    // The HNSW index: float32 rows, 2m bottom-layer links and its header per datum, upper layers ~1/m of that;
    // no exact tiles beyond the recall sample's, whose exact search (while the index lives) makes its own
    // normalised copy under cosine.
    const std::uint64_t m = static_cast<std::uint64_t>(config.knn.hnsw.m);
    const std::uint64_t recall_copy =
        config.knn.recall_rows > 0 && config.knn.metric == Metric::cosine ? n * widest * 4 : 0;
    knn = mapped_model + n * (widest * 4 + 2 * m * 4 + 4 + 8 + 8) + n * m * 4 / 2 + n * k * 12 + recall_copy +
          threads * 256 * 4096 * 4;
  }
  // Omnibus eigen-solves (embed/omnibus.cpp). c eigenpairs: the fixed d + 1, else the search cap S (--max-dim)
  // for Lanczos, and 32 for the block solver, where the dimension rule stops when its elbow does not move from 16
  // to 32 eigenvalues (as in every large run measured, bench/results/large_runs.txt; a block search that goes on
  // to S = 64 needs up to 1.9 times the solve's share). Two graphs: Lanczos on Ω, a basis of 2c + 1 vectors
  // of m·n doubles and the Ritz vectors. From three graphs (and for the normalised kernel) the block solver on the
  // rank-2n reduction: a basis of B = 2s + 16 columns (s = c + max(4, c/4) kept at a restart) stored three times
  // (V, GV, MV), two restart temporaries of s columns, the result and its G-image, all of 2n doubles, and the
  // previous count's vectors (a warm start); then the m·n × d latent positions (d planned as c / 2 under the
  // dimension rule: the elbow is usually well below the cap).
  const std::uint64_t search = static_cast<std::uint64_t>(config.omnibus.dim > 0 ? config.omnibus.dim + 1
                                                          : (config.omnibus.search > 0 ? config.omnibus.search : 64));
  const std::uint64_t block_search =
      config.omnibus.dim > 0 ? search : std::min<std::uint64_t>(search, 2 * static_cast<std::uint64_t>(kFirstSearchCount));
  const std::uint64_t latent_dim = config.omnibus.dim > 0 ? static_cast<std::uint64_t>(config.omnibus.dim)
                                                          : std::max<std::uint64_t>(1, block_search / 2);
  const auto reduced_solve = [&](std::uint64_t count) {
    const std::uint64_t kept = count + std::max<std::uint64_t>(4, count / 4), basis = 2 * kept + 16;
    return 2 * n * (3 * basis + 2 * kept + 2 * count + count / 2) * 8;
  };
  const OmnibusSolver solver = config.omnibus.solver == OmnibusSolver::automatic
                                   ? omnibus_solver_for(static_cast<int>(m))
                                   : config.omnibus.solver;
  const std::uint64_t joint_latent = m * n * latent_dim * 8;
  const std::uint64_t eigen =
      solver == OmnibusSolver::lanczos ? m * n * (2 * search + 1) * 8 + 2 * m * n * search * 8
                                       : std::max(reduced_solve(block_search), joint_latent + 2 * n * block_search * 16);
  // The normalised omnibus (pair_measures.hpp): the block solver on the reduction at its fixed dimension, solved
  // after the joint one while the joint latent positions are kept, then its own latent positions.
  const bool normalised_wanted =
      config.measures.simple || config.measures.map == PairMeasureKind::normalised_omnibus;
  const std::uint64_t normalised_count = static_cast<std::uint64_t>(config.measures.normalised_dim) + 1;
  const std::uint64_t normalised =
      normalised_wanted
          ? joint_latent + std::max(reduced_solve(normalised_count),
                                    m * n * (normalised_count - 1) * 8 + 2 * n * normalised_count * 16)
          : 0;
  // Bootstrap: per thread two sampled graphs, a 2n-row Lanczos basis and per-datum counts.
  const std::uint64_t d = std::min<std::uint64_t>(search, 64);
  const bool bootstrap_null = config.per_datum_tests && config.test.statistic == TestStatistic::omnibus &&
                              is_bootstrap_null(config.test.null);
  const std::uint64_t bootstrap =
      bootstrap_null ? threads * (2 * graph + 2 * n * (2 * d + 21) * 8 + 512 * 512 * 4 + n * 8) +
                           (config.test.bootstrap_p == BootstrapP::pooled ? n * config.test.bootstrap * 4 : 0)
                     : 0;
  // Neighbourhood measures (computed for every tested pair, whatever the statistic): similarity scales (up to
  // 2^19 kNN pairs and kRandomPairsPerKnnPair random pairs for each, per tested model, kept as doubles with their
  // sorted copies) and per-datum work.
  const std::uint64_t scale_pairs = std::min<std::uint64_t>(1u << 19, n * k) * (1 + kRandomPairsPerKnnPair);
  const std::uint64_t tested_models = config.test_pair.empty() ? m : 2;
  const std::uint64_t neighbourhood = config.per_datum_tests ? tested_models * scale_pairs * 16 + n * k * 2 * 8 * 4 : 0;
  constexpr std::uint64_t kProcess = 12u << 20;  // the program, its libraries and thread stacks
  // A pair's per-datum test reads both models' embeddings (the neighbourhood measures).
  const std::uint64_t pair_test = config.per_datum_tests ? 2 * mapped_model : 0;
  return kProcess + inputs + m * (graph + lists) + neighbourhood +
         std::max({knn, eigen, normalised, bootstrap, pair_test, shape.largest_file});
}

std::uint64_t estimate_peak_bytes(const CompareInput& input, const CompareConfig& config) {
  return estimate_peak_bytes(memory_shape(input), config);
}

std::uint64_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t value = 0;
  std::string unit;
  while (in >> key >> value >> unit)
    if (key == "MemAvailable:") return value * 1024;
  return 0;
}

std::uint64_t parse_byte_size(const std::string& text) {
  if (text.empty()) throw InputError("{memory_limit}: empty size");
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw InputError("{memory_limit}: '" + text + "' is not a size (e.g. 512M, 8G)");
  }
  const std::string suffix = text.substr(used);
  double scale = 1;
  if (suffix == "K" || suffix == "k") scale = 1024.0;
  else if (suffix == "M" || suffix == "m") scale = 1024.0 * 1024;
  else if (suffix == "G" || suffix == "g") scale = 1024.0 * 1024 * 1024;
  else if (!suffix.empty()) throw InputError("{memory_limit}: unknown unit '" + suffix + "' (K, M or G)");
  if (!(value > 0)) throw InputError("{memory_limit} must be positive");
  return static_cast<std::uint64_t>(value * scale);
}

void check_memory(const CompareInput& input, const CompareConfig& config, std::uint64_t limit) {
  check_memory(memory_shape(input), config, limit);
}

void check_memory(const MemoryShape& shape, const CompareConfig& config, std::uint64_t limit) {
  const std::uint64_t need = estimate_peak_bytes(shape, config);
  const std::uint64_t have = limit > 0 ? limit : available_memory_bytes();
  if (have == 0 || need <= have) return;
  const double gib = 1024.0 * 1024 * 1024;
  throw ResourceError(fmt::format(
      "not enough memory: this run needs about {:.2f} GiB, {} {:.2f} GiB; reduce {{max_dim}} (eigenvalues searched), "
      "use a fixed smaller {{dim}}, fewer {{threads}}, a smaller {{k}}, or fewer models per run",
      need / gib, limit > 0 ? "{memory_limit} allows" : "available is", have / gib));
}

}  // namespace dk

namespace dk {
namespace {

// The union of every rank's invalid rows (each rank finds those of the models it read), sorted.
std::vector<std::int64_t> rows_of_every_rank(Communicator& comm, const std::vector<std::int64_t>& mine) {
  ByteWriter writer;
  writer.put_vector(mine);
  std::vector<std::int64_t> all;
  for (const Bytes& bytes : comm.allgather(writer.bytes())) {
    ByteReader reader(bytes);
    const std::vector<std::int64_t> rows = reader.get_vector<std::int64_t>();
    all.insert(all.end(), rows.begin(), rows.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

// A file's shape from its header (peek_array_shape), as one rank tells the others.
void put_shape(ByteWriter& out, const std::optional<ArrayShape>& shape) {
  out.put<std::uint8_t>(shape ? 1 : 0);
  if (shape) out.put(*shape);
}
std::optional<ArrayShape> get_shape(ByteReader& in) {
  if (in.get<std::uint8_t>() == 0) return std::nullopt;
  return in.get<ArrayShape>();
}

// What the rank that read a model tells the others: its shape and how its file was read.
void put_model_facts(ByteWriter& out, const ModelInput& model) {
  out.put<std::int64_t>(model.rows());
  out.put<std::int64_t>(model.dim());
  const ArrayInfo info = model.embeddings ? model.embeddings->info : ArrayInfo{};
  out.put_string(info.source_dtype);
  out.put<std::uint8_t>(info.fortran_order ? 1 : 0);
  out.put<std::uint8_t>(info.converted ? 1 : 0);
  out.put_string(info.header);
}
ModelReadElsewhere get_model_facts(ByteReader& in, int owner, HeaderMode header) {
  ModelReadElsewhere facts;
  facts.owner = owner;
  facts.header = header;
  facts.n = in.get<std::int64_t>();
  facts.dim = in.get<std::int64_t>();
  facts.info.source_dtype = in.get_string();
  facts.info.fortran_order = in.get<std::uint8_t>() != 0;
  facts.info.converted = in.get<std::uint8_t>() != 0;
  facts.info.header = in.get_string();
  return facts;
}

// Runs `work` (this rank's part of a reading step, which fills `mine`); then, on P > 1 ranks, agrees on failure
// and hands every rank's buffer to `take(rank, reader)` in rank order. One rank: a failure is simply thrown.
void share_step(Communicator& comm, const std::function<void(ByteWriter&)>& work,
                const std::function<void(int, ByteReader&)>& take) {
  ByteWriter mine;
  std::exception_ptr failure;
  try {
    work(mine);
  } catch (...) {
    failure = std::current_exception();
  }
  if (comm.size() == 1) {
    if (failure) std::rethrow_exception(failure);
    return;
  }
  agree_on_failure(comm, failure);
  const std::vector<Bytes> all = comm.allgather(mine.bytes());
  for (int r = 0; r < comm.size(); ++r) {
    ByteReader reader(all[static_cast<std::size_t>(r)]);
    take(r, reader);
  }
}

}  // namespace

std::vector<std::string> default_model_names(const std::vector<std::string>& specs) {
  std::vector<std::string> names;
  for (const auto& spec : specs) names.push_back(default_model_name(parse_model_spec(spec)));
  auto collides = [&](std::size_t i) { return std::count(names.begin(), names.end(), names[i]) > 1; };
  std::vector<bool> clash(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) clash[i] = collides(i);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (clash[i]) {
      const auto parent = std::filesystem::path(parse_model_spec(specs[i]).path).parent_path().filename().string();
      if (!parent.empty()) names[i] = parent + "/" + names[i];
    }
  for (std::size_t i = 0; i < names.size(); ++i) clash[i] = collides(i);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (clash[i]) {  // two appends, not "#" + s: GCC 12 bogus -Wrestrict (bug 105329)
      names[i] += '#';
      names[i] += std::to_string(i + 1);
    }
  return names;
}

std::vector<std::string> prepare_compare_input(CompareInput& input, const CompareConfig& config,
                                               Communicator* communicator) {
  std::vector<std::string> warnings;
  validate_compare_config(config);
  if (config.input.drop_invalid && !input.models.empty()) {
    std::vector<std::int64_t> rows = invalid_rows(input.models, config.knn.metric);
    if (communicator != nullptr && communicator->size() > 1) rows = rows_of_every_rank(*communicator, rows);
    for (std::int64_t r : rows) input.dropped.push_back(input.ids.empty() ? std::to_string(r) : input.ids[r]);
    drop_rows(input, rows);
    if (!rows.empty()) {
      std::string listed;
      for (std::size_t i = 0; i < std::min<std::size_t>(rows.size(), 10); ++i)
        listed += (i ? ", " : "") + input.dropped[i];
      warnings.push_back(fmt::format("{{drop_invalid}} removed {} data from all models (NaN/Inf{}): {}{}", rows.size(),
                                     config.knn.metric == Metric::cosine ? " or all-zero rows" : "", listed,
                                     rows.size() > 10 ? ", ..." : ""));
    }
  }
  validate_compare_input(input, config);
  const ModelPartition partition{static_cast<int>(input.models.size()), std::max(1, config.input.ranks)};
  for (std::size_t g = 0; g < input.models.size(); ++g) {
    const ModelInput& model = input.models[g];
    if (!model.has_embeddings() || partition.owner(static_cast<int>(g)) != config.input.rank) continue;
    const DuplicateRows duplicates = duplicate_rows(model.use().view());
    if (duplicates.count > 0)
      warnings.push_back(fmt::format("{}: {} rows repeat an earlier row exactly (e.g. rows {} and {}); ties between "
                                     "them are broken by the lower index",
                                     model.spec, duplicates.count, duplicates.first, duplicates.second));
  }
  check_memory(input, config, config.input.memory_limit);
  if (config.per_datum_tests && is_bootstrap_null(config.test.null) && config.test.bootstrap_p == BootstrapP::count) {
    const std::string advice = bootstrap_size_advice(input.models.front().rows(), config.test.bootstrap,
                                                     config.test.alpha, config.test.correction);
    if (!advice.empty()) warnings.push_back(advice);
  }
  return warnings;
}

PreparedInput load_compare_input(const InputFiles& files, const CompareConfig& config, ProgressSink* progress,
                                 Communicator* communicator) {
  validate_compare_config(config);
  if (files.models.size() < 2)
    throw InputError("compare needs at least 2 models, got " + std::to_string(files.models.size()));
  Communicator& comm = communicator != nullptr ? *communicator : serial_communicator();
  const int rank = comm.rank(), ranks = comm.size();
  CompareConfig local = config;
  if (ranks > 1) local.input.rank = rank, local.input.ranks = ranks;
  const int m = static_cast<int>(files.models.size());
  // A distributed run's rank opens only the files of its own models (ModelPartition); what the others need to know
  // of them (shapes, how each was read) comes from their owners. One process reads every file.
  const ModelPartition partition{m, ranks};
  std::vector<ModelSpec> specs;
  for (const std::string& spec : files.models) specs.push_back(parse_model_spec(spec));  // names only, no file opened
  PreparedInput prepared;

  // Memory checked from the files' headers before any is read whole or inflated (when all have a header).
  std::vector<std::optional<ArrayShape>> shapes(static_cast<std::size_t>(m));
  share_step(
      comm,
      [&](ByteWriter& mine) {
        bool known = true;  // a file without a header (.csv): no check, so the rest need not be peeked
        for (int g = partition.first(rank); g < partition.end(rank); ++g) {
          if (known) shapes[g] = peek_array_shape(specs[g].path, specs[g].format, specs[g].member);
          known = known && shapes[g].has_value();
          put_shape(mine, shapes[g]);
        }
      },
      [&](int r, ByteReader& theirs) {
        for (int g = partition.first(r); g < partition.end(r); ++g) shapes[g] = get_shape(theirs);
      });
  std::optional<MemoryShape> peeked = MemoryShape{};
  for (int g = 0; g < m && peeked; ++g) {
    const std::optional<ArrayShape>& shape = shapes[g];
    if (!shape) {
      peeked.reset();
      break;
    }
    peeked->n = std::max(peeked->n, shape->n);
    peeked->models += 1;
    peeked->widest = std::max(peeked->widest, shape->dim);
    const auto values = static_cast<std::uint64_t>(shape->n) * static_cast<std::uint64_t>(shape->dim);
    peeked->values += values;
    if (shape->in_place) {
      peeked->mapped_values += values;
      peeked->largest_mapped = std::max(peeked->largest_mapped, values);
    }
    // A .npy is mapped (converted ones a piece at a time); other formats are read whole once.
    if (specs[g].format != "npy") peeked->largest_file = std::max(peeked->largest_file, shape->file_bytes);
  }
  if (peeked) check_memory(*peeked, local, local.input.memory_limit);

  // Each rank reads its own models (and checks their values); then every rank learns the others' shapes.
  CompareInput& input = prepared.input;
  input.models.resize(static_cast<std::size_t>(m));
  share_step(
      comm,
      [&](ByteWriter& mine) {
        for (int g = partition.first(rank); g < partition.end(rank); ++g) {
          ProgressStage stage(progress, "reading " + files.models[g], 0);
          input.models[g] = load_model(files.models[g], !local.input.drop_invalid, local.input.header);
          put_model_facts(mine, input.models[g]);
        }
      },
      [&](int r, ByteReader& theirs) {
        if (r == rank) return;
        for (int g = partition.first(r); g < partition.end(r); ++g) {
          input.models[g].spec = files.models[g];
          input.models[g].elsewhere = get_model_facts(theirs, r, local.input.header);
        }
      });
  // The notes of every model, whichever rank read it (rank 0 says them).
  for (const ModelInput& model : input.models) {
    const ArrayInfo* info = model.embeddings ? &model.embeddings->info : model.elsewhere ? &model.elsewhere->info : nullptr;
    if (info == nullptr) continue;
    if (!info->header.empty()) prepared.notes.push_back(model.spec + ": " + info->header);
    if (info->converted)
      prepared.notes.push_back(model.spec + ": converted " + info->source_dtype +
                               (info->fortran_order ? " (Fortran order)" : "") + " to row-major float32 once");
  }
  input.names = files.names.empty() ? default_model_names(files.models) : files.names;
  const std::int64_t n = input.models.front().rows();
  if (!files.ids.empty()) input.ids = read_ids(files.ids, n), input.sources["ids"] = files.ids;
  if (!files.texts.empty()) input.texts = read_lines(files.texts, n, "text"), input.sources["text"] = files.texts;
  if (!files.labels.empty()) input.labels = read_lines(files.labels, n, "labels"), input.sources["labels"] = files.labels;
  if (!files.metrics.empty()) input.sources["metrics"] = files.metrics;
  // Metrics are read once the names are known and checked (the table is matched to them).
  prepared.warnings = prepare_compare_input(input, local, &comm);
  if (!files.metrics.empty()) {
    input.metrics = read_metrics(files.metrics, input.names);
    validate_compare_input(input, local);
  }
  prepared.memory_estimate = peeked ? estimate_peak_bytes(*peeked, local) : estimate_peak_bytes(input, local);
  return prepared;
}

}  // namespace dk
