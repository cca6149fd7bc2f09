#include "io/matrix_market.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "datakernel/error.hpp"
#include "io/checked_file.hpp"
#include "datakernel/kernel/graph_builder.hpp"

namespace dk {

Graph read_matrix_market_graph(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open file");
  std::string line;
  if (!std::getline(in, line)) throw InputError(path + ": empty .mtx file");
  std::string banner, object, format, field, symmetry;
  {
    std::istringstream words(line);
    words >> banner >> object >> format >> field >> symmetry;
  }
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  if (banner != "%%MatrixMarket" || lower(object) != "matrix" || lower(format) != "coordinate")
    throw InputError(path + ": not a Matrix Market coordinate file (first line: " + line + ")");
  field = lower(field);
  symmetry = lower(symmetry);
  if (field != "pattern" && field != "integer" && field != "real")
    throw InputError(path + ": unsupported Matrix Market field '" + field + "' (pattern, integer or real 0/1)");
  if (symmetry != "symmetric" && symmetry != "general")
    throw InputError(path + ": unsupported Matrix Market symmetry '" + symmetry + "' (symmetric or general)");
  long long line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line[0] != '%') break;
  }
  long long rows = 0, cols = 0, entries = 0;
  {
    std::istringstream words(line);
    if (!(words >> rows >> cols >> entries) || !(words >> std::ws).eof())
      throw InputError(path + ": malformed size line " + std::to_string(line_number) + " (expected 'ROWS COLS ENTRIES')");
  }
  if (rows != cols) throw InputError(path + ": a data kernel must be square, got " + std::to_string(rows) + "×" + std::to_string(cols));
  if (rows < 2 || rows >= (1LL << 31)) throw InputError(path + ": unsupported size n = " + std::to_string(rows));
  if (entries < 0 || entries > rows * rows) throw InputError(path + ": implausible entry count " + std::to_string(entries));
  // Checked before allocating for n vertices: a data kernel gives every datum neighbours, so n cannot much
  // exceed twice the number of stored entries.
  if (rows > 2 * entries + 1024)
    throw InputError(path + ": declares n = " + std::to_string(rows) + " but only " + std::to_string(entries) +
                     " entries: most data would have no neighbours");
  EdgeList edges(rows);
  for (long long e = 0; e < entries; ++e) {
    if (!std::getline(in, line)) throw InputError(path + ": truncated: expected " + std::to_string(entries) + " entries, found " + std::to_string(e));
    ++line_number;
    std::istringstream words(line);
    long long i = 0, j = 0;
    double value = 1.0;
    if (!(words >> i >> j) || (field != "pattern" && !(words >> value)))
      throw InputError(path + ": malformed entry on line " + std::to_string(line_number));
    if (!(words >> std::ws).eof())
      throw InputError(path + ": line " + std::to_string(line_number) + ": unexpected text after the entry (expected '" +
                       (field == "pattern" ? "I J" : "I J VALUE") + "')");
    if (i < 1 || i > rows || j < 1 || j > rows)
      throw InputError(path + ": line " + std::to_string(line_number) + ": index out of range");
    if (value != 0.0 && value != 1.0)
      throw InputError(path + ": line " + std::to_string(line_number) + ": entry " + std::to_string(value) + " is not 0/1 (a data kernel is binary)");
    if (i == j) throw InputError(path + ": line " + std::to_string(line_number) + ": self loop at datum " + std::to_string(i) + " (a data kernel is hollow)");
    if (value == 1.0) edges.add(i - 1, j - 1);
  }
  Graph graph = symmetry == "symmetric" ? edges.build(Symmetrize::union_of_both) : edges.build(Symmetrize::none);
  if (symmetry == "general") {
    for (std::int64_t i = 0; i < graph.n; ++i)
      for (std::int64_t p = graph.row_offsets[i]; p < graph.row_offsets[i + 1]; ++p)
        if (!graph.has_edge(graph.columns[p], i))
          throw InputError(path + ": the matrix is not symmetric (entry " + std::to_string(i + 1) + "," +
                           std::to_string(graph.columns[p] + 1) + " has no mirror); a data kernel must be symmetric");
  }
  // A data kernel gives every datum k >= 1 neighbours: a graph whose data mostly have none is not one (e.g. a
  // kernel of a subset, or 0-based indices shifted into a larger n).
  std::int64_t isolated = 0, first_isolated = -1;
  for (std::int64_t i = 0; i < graph.n; ++i)
    if (graph.row_offsets[i + 1] == graph.row_offsets[i]) {
      if (isolated++ == 0) first_isolated = i;
    }
  if (isolated * 2 > graph.n)
    throw InputError(path + ": " + std::to_string(isolated) + " of n = " + std::to_string(graph.n) +
                     " data have no neighbour (e.g. datum " + std::to_string(first_isolated + 1) +
                     "); a data kernel gives every datum its k nearest neighbours");
  return graph;
}

void write_matrix_market_graph(const Graph& graph, const std::string& path, const std::string& label) {
  CheckedFile out(path, label);
  out.write("%%MatrixMarket matrix coordinate pattern symmetric\n");
  out.print("{} {} {}\n", graph.n, graph.n, graph.edge_count());
  for (std::int64_t i = 0; i < graph.n; ++i)
    for (std::int64_t p = graph.row_offsets[i]; p < graph.row_offsets[i + 1]; ++p)
      if (graph.columns[p] < i) out.print("{} {}\n", i + 1, graph.columns[p] + 1);
  out.close();
}

}  // namespace dk
