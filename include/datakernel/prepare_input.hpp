// Input preparation, the same for every front-end: reading a comparison's files (load_compare_input) or taking
// models already in memory (prepare_compare_input), then, before any heavy work: rows to drop
// (config.input.drop_invalid), validation of the input and the options, exact duplicate rows (a warning), the
// memory the run will need against what is available, and whether a bootstrap can reject anything (a warning).
// Warnings name options by key ("{bootstrap}"; render with render_option_names, error.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datakernel/compare.hpp"
#include "datakernel/runtime/progress.hpp"

namespace dk {

// A comparison's inputs as files: model specs (any reader of io/array_readers.hpp, "file.npz:member", or a .mtx
// graph) and optional per-datum and per-model files.
struct InputFiles {
  std::vector<std::string> models;
  std::vector<std::string> names;  // one per model; empty = default_model_names(models)
  std::string ids, texts, labels, metrics;  // paths; empty = not given
};

// Default model names: file stems; where two collide, "parent/stem"; where those collide too, "stem#position".
std::vector<std::string> default_model_names(const std::vector<std::string>& specs);

struct PreparedInput {
  CompareInput input;
  std::vector<std::string> warnings;  // in the order found (option keys in braces)
  std::vector<std::string> notes;     // informational: conversions, header decisions (option keys in braces)
  std::uint64_t memory_estimate = 0;  // bytes, estimate_peak_bytes (from the files' headers when they have one)
};

// Reads and prepares a comparison's input: the memory check from the files' headers first (when every model file
// has one), before anything is read whole or inflated; then each model (a progress stage per file), names, ids,
// texts, labels and metrics; then prepare_compare_input. Throws InputError naming the file and the problem, or
// ResourceError when the estimate exceeds config.input.memory_limit (or the available memory).
//
// With a communicator of P > 1 ranks (collective: every rank calls it), each rank opens only the files of its own
// models (ModelPartition): it peeks their headers and reads their values; the other models become
// ModelInput::elsewhere, with the shape and reading notes their owners share (model_input.hpp). A file's error is
// raised by its owner and thrown on every rank with " (MPI rank R)" (agree_on_failure); the ranks agree after
// each step, so every rank returns or every rank throws. config.input.rank/ranks are taken from the communicator.
PreparedInput load_compare_input(const InputFiles& files, const CompareConfig& config, ProgressSink* progress = nullptr,
                                 Communicator* communicator = nullptr);

// Prepares an input already in memory (e.g. arrays from Python): drops invalid rows when config.input.drop_invalid
// (recorded in input.dropped), validates the input and config (validate_compare_input), warns about exact
// duplicate rows, checks memory, and advises when a bootstrap is too small for the correction to reject anything.
// Returns the warnings. With a communicator of P > 1 ranks (collective when drop_invalid), the rows to drop are the
// union of every rank's findings in the models it read.
std::vector<std::string> prepare_compare_input(CompareInput& input, const CompareConfig& config,
                                               Communicator* communicator = nullptr);

// Data that no model can embed: a NaN/Inf value in any model, or (cosine) an all-zero row in any model (of the
// models whose values are on this process; a model read by another rank is that rank's to check).
std::vector<std::int64_t> invalid_rows(const std::vector<ModelInput>& models, Metric metric);

// Removes `rows` (sorted) from every model's embeddings and from ids, texts and labels; where no ids were given,
// the kept data get their original row numbers as ids, so outputs still name the original data. Precomputed
// graphs cannot lose vertices: InputError.
void drop_rows(CompareInput& input, const std::vector<std::int64_t>& rows);

struct DuplicateRows {
  std::int64_t count = 0;  // rows equal to an earlier row
  std::int64_t first = -1, second = -1;  // one example pair
};
DuplicateRows duplicate_rows(const EmbeddingsView& y);

// What the memory estimate needs to know about the inputs; known from the files' headers before reading them
// (peek_array_shape), or from the loaded input.
struct MemoryShape {
  std::int64_t n = 0;
  std::int64_t models = 0;
  std::int64_t widest = 0;       // largest embedding dimension
  std::uint64_t values = 0;      // Σ n·dim over the models given as embeddings (held as float32)
  std::uint64_t mapped_values = 0;   // of those, the values used in place from mapped files (resident only while used)
  std::uint64_t largest_mapped = 0;  // n·dim of the largest mapped model
  std::uint64_t largest_file = 0;  // bytes of the largest file read whole while loading (0: already loaded)
};
MemoryShape memory_shape(const CompareInput& input);

// Approximate peak resident memory of loading (when largest_file > 0) and run_compare, in bytes: the inputs held
// in memory (mapped ones are resident only in the stages reading them: one model in its kNN search, two in a
// pair's test), the graphs and neighbour lists of every model, plus the largest of the stages (kNN, eigen-solve,
// bootstrap, a pair's test, reading a file). Measured against peak RSS in bench/results/memory_estimate.txt.
std::uint64_t estimate_peak_bytes(const MemoryShape& shape, const CompareConfig& config);
std::uint64_t estimate_peak_bytes(const CompareInput& input, const CompareConfig& config);
// MemAvailable from /proc/meminfo (0 when unknown).
std::uint64_t available_memory_bytes();
// Throws ResourceError with the estimate and a suggestion when the estimate exceeds `limit` (0: available memory).
void check_memory(const MemoryShape& shape, const CompareConfig& config, std::uint64_t limit);
void check_memory(const CompareInput& input, const CompareConfig& config, std::uint64_t limit);
// "512M", "2G", "1500000" -> bytes; InputError otherwise.
std::uint64_t parse_byte_size(const std::string& text);

}  // namespace dk
