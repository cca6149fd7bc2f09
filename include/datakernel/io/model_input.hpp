// One model of a comparison, as named on the command line: an embedding file (any reader of
// array_readers.hpp, chosen by extension; "file.npz:member" / "file.safetensors:tensor" pick an array) or
// a precomputed data kernel (.mtx), used as the model's graph directly.
#pragma once

#include <optional>
#include <string>

#include "datakernel/embeddings.hpp"
#include "datakernel/io/array_readers.hpp"

namespace dk {

struct ModelSpec {
  std::string path;
  std::string member;  // npz member / safetensors tensor, may be empty
  std::string format;  // "npy", "npz", "safetensors", "fvecs", "csv", "tsv", "mtx"
};

ModelSpec parse_model_spec(const std::string& spec);

// Default display name: the member name when one is given, else the file name without extension.
std::string default_model_name(const ModelSpec& spec);

// Exactly one of: embeddings read from a file (owned), embeddings borrowed from the caller (e.g. a numpy array,
// not copied), or a precomputed graph.
struct ModelInput {
  std::string spec;
  std::optional<LoadedEmbeddings> embeddings;
  std::optional<EmbeddingsView> borrowed;
  std::optional<Graph> graph;

  bool has_embeddings() const { return embeddings.has_value() || borrowed.has_value(); }
  EmbeddingsView view() const { return embeddings ? embeddings->embeddings.view() : *borrowed; }
  std::int64_t rows() const { return has_embeddings() ? view().n : graph->n; }
};

// check_values: throw InputError naming the file and row on the first NaN/Inf (the default); false keeps them,
// for the caller to drop (--drop-invalid).
// header: the header rule of .csv/.tsv inputs (--header).
ModelInput load_model(const std::string& spec, bool check_values = true, HeaderMode header = HeaderMode::automatic);

}  // namespace dk
