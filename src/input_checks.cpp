#include "datakernel/input_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include <omp.h>

#include "datakernel/error.hpp"

namespace dk {

std::vector<std::int64_t> invalid_rows(const std::vector<ModelInput>& models, Metric metric) {
  std::vector<bool> bad;
  for (const ModelInput& model : models) {
    if (!model.has_embeddings()) continue;
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
    if (model.graph) throw InputError(model.spec + ": --drop-invalid cannot remove data from a precomputed kernel (.mtx)");
    if (model.view().n != n) return;  // mismatched n: validation reports it
    const EmbeddingsView y = model.view();
    Embeddings kept;
    kept.n = n - static_cast<std::int64_t>(rows.size());
    kept.dim = y.dim;
    kept.values.reserve(static_cast<std::size_t>(kept.n * kept.dim));
    for (std::int64_t i = 0; i < n; ++i)
      if (!drop[i])
        for (std::int64_t c = 0; c < y.dim; ++c) kept.values.push_back(static_cast<float>(y.at(i, c)));
    LoadedEmbeddings loaded;
    loaded.info = model.embeddings ? model.embeddings->info : ArrayInfo{};
    loaded.embeddings = std::move(kept);
    model.embeddings = std::move(loaded);
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
      shape.widest = std::max<std::int64_t>(shape.widest, model.view().dim);
      shape.values += static_cast<std::uint64_t>(model.view().n) * static_cast<std::uint64_t>(model.view().dim);
    }
  return shape;
}

std::uint64_t estimate_peak_bytes(const MemoryShape& shape, const CompareConfig& config) {
  const auto n = static_cast<std::uint64_t>(shape.n);
  const auto m = static_cast<std::uint64_t>(shape.models);
  const std::uint64_t k = static_cast<std::uint64_t>(config.knn.k > 0 ? config.knn.k : default_k(shape.n));
  const std::uint64_t threads = static_cast<std::uint64_t>(config.knn.threads > 0 ? config.knn.threads : omp_get_max_threads());
  const auto widest = static_cast<std::uint64_t>(shape.widest);
  const std::uint64_t inputs = shape.values * 4;
  const std::uint64_t graph = (n + 1) * 8 + 2 * n * k * 4;  // CSR, union degree <= 2k
  const std::uint64_t lists = n * k * 8;                     // neighbour ids + similarities, kept per model
  // kNN of one model: normalised float copy, neighbour lists, edge pairs (both directions), per-thread float tiles.
  const std::uint64_t knn = n * widest * 4 + n * k * 12 + 4 * n * k * 8 + threads * 256 * 4096 * 4;
  // Omnibus eigen-solve: Lanczos basis (ncv = 2S+1 vectors of m·n doubles), Ritz vectors, latent positions.
  const std::uint64_t search = static_cast<std::uint64_t>(config.omnibus.dim > 0 ? config.omnibus.dim + 1
                                                          : (config.omnibus.search > 0 ? config.omnibus.search : 64));
  const std::uint64_t eigen = m * n * (2 * search + 1) * 8 + 2 * m * n * search * 8;
  // Bootstrap: per thread two sampled graphs, a 2n-row Lanczos basis and per-datum counts.
  const std::uint64_t d = std::min<std::uint64_t>(search, 64);
  const bool bootstrap_null = config.per_datum_tests && config.test.statistic == TestStatistic::omnibus &&
                              is_bootstrap_null(config.test.null);
  const std::uint64_t bootstrap =
      bootstrap_null ? threads * (2 * graph + 2 * n * (2 * d + 21) * 8 + 512 * 512 * 4 + n * 8) +
                           (config.test.bootstrap_p == BootstrapP::pooled ? n * config.test.bootstrap * 4 : 0)
                     : 0;
  // Neighbourhood measures (computed for every tested pair, whatever the statistic): similarity scales (up to
  // 2^19 kNN and as many random pairs per model, kept as doubles with their sorted copies) and per-datum work.
  const std::uint64_t scale_pairs = std::min<std::uint64_t>(1u << 19, n * k);
  const std::uint64_t neighbourhood = config.per_datum_tests ? m * 2 * scale_pairs * 16 + n * k * 2 * 8 * 4 : 0;
  constexpr std::uint64_t kProcess = 12u << 20;  // the program, its libraries and thread stacks
  return kProcess + inputs + m * (graph + lists) + neighbourhood +
         std::max({knn, eigen, bootstrap, shape.largest_file});
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
  if (text.empty()) throw InputError("--memory-limit: empty size");
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw InputError("--memory-limit: '" + text + "' is not a size (e.g. 512M, 8G)");
  }
  const std::string suffix = text.substr(used);
  double scale = 1;
  if (suffix == "K" || suffix == "k") scale = 1024.0;
  else if (suffix == "M" || suffix == "m") scale = 1024.0 * 1024;
  else if (suffix == "G" || suffix == "g") scale = 1024.0 * 1024 * 1024;
  else if (!suffix.empty()) throw InputError("--memory-limit: unknown unit '" + suffix + "' (K, M or G)");
  if (!(value > 0)) throw InputError("--memory-limit must be positive");
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
      "not enough memory: this run needs about {:.2f} GiB, {} {:.2f} GiB; reduce --max-dim (eigenvalues searched), "
      "use a fixed smaller --dim, fewer --threads, a smaller --k, or fewer models per run",
      need / gib, limit > 0 ? "--memory-limit allows" : "available is", have / gib));
}

}  // namespace dk
