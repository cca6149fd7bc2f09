// Matrix Market (.mtx) reader for a precomputed data kernel: an n×n coordinate matrix, "pattern" or
// 0/1 "integer"/"real" entries, "symmetric" (lower or upper triangle given) or "general" (then it must be
// symmetric). Self loops are rejected. The result is a Graph (embeddings.hpp), used as the model's kernel.
#pragma once

#include <string>

#include "datakernel/embeddings.hpp"

namespace dk {

Graph read_matrix_market_graph(const std::string& path);
// Every write checked (io/checked_file.hpp); label names the file in messages (default: path).
void write_matrix_market_graph(const Graph& graph, const std::string& path, const std::string& label = {});

}  // namespace dk
