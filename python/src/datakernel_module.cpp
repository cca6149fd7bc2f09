// datakernel._core: the Python binding, a thin layer over the C++ library (nanobind).
//
// Arrays cross without a copy when they are 2-D, C-contiguous float32 or float64 (checked here; the Python
// package converts anything else once, with a warning, before calling in). The GIL is released while the
// library computes; long loops poll for Ctrl-C (on the calling thread, at most every 100 ms) and stop with
// KeyboardInterrupt. Library errors map to Python exceptions with the same messages as the CLI:
// dk::InputError -> ValueError, dk::ComputeError -> RuntimeError, dk::Cancelled -> KeyboardInterrupt.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <limits>
#include <filesystem>
#include <thread>

#include "datakernel/compare.hpp"
#include "datakernel/embed/omnibus.hpp"
#include "datakernel/error.hpp"
#include "datakernel/io/array_readers.hpp"
#include "datakernel/kernel/graph_builder.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/report/html_report.hpp"
#include "datakernel/report/results_writer.hpp"
#include "datakernel/version.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using AnyArray = nb::ndarray<nb::ro, nb::device::cpu>;  // read-only views accepted (e.g. np.load(mmap_mode="r"))

// A checked, borrowed view of a 2-D C-contiguous float32/float64 array.
dk::EmbeddingsView borrow(const AnyArray& a, const std::string& what) {
  if (a.ndim() != 2) throw dk::InputError(what + ": expected a 2-D array (n data × dim), got " + std::to_string(a.ndim()) + "-D");
  const bool f32 = a.dtype() == nb::dtype<float>(), f64 = a.dtype() == nb::dtype<double>();
  if (!f32 && !f64) throw dk::InputError(what + ": dtype must be float32 or float64");
  const std::int64_t n = static_cast<std::int64_t>(a.shape(0)), dim = static_cast<std::int64_t>(a.shape(1));
  if (n == 0 || dim == 0) throw dk::InputError(what + ": empty array");
  if (a.stride(1) != 1 || a.stride(0) != dim) throw dk::InputError(what + ": array must be C-contiguous");
  dk::EmbeddingsView v;
  v.n = n;
  v.dim = dim;
  if (f32) v.f32 = static_cast<const float*>(a.data());
  else v.f64 = static_cast<const double*>(a.data());
  dk::check_finite(v, what);
  return v;
}

using Csr = std::tuple<nb::ndarray<const std::int64_t, nb::ndim<1>, nb::c_contig>,
                       nb::ndarray<const std::int64_t, nb::ndim<1>, nb::c_contig>, std::int64_t>;

dk::Graph graph_of(const Csr& csr, const std::string& what) {
  const auto& [indptr, indices, n] = csr;
  if (n < 0 || static_cast<std::int64_t>(indptr.shape(0)) != n + 1)
    throw dk::InputError(what + ": indptr must have n + 1 entries");
  return dk::graph_from_csr(n, indptr.data(), indices.data(), static_cast<std::int64_t>(indices.shape(0)), what);
}

// Progress and Ctrl-C for the library: calls the Python callback (if any) and polls for signals.
class PythonProgress final : public dk::ProgressSink {
 public:
  explicit PythonProgress(std::optional<nb::callable> callback)
      : callback_(std::move(callback)), main_(std::this_thread::get_id()) {}
  void begin(const std::string& stage, std::int64_t total) override {
    stage_ = stage;
    total_ = total;
    call(0);
  }
  void advance(std::int64_t done) override { call(done); }
  void end() override { call(total_); }
  void message(const std::string&) override {}
  bool cancelled() override {
    if (cancelled_) return true;
    if (std::this_thread::get_id() != main_) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_poll_ < std::chrono::milliseconds(100)) return false;
    last_poll_ = now;
    nb::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      PyErr_Clear();  // re-raised as KeyboardInterrupt from dk::Cancelled
      cancelled_ = true;
    }
    return cancelled_;
  }

 private:
  void call(std::int64_t done) {
    if (!callback_ || cancelled_) return;
    nb::gil_scoped_acquire gil;
    if (error_) return;
    try {
      (*callback_)(stage_, done, total_);
    } catch (nb::python_error& e) {
      error_.emplace(std::move(e));  // kept (with its traceback) and re-raised by rethrow_callback_error()
      cancelled_ = true;             // an exception in the callback stops the run
    }
  }

 public:
  // After the run stopped with dk::Cancelled: re-raises the callback's own exception, if it raised one (the GIL
  // must be held).
  void rethrow_callback_error() {
    if (!error_) return;
    nb::python_error e = std::move(*error_);
    error_.reset();
    throw e;
  }

 private:
  std::optional<nb::callable> callback_;
  std::optional<nb::python_error> error_;
  std::thread::id main_;
  std::string stage_;
  std::int64_t total_ = 0;
  std::atomic<bool> cancelled_{false};
  std::chrono::steady_clock::time_point last_poll_{};
};

