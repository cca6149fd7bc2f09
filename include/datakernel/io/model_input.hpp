// One model of a comparison, as named on the command line: an embedding file (any reader of
// array_readers.hpp, chosen by extension; "file.npz:member" / "file.safetensors:tensor" pick an array) or
// a precomputed data kernel (.mtx), used as the model's graph directly.
#pragma once

#include <optional>
#include <string>
#include <vector>

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

// A model whose file another rank of a distributed run reads (its owner, ModelPartition): this rank knows what the
// owner told it (load_compare_input: its shape and how its file was read), not its values, and never opened the
// file. A later stage that needs the values on this rank (a per-datum test of a pair with the model, linear CKA on
// rank 0) reads them then with read_model_here.
struct ModelReadElsewhere {
  int owner = 0;
  std::int64_t n = 0;    // rows, after `dropped`
  std::int64_t dim = 0;  // 0: a precomputed graph (.mtx)
  ArrayInfo info;        // as the owner's reader reported it
  HeaderMode header = HeaderMode::automatic;  // the .csv/.tsv header rule to read it with
  std::vector<std::int64_t> dropped;          // rows --drop-invalid removed (sorted), removed again when read here
};

// Exactly one of: embeddings read from a file (owned), embeddings used in place from a memory-mapped file
// (a float32 .npy, or such an .npy stored uncompressed and aligned in a .npz: not copied, pages read when touched), embeddings borrowed from the caller (e.g. a numpy array,
// not copied), a precomputed graph, or a model read by another rank (`elsewhere`: no values here; view() throws).
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
  std::optional<ModelReadElsewhere> elsewhere;

  // The model is embeddings (not a graph), whether its values are on this rank or not.
  bool has_embeddings() const { return has_values() || (elsewhere.has_value() && elsewhere->dim > 0); }
  // Its values are on this rank (view() may be called).
  bool has_values() const { return embeddings.has_value() || mapped.has_value() || borrowed.has_value(); }
  EmbeddingsView view() const;  // std::logic_error for a model read elsewhere or a graph
  std::int64_t rows() const { return elsewhere ? elsewhere->n : has_values() ? view().n : graph->n; }
  std::int64_t dim() const { return elsewhere ? elsewhere->dim : has_values() ? view().dim : 0; }
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

// A model read elsewhere (model.elsewhere set), read on this rank: its file read as its owner read it (header rule,
// rows dropped by --drop-invalid removed again), values not checked again (the owner did). InputError when the
// file no longer has the shape its owner read (it changed during the run).
ModelInput read_model_here(const ModelInput& model);

// The rows of `y` not in `dropped` (sorted), as float32.
Embeddings without_rows(const EmbeddingsView& y, const std::vector<std::int64_t>& dropped);

}  // namespace dk
