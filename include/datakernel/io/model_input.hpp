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

// Exactly one of: embeddings read from a file (owned), embeddings used in place from a memory-mapped file
// (a float32 .npy: not copied, pages read when touched), embeddings borrowed from the caller (e.g. a numpy array,
// not copied), or a precomputed graph.
//
// Memory: a stage that reads a model's embeddings takes them with use() (or view()) and lets them go with
// release_pages() (or the end of use()'s scope): for a mapped file that drops its pages from the process's memory,
// so only the models a stage is working on are resident; the view stays valid and re-reads what it touches.
// Owned and borrowed embeddings are resident throughout (release_pages() does nothing for them).
struct ModelInput {
  std::string spec;
  std::optional<LoadedEmbeddings> embeddings;
  std::optional<MappedEmbeddings> mapped;
  std::optional<EmbeddingsView> borrowed;
  std::optional<Graph> graph;

  bool has_embeddings() const { return embeddings.has_value() || mapped.has_value() || borrowed.has_value(); }
  EmbeddingsView view() const {
    return embeddings ? embeddings->embeddings.view() : mapped ? mapped->view : *borrowed;
  }
  std::int64_t rows() const { return has_embeddings() ? view().n : graph->n; }
  void release_pages() const {
    if (mapped) mapped->release();
  }

  // Scope access: the view while the object lives, pages released when it goes.
  class Use {
   public:
    explicit Use(const ModelInput& model) : model_(model) {}
    ~Use() { model_.release_pages(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    EmbeddingsView view() const { return model_.view(); }

   private:
    const ModelInput& model_;
  };
  Use use() const { return Use(*this); }
};

// check_values: throw InputError naming the file and row on the first NaN/Inf (the default); false keeps them,
// for the caller to drop (--drop-invalid).
// header: the header rule of .csv/.tsv inputs (--header).
ModelInput load_model(const std::string& spec, bool check_values = true, HeaderMode header = HeaderMode::automatic);

}  // namespace dk
