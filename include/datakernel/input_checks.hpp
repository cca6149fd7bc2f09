// Checks on a whole comparison's input, before any heavy work: rows to drop (--drop-invalid), exact
// duplicate rows (a warning), and the memory the run will need against what is available.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datakernel/compare.hpp"

namespace dk {

// Data that no model can embed: a NaN/Inf value in any model, or (cosine) an all-zero row in any model.
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
  std::uint64_t largest_file = 0;  // bytes of the largest file read whole while loading (0: already loaded)
};
MemoryShape memory_shape(const CompareInput& input);

// Approximate peak resident memory of loading (when largest_file > 0) and run_compare, in bytes: the inputs,
// the graphs and neighbour lists of every model, plus the largest of the stages (kNN, eigen-solve, bootstrap,
// reading a file). Measured against peak RSS in bench/results/memory_estimate.txt.
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
