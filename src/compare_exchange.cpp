#include "compare_exchange.hpp"

namespace dk {

namespace {

void write_strings(ByteWriter& out, const std::vector<std::string>& texts) {
  out.put<std::uint64_t>(texts.size());
  for (const std::string& text : texts) out.put_string(text);
}

std::vector<std::string> read_strings(ByteReader& in) {
  std::vector<std::string> texts(in.get<std::uint64_t>());
  for (std::string& text : texts) text = in.get_string();
  return texts;
}

}  // namespace

void write_model_record(ByteWriter& out, const ModelRecord& record) {
  const ModelSummary& s = record.summary;
  out.put_string(s.name);
  out.put_string(s.source);
  out.put_string(s.kind);
  out.put(s.dim);
  out.put_string(s.source_dtype);
  out.put(s.mean_degree);
  out.put(s.edges);
  out.put_string(s.knn_method);
  out.put(s.knn_recall);
  out.put(s.knn_recall_rows);
  out.put(record.graph.n);
  out.put_vector(record.graph.row_offsets);
  out.put_vector(record.graph.columns);
  const NeighbourLists& lists = record.lists;
  out.put(lists.n);
  out.put(lists.k);
  out.put_vector(lists.ids);
  out.put_vector(lists.scores);
  out.put(lists.method);
  out.put(lists.recall);
  out.put(lists.recall_rows);
  write_strings(out, record.warnings);
}

ModelRecord read_model_record(ByteReader& in) {
  ModelRecord record;
  ModelSummary& s = record.summary;
  s.name = in.get_string();
  s.source = in.get_string();
  s.kind = in.get_string();
  s.dim = in.get<std::int64_t>();
  s.source_dtype = in.get_string();
  s.mean_degree = in.get<double>();
  s.edges = in.get<std::int64_t>();
  s.knn_method = in.get_string();
  s.knn_recall = in.get<double>();
  s.knn_recall_rows = in.get<std::int64_t>();
  record.graph.n = in.get<std::int64_t>();
  record.graph.row_offsets = in.get_vector<std::int64_t>();
  record.graph.columns = in.get_vector<std::int32_t>();
  NeighbourLists& lists = record.lists;
  lists.n = in.get<std::int64_t>();
  lists.k = in.get<int>();
  lists.ids = in.get_vector<std::int64_t>();
  lists.scores = in.get_vector<float>();
  lists.method = in.get<KnnMethod>();
  lists.recall = in.get<double>();
  lists.recall_rows = in.get<std::int64_t>();
  record.warnings = read_strings(in);
  return record;
}

void write_pair_record(ByteWriter& out, const PairRecord& record) {
  const PairTest& t = record.test;
  const DatumTestResult& r = t.result;
  out.put(record.index);
  out.put(t.model_a);
  out.put(t.model_b);
  out.put(r.dim);
  out.put_vector(r.statistic);
  out.put_vector(r.p_value);
  out.put_vector(r.q_value);
  out.put_bools(r.rejected);
  out.put(r.n_rejected);
  out.put(r.empirical);
  out.put(r.edge_correlation);
  out.put(r.seconds);
  out.put_vector(t.jaccard);
  out.put_vector(t.rank_change);
  out.put<std::uint64_t>(t.dim_stability.size());
  for (const auto& [d, rho] : t.dim_stability) {
    out.put(d);
    out.put(rho);
  }
  write_strings(out, record.warnings);
}

PairRecord read_pair_record(ByteReader& in) {
  PairRecord record;
  PairTest& t = record.test;
  DatumTestResult& r = t.result;
  record.index = in.get<std::int64_t>();
  t.model_a = in.get<int>();
  t.model_b = in.get<int>();
  r.dim = in.get<int>();
  r.statistic = in.get_eigen_vector();
  r.p_value = in.get_vector<double>();
  r.q_value = in.get_vector<double>();
  r.rejected = in.get_bools();
  r.n_rejected = in.get<std::int64_t>();
  r.empirical = in.get<EmpiricalNull>();
  r.edge_correlation = in.get<double>();
  r.seconds = in.get<double>();
  t.jaccard = in.get_eigen_vector();
  t.rank_change = in.get_eigen_vector();
  t.dim_stability.resize(in.get<std::uint64_t>());
  for (auto& [d, rho] : t.dim_stability) {
    d = in.get<int>();
    rho = in.get<double>();
  }
  record.warnings = read_strings(in);
  return record;
}

}  // namespace dk
