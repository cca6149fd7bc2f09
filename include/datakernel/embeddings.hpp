// The data contract of datakernel (one contract for every stage, as in FAISS):
//
//  * An embedding matrix is n rows × dim columns of float32, stored row-major: row i is datum i,
//    value (i, c) is at values[i * dim + c]. Every model of a comparison has the same n and the same
//    datum order; dim may differ between models.
//  * Datum ids are int64 in [0, n). User-facing string ids (--ids) are only used in outputs.
//  * Readers convert float64 / float16 / bfloat16 / Fortran-order / big-endian input to this layout once,
//    at load time, and say so in the ArrayInfo they return; nothing downstream copies or converts again.
//  * A data kernel (kNN graph) is a Graph: symmetric, binary, hollow, in CSR form with int64 row offsets and
//    int32 column indices (so n < 2^31), columns sorted ascending within each row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dk {

// A borrowed n × dim row-major matrix of float32 or float64 (exactly one pointer set), e.g. a numpy array
// passed from Python without a copy. Valid while the owner lives.
struct EmbeddingsView {
  std::int64_t n = 0;
  std::int64_t dim = 0;
  const float* f32 = nullptr;
  const double* f64 = nullptr;

  double at(std::int64_t i, std::int64_t c) const { return f32 ? f32[i * dim + c] : f64[i * dim + c]; }
};

struct Embeddings {
  std::int64_t n = 0;
  std::int64_t dim = 0;
  std::vector<float> values;  // n * dim, row-major

  const float* row(std::int64_t i) const { return values.data() + i * dim; }
  float* row(std::int64_t i) { return values.data() + i * dim; }
  EmbeddingsView view() const { return EmbeddingsView{n, dim, values.data(), nullptr}; }
  operator EmbeddingsView() const { return view(); }  // NOLINT: owning matrices pass where views are taken
};

struct Graph {
  std::int64_t n = 0;
  std::vector<std::int64_t> row_offsets;  // n + 1 entries
  std::vector<std::int32_t> columns;      // row_offsets[n] entries, sorted within a row

  std::int64_t degree(std::int64_t i) const { return row_offsets[i + 1] - row_offsets[i]; }
  std::int64_t edge_count() const { return static_cast<std::int64_t>(columns.size()) / 2; }
  bool has_edge(std::int64_t i, std::int64_t j) const;
};

}  // namespace dk