template <class T>
nb::ndarray<nb::numpy, T> to_numpy(std::vector<T> values, std::initializer_list<std::size_t> shape) {
  auto* owner = new std::vector<T>(std::move(values));
  nb::capsule free(owner, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T>(owner->data(), shape, free);
}

nb::ndarray<nb::numpy, double> matrix_to_numpy(const Eigen::MatrixXd& m) {
  std::vector<double> values(static_cast<std::size_t>(m.size()));
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) values[r * m.cols() + c] = m(r, c);
  return to_numpy(std::move(values), {static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())});
}

std::vector<dk::ModelInput> model_inputs(const nb::list& inputs, const std::vector<std::string>& names) {
  std::vector<dk::ModelInput> models;
  for (std::size_t g = 0; g < inputs.size(); ++g) {
    dk::ModelInput model;
    model.spec = g < names.size() ? names[g] : "model " + std::to_string(g + 1);
    nb::handle item = inputs[g];
    if (nb::isinstance<nb::tuple>(item)) {
      model.graph = graph_of(nb::cast<Csr>(item), model.spec);
    } else {
      model.borrowed = borrow(nb::cast<AnyArray>(item), model.spec);
    }
    models.push_back(std::move(model));
  }
  return models;
}

dk::KnnConfig knn_config(std::optional<int> k, const std::string& metric, const std::string& symmetrize, int threads) {
  dk::KnnConfig c;
  c.k = k ? (*k > 0 ? *k : -1) : 0;  // an explicit k <= 0 is invalid (validate_compare_config), None = default
  c.metric = dk::parse_metric(metric);
  if (symmetrize != "union" && symmetrize != "mutual")
    throw dk::InputError("symmetrize must be 'union' or 'mutual', got '" + symmetrize + "'");
  c.symmetrize = symmetrize == "mutual" ? dk::Symmetrize::mutual : dk::Symmetrize::union_of_both;
  c.threads = threads;
  return c;
}

