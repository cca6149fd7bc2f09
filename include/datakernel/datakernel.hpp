// datakernel's public C++ API, in one include: <datakernel/datakernel.hpp>. Link datakernel::datakernel
// (find_package(datakernel CONFIG) after `cmake --install`).
//
// Data contract (embeddings.hpp): a model's embeddings are a row-major n×p float32 matrix, one row per datum,
// the same n data in the same order for every model; graphs are symmetric CSR with int64 offsets.
//
// The pipeline, one header per stage:
//   io/          read embedding files (.npy .npz .safetensors .fvecs .csv .tsv, .mtx graphs), ids, texts, labels
//   kernel/      the data kernel of a model: its kNN graph
//   embed/       adjacency spectral embedding, the matrix-free omnibus operator, the dimension rule
//   inference/   the per-datum test: which data did model b place differently from model a
//   population/  model distances and simpler population measures, the classical-MDS model map, correlations with
//                downstream metrics
//   report/      summary.json, CSV files and the HTML report, written all or nothing
// compare.hpp runs the whole comparison in one call (run_compare) from one options object (CompareConfig).
#pragma once

#include "datakernel/version.hpp"
#include "datakernel/error.hpp"
#include "datakernel/embeddings.hpp"
#include "datakernel/io/array_readers.hpp"
#include "datakernel/io/model_input.hpp"
#include "datakernel/io/text_lists.hpp"
#include "datakernel/kernel/graph_builder.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/embed/symmetric_operator.hpp"
#include "datakernel/embed/omnibus.hpp"
#include "datakernel/embed/dimension.hpp"
#include "datakernel/inference/multiple_testing.hpp"
#include "datakernel/inference/empirical_null.hpp"
#include "datakernel/inference/neighbourhood_shift.hpp"
#include "datakernel/inference/datum_test.hpp"
#include "datakernel/population/model_distance.hpp"
#include "datakernel/population/cmds.hpp"
#include "datakernel/population/correlation.hpp"
#include "datakernel/population/pair_measures.hpp"
#include "datakernel/runtime/communicator.hpp"
#include "datakernel/runtime/progress.hpp"
#include "datakernel/runtime/blas.hpp"
#include "datakernel/runtime/memory_usage.hpp"
#include "datakernel/compare.hpp"
#include "datakernel/prepare_input.hpp"
#include "datakernel/report/staged_output.hpp"
#include "datakernel/report/results_writer.hpp"
#include "datakernel/report/html_report.hpp"
#include "datakernel/simulate/simulate.hpp"
