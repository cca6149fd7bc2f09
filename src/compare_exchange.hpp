// What the ranks of a distributed comparison pass each other (docs/distributed.md), packed into byte buffers:
// a model's data kernel with its neighbour lists, summary and warnings (built on the rank that owns the model,
// then shared with every rank), and a tested pair with its warnings (tested on one rank, gathered to rank 0).
#pragma once

#include <string>
#include <vector>

#include "datakernel/compare.hpp"
#include "runtime/byte_buffer.hpp"

namespace dk {

// One model's share of the kNN stage.
struct ModelRecord {
  ModelSummary summary;
  Graph graph;
  NeighbourLists lists;  // empty when neither the tests nor the overlap measures need them
  std::vector<std::string> warnings;
};

void write_model_record(ByteWriter& out, const ModelRecord& record);
ModelRecord read_model_record(ByteReader& in);

// One tested pair (its DatumTestResult's config is not packed: the receiver sets it).
struct PairRecord {
  std::int64_t index = 0;  // position in test_pairs()
  PairTest test;
  std::vector<std::string> warnings;
};

void write_pair_record(ByteWriter& out, const PairRecord& record);
PairRecord read_pair_record(ByteReader& in);

}  // namespace dk
