#include "datakernel/io/model_input.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "datakernel/error.hpp"
#include "io/matrix_market.hpp"

namespace dk {
namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext.empty() ? ext : ext.substr(1);
}

}  // namespace

ModelSpec parse_model_spec(const std::string& spec) {
  ModelSpec out;
  out.path = spec;
  // "file.npz:name" / "file.safetensors:name": split at the last ':' if the left part has such an extension.
  const std::size_t colon = spec.rfind(':');
  if (colon != std::string::npos) {
    const std::string left = spec.substr(0, colon);
    const std::string ext = lower_extension(left);
    if (ext == "npz" || ext == "safetensors") {
      out.path = left;
      out.member = spec.substr(colon + 1);
    }
  }
  out.format = lower_extension(out.path);
  static const char* known[] = {"npy", "npz", "safetensors", "fvecs", "csv", "tsv", "mtx"};
  if (std::find(std::begin(known), std::end(known), out.format) == std::end(known))
    throw InputError(out.path + ": unknown file type '." + out.format +
                     "' (supported: .npy .npz .safetensors .fvecs .csv .tsv, or .mtx for a precomputed kernel)");
  return out;
}

std::string default_model_name(const ModelSpec& spec) {
  if (!spec.member.empty()) return spec.member;
  return std::filesystem::path(spec.path).stem().string();
}

EmbeddingsView ModelInput::view() const {
  if (embeddings) return embeddings->embeddings.view();
  if (mapped) return mapped->view;
  if (borrowed) return *borrowed;
  if (elsewhere)
    throw std::logic_error(spec + ": its values are read by MPI rank " + std::to_string(elsewhere->owner) +
                           ", not this one (read_model_here)");
  throw std::logic_error(spec + ": a precomputed graph has no embeddings");
}

Embeddings without_rows(const EmbeddingsView& y, const std::vector<std::int64_t>& dropped) {
  Embeddings kept;
  kept.n = y.n - static_cast<std::int64_t>(dropped.size());
  kept.dim = y.dim;
  kept.values.reserve(static_cast<std::size_t>(kept.n * kept.dim));
  auto next = dropped.begin();
  for (std::int64_t i = 0; i < y.n; ++i) {
    if (next != dropped.end() && *next == i) {
      ++next;
      continue;
    }
    for (std::int64_t c = 0; c < y.dim; ++c) kept.values.push_back(static_cast<float>(y.at(i, c)));
  }
  return kept;
}

ModelInput read_model_here(const ModelInput& model) {
  if (!model.elsewhere) throw std::logic_error(model.spec + ": read_model_here of a model already on this rank");
  const ModelReadElsewhere& known = *model.elsewhere;
  ModelInput here = load_model(model.spec, false, known.header);
  if (!known.dropped.empty() && here.has_values()) {
    LoadedEmbeddings kept;
    kept.info = here.embeddings ? here.embeddings->info : ArrayInfo{};
    kept.embeddings = without_rows(here.use().view(), known.dropped);
    here.embeddings = std::move(kept);
    here.mapped.reset();
  }
  if (here.rows() != known.n || here.dim() != known.dim)
    throw InputError(fmt::format("{}: now holds {}×{}, but {}×{} when MPI rank {} read it; the file changed during "
                                 "the run",
                                 model.spec, here.rows(), here.dim(), known.n, known.dim, known.owner));
  return here;
}

ModelInput load_model(const std::string& spec_text, bool check_values, HeaderMode header) {
  const ModelSpec spec = parse_model_spec(spec_text);
  ModelInput out;
  out.spec = spec_text;
  if (spec.format == "npy") {
    NpyInput npy = open_npy(spec.path);
    out.embeddings = std::move(npy.loaded);
    out.mapped = std::move(npy.mapped);
  } else if (spec.format == "npz") {
    NpyInput npz = open_npz(spec.path, spec.member);
    out.embeddings = std::move(npz.loaded);
    out.mapped = std::move(npz.mapped);
  } else if (spec.format == "safetensors") out.embeddings = read_safetensors(spec.path, spec.member);
  else if (spec.format == "fvecs") out.embeddings = read_fvecs(spec.path);
  else if (spec.format == "csv") out.embeddings = read_delimited(spec.path, ',', header);
  else if (spec.format == "tsv") out.embeddings = read_delimited(spec.path, '\t', header);
  else out.graph = read_matrix_market_graph(spec.path);
  if (check_values && out.has_embeddings()) check_finite(out.view(), spec_text);
  out.release_pages();
  return out;
}

}  // namespace dk
