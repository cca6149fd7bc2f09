// Approximate kNN lists by HNSW (hnswlib, Debian's libhnswlib-dev): internal to the kernel stage, reached through
// knn_search (include/datakernel/kernel/knn.hpp) when the method resolves to hnsw.
#pragma once

#include "datakernel/embeddings.hpp"
#include "datakernel/kernel/knn.hpp"

namespace dk {

// The k nearest of every datum (self excluded), best first with ties by the lower index, scores as exact search
// computes them; lists.recall measured on config.recall_rows rows drawn with config.hnsw.seed.
NeighbourLists knn_search_hnsw(const EmbeddingsView& y, const KnnConfig& config);

}  // namespace dk
