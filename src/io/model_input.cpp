#include "datakernel/io/model_input.hpp"

#include <algorithm>
#include <filesystem>

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

ModelInput load_model(const std::string& spec_text, bool check_values, HeaderMode header) {
  const ModelSpec spec = parse_model_spec(spec_text);
  ModelInput out;
  out.spec = spec_text;
  if (spec.format == "npy") {
    NpyInput npy = open_npy(spec.path);
    out.embeddings = std::move(npy.loaded);
    out.mapped = std::move(npy.mapped);
  } else if (spec.format == "npz") out.embeddings = read_npz(spec.path, spec.member);
  else if (spec.format == "safetensors") out.embeddings = read_safetensors(spec.path, spec.member);
  else if (spec.format == "fvecs") out.embeddings = read_fvecs(spec.path);
  else if (spec.format == "csv") out.embeddings = read_delimited(spec.path, ',', header);
  else if (spec.format == "tsv") out.embeddings = read_delimited(spec.path, '\t', header);
  else out.graph = read_matrix_market_graph(spec.path);
  if (check_values && out.has_embeddings()) check_finite(out.view(), spec_text);
  out.release_pages();
  return out;
}

}  // namespace dk