int parse_dim(const nb::object& dim) {
  if (nb::isinstance<nb::str>(dim)) {
    if (nb::cast<std::string>(dim) == "auto") return 0;
    throw dk::InputError("dim must be 'auto' or a positive integer");
  }
  const int d = nb::cast<int>(dim);
  if (d < 1) throw dk::InputError("dim must be 'auto' or a positive integer");
  return d;
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "datakernel C++ core (see the datakernel package for the documented API)";
  m.attr("__version__") = dk::kVersion;
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const dk::InputError& e) {
      PyErr_SetString(PyExc_ValueError, dk::render_option_names(e.what(), dk::OptionStyle::python).c_str());
    } catch (const dk::ComputeError& e) {
      PyErr_SetString(PyExc_RuntimeError, dk::render_option_names(e.what(), dk::OptionStyle::python).c_str());
    } catch (const dk::Cancelled& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
  });

  m.def(
      "knn_graph",
      [](AnyArray y, std::optional<int> k, const std::string& metric, const std::string& symmetrize, int threads) {
        const dk::EmbeddingsView view = borrow(y, "Y");
        const dk::KnnConfig config = knn_config(k, metric, symmetrize, threads);
        {
          dk::CompareConfig checked;  // the same option checks as compare and the CLI
          checked.knn = config;
          checked.per_datum_tests = false;
          dk::validate_compare_config(checked);
        }
        dk::validate_for_knn(view, config, "Y");
        dk::Graph g;
        {
          nb::gil_scoped_release release;
          g = dk::knn_graph(view, config);
        }
        const std::size_t rows = g.row_offsets.size(), nnz = g.columns.size();
        return std::make_pair(to_numpy(std::move(g.row_offsets), {rows}), to_numpy(std::move(g.columns), {nnz}));
      },
      "Y"_a, "k"_a = nb::none(), "metric"_a = "cosine", "symmetrize"_a = "union", "threads"_a = 0);

  m.def(
      "omnibus",
      [](nb::list inputs, std::optional<int> k, const std::string& metric, const std::string& symmetrize,
         nb::object dim, int elbows, int max_dim, std::uint64_t seed, int threads) {
        const auto models = model_inputs(inputs, {});
        if (models.empty()) throw dk::InputError("fit needs at least one embedding matrix or graph");
        const dk::KnnConfig knn = knn_config(k, metric, symmetrize, threads);
        dk::OmnibusConfig config;
        config.dim = parse_dim(dim);
        config.elbows = elbows;
        config.search = max_dim;
        config.seed = seed;
        {
          dk::CompareConfig checked;  // the same option checks as compare and the CLI
          checked.knn = knn;
          checked.omnibus = config;
          checked.per_datum_tests = false;
          dk::validate_compare_config(checked);
        }
        std::vector<dk::Graph> graphs;
        dk::OmnibusEmbedding e;
        for (const auto& model : models)
          if (model.has_embeddings()) dk::validate_for_knn(model.view(), knn, model.spec);
        {
          nb::gil_scoped_release release;
          for (const auto& model : models) graphs.push_back(model.graph ? *model.graph : dk::knn_graph(model.view(), knn));
          std::vector<const dk::Graph*> pointers;
          for (const auto& g : graphs) pointers.push_back(&g);
          e = dk::embed_omnibus(pointers, config);
        }
        std::vector<double> values(e.eigenvalues.data(), e.eigenvalues.data() + e.eigenvalues.size());
        return nb::make_tuple(matrix_to_numpy(e.latent), to_numpy(std::move(values), {static_cast<std::size_t>(e.eigenvalues.size())}),
                              e.dim, e.dim_rule, e.near_degenerate);
      },
      "inputs"_a, "k"_a = nb::none(), "metric"_a = "cosine", "symmetrize"_a = "union", "dim"_a = "auto",
      "elbows"_a = 2, "max_dim"_a = 0, "seed"_a = 0, "threads"_a = 0);

  nb::class_<dk::CompareResult>(m, "CompareResult")
      .def_prop_ro("names", [](const dk::CompareResult& r) { return r.names; })
      .def_prop_ro("n", [](const dk::CompareResult& r) { return r.n; })
      .def_prop_ro("k", [](const dk::CompareResult& r) { return r.k; })
      .def_prop_ro("dim", [](const dk::CompareResult& r) { return r.joint.dim; })
      .def("distances", [](const dk::CompareResult& r) { return matrix_to_numpy(r.distances); })
      .def("manifold", [](const dk::CompareResult& r) { return matrix_to_numpy(r.manifold.coordinates); })
      .def_prop_ro("warnings", [](const dk::CompareResult& r) { return r.warnings; })
      .def("tests",
           [](const dk::CompareResult& r) {
             nb::list out;
             for (const auto& t : r.tests) {
               const auto& x = t.result;
               std::vector<double> statistic(x.statistic.data(), x.statistic.data() + x.statistic.size());
               std::vector<std::uint8_t> rejected(x.rejected.begin(), x.rejected.end());
               const std::size_t n = statistic.size();
               std::vector<double> jaccard(t.jaccard.data(), t.jaccard.data() + t.jaccard.size());
               std::vector<double> rank_change(t.rank_change.data(), t.rank_change.data() + t.rank_change.size());
               if (rank_change.empty()) rank_change.assign(n, std::numeric_limits<double>::quiet_NaN());
               out.append(nb::make_tuple(r.names[t.model_a], r.names[t.model_b], to_numpy(std::move(statistic), {n}),
                                         to_numpy(std::vector<double>(x.p_value), {n}),
                                         to_numpy(std::vector<double>(x.q_value), {n}),
                                         to_numpy(std::move(rejected), {n}), to_numpy(std::move(jaccard), {n}),
                                         to_numpy(std::move(rank_change), {n}),
                                         dk::test_statistic_name(x.config.statistic),
                                         dk::null_model_name(x.config.null)));
             }
             return out;
           })
      .def("summary_json", [](const dk::CompareResult& r) { return dk::summary_json(r).dump(); })
      .def("save", [](const dk::CompareResult& r, const std::string& dir) {
        nb::gil_scoped_release release;
        dk::write_results(r, dir);
      });

  m.def(
      "compare",
      [](nb::list inputs, std::vector<std::string> names, std::optional<int> k, const std::string& metric,
         const std::string& symmetrize, nb::object dim, int elbows, int max_dim, bool pairwise, int manifold_dim,
         const std::string& test, int bootstrap, const std::string& bootstrap_p, const std::string& null, double alpha, const std::string& correction,
         const std::string& reference, std::uint64_t seed, int threads, std::vector<std::string> ids,
         std::vector<std::string> metric_names, std::vector<std::vector<double>> metric_values,
         std::optional<nb::callable> progress) {
        dk::CompareInput input;
        input.names = names;
        input.models = model_inputs(inputs, names);
        input.ids = std::move(ids);
        if (!metric_names.empty()) {
          dk::MetricsTable table;
          table.metric_names = std::move(metric_names);
          table.values = std::move(metric_values);
          for (const auto& v : table.values)
            if (v.size() != names.size()) throw dk::InputError("metrics: every metric needs one value per model");
          input.metrics = std::move(table);
        }
        dk::CompareConfig config;
        config.knn = knn_config(k, metric, symmetrize, threads);
        config.omnibus.dim = parse_dim(dim);
        config.omnibus.elbows = elbows;
        config.omnibus.search = max_dim;
        config.pairwise = pairwise;
        config.manifold_dim = manifold_dim;
        config.per_datum_tests = test != "none";
        if (config.per_datum_tests) config.test.statistic = dk::parse_test_statistic(test);
        config.test.bootstrap = bootstrap;
        config.test.bootstrap_p = dk::parse_bootstrap_p(bootstrap_p);
        config.test.null = dk::parse_null_model(null);
        config.test.alpha = alpha;
        config.test.correction = dk::parse_correction(correction);
        config.test.threads = threads;
        config.reference = reference;
        config.seed = seed;
        dk::validate_compare_input(input, config);
        PythonProgress sink(std::move(progress));
        dk::CompareResult result;
        try {
          nb::gil_scoped_release release;
          result = dk::run_compare(input, config, &sink);
        } catch (const dk::Cancelled&) {
          sink.rethrow_callback_error();  // the callback's exception, as raised; else KeyboardInterrupt
          throw;
        }
        sink.rethrow_callback_error();  // raised by the last call, after the run's final cancellation check
        return result;
      },
      "inputs"_a, "names"_a, "k"_a = nb::none(), "metric"_a = "cosine", "symmetrize"_a = "union", "dim"_a = "auto",
      "elbows"_a = 2, "max_dim"_a = 0, "pairwise"_a = false, "manifold_dim"_a = 2, "test"_a = "neighbourhood",
      "bootstrap"_a = 1000, "bootstrap_p"_a = "pooled", "null"_a = "empirical", "alpha"_a = 0.05, "correction"_a = "bh", "reference"_a = "", "seed"_a = 0,
      "threads"_a = 0, "ids"_a = std::vector<std::string>{}, "metric_names"_a = std::vector<std::string>{},
      "metric_values"_a = std::vector<std::vector<double>>{}, "progress"_a = nb::none());

  m.def("render_report", [](const std::string& dir) { return dk::render_report(dir); }, "results_dir"_a);
}
