// datakernel._core: the Python binding, a thin layer over the C++ library (nanobind).
//
// The options cross as one bound object, the library's CompareConfig (with its nested InputConfig, KnnConfig,
// OmnibusConfig and DatumTestConfig), whose fields the Python package sets one to one from its keyword arguments;
// the inputs as one bound Input (a dk::CompareInput that keeps the numpy arrays it borrows alive). A comparison is
// two calls: prepare() (the library's prepare_compare_input: drop invalid rows, validate, duplicate-row and
// bootstrap-size warnings, memory check) and run().
//
// Arrays cross without a copy when they are 2-D, C-contiguous float32 or float64 (checked here; the Python
// package converts anything else once, with a warning, before calling in). The GIL is released while the
// library computes; long loops poll for Ctrl-C (on the calling thread, at most every 100 ms) and stop with
// KeyboardInterrupt. Library errors map to Python exceptions, their messages in Python terms (python_terms():
// "{max_dim}" reads "max_dim", "{bootstrap=50}" reads "bootstrap=50"): dk::InputError -> ValueError,
// dk::ComputeError -> RuntimeError, dk::Cancelled -> KeyboardInterrupt.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <thread>

#include "datakernel/compare.hpp"
#include "datakernel/embed/omnibus.hpp"
#include "datakernel/error.hpp"
#include "datakernel/prepare_input.hpp"
#include "datakernel/io/array_readers.hpp"
#include "datakernel/io/model_input.hpp"
#include "datakernel/io/text_lists.hpp"
#include "datakernel/kernel/graph_builder.hpp"
#include "datakernel/kernel/knn.hpp"
#include "datakernel/population/pair_measures.hpp"
#include "datakernel/inference/multiple_testing.hpp"
#include "datakernel/report/html_report.hpp"
#include "datakernel/runtime/blas.hpp"
#include "datakernel/report/results_writer.hpp"
#include "datakernel/report/staged_output.hpp"
#include "datakernel/version.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

// ---- messages in Python terms ----------------------------------------------------------------------------

// A library message, whose options are named by key in braces ("{max_dim} must be in [2, 1000]", "use
// {bootstrap=1000} or more"), in the Python package's terms: dk::render_option_names(OptionStyle::python) ("max_dim
// must be ...", "bootstrap=1000"), with the command line's on/off flags as the keyword arguments that set them
// ("{force}" -> "force=True", "{quiet}" -> "progress=False") and --out as save()'s "directory".
std::string python_terms(const std::string& text) {
  static const std::pair<const char*, const char*> keywords[] = {
      {"{force}", "force=True"},         {"{drop_invalid}", "drop_invalid=True"}, {"{pairwise}", "pairwise=True"},
      {"{save_kernels}", "save_kernels=True"}, {"{quiet}", "progress=False"},   {"{out}", "directory"}};
  std::string out = text;
  for (const auto& [key, python] : keywords)
    for (std::size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + std::strlen(python)))
      out.replace(at, std::strlen(key), python);
  return dk::render_option_names(out, dk::OptionStyle::python);
}

// ---- arrays and graphs ---------------------------------------------------------------------------------------

using AnyArray = nb::ndarray<nb::ro, nb::device::cpu>;  // read-only views accepted (e.g. np.load(mmap_mode="r"))

// A checked, borrowed view of a 2-D C-contiguous float32/float64 array.
dk::EmbeddingsView borrow(const AnyArray& a, const std::string& what, bool check_values = true) {
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
  if (check_values) dk::check_finite(v, what);
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

// A CompareInput built from Python, holding references to the arrays it borrows.
struct PyInput {
  dk::CompareInput input;
  std::vector<nb::object> keep_alive;
  std::int64_t n() const { return input.models.empty() ? 0 : input.models.front().rows(); }
};

// ---- progress and Ctrl-C -------------------------------------------------------------------------------------

// Progress and Ctrl-C for the library: calls the Python callback (if any) and polls for signals. advance() reaches
// the callback at most every 100 ms (begin and end always do), so a default-on progress display costs little.
class PythonProgress final : public dk::ProgressSink {
 public:
  explicit PythonProgress(std::optional<nb::callable> callback)
      : callback_(std::move(callback)), main_(std::this_thread::get_id()) {}
  void begin(const std::string& stage, std::int64_t total) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stage_ = stage;
      total_ = total;
      last_call_ = std::chrono::steady_clock::now();
    }
    call(0);
  }
  void advance(std::int64_t done) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_call_ < std::chrono::milliseconds(100)) return;
      last_call_ = now;
    }
    call(done);
  }
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

  // After the run stopped with dk::Cancelled: re-raises the callback's own exception, if it raised one (the GIL
  // must be held).
  void rethrow_callback_error() {
    if (!error_) return;
    nb::python_error e = std::move(*error_);
    error_.reset();
    throw e;
  }

 private:
  void call(std::int64_t done) {
    if (!callback_ || cancelled_) return;
    nb::gil_scoped_acquire gil;
    if (error_) return;
    try {
      std::string stage;
      std::int64_t total;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stage = stage_;
        total = total_;
      }
      (*callback_)(stage, done, total);
    } catch (nb::python_error& e) {
      error_.emplace(std::move(e));  // kept (with its traceback) and re-raised by rethrow_callback_error()
      cancelled_ = true;             // an exception in the callback stops the run
    }
  }

  std::optional<nb::callable> callback_;
  std::optional<nb::python_error> error_;
  std::thread::id main_;
  std::mutex mutex_;
  std::string stage_;
  std::int64_t total_ = 0;
  std::atomic<bool> cancelled_{false};
  std::chrono::steady_clock::time_point last_poll_{}, last_call_{};
};

// One model's kNN graph as a progress stage that Ctrl-C (and an exception in the callback) can stop.
dk::Graph knn_graph_with_progress(const dk::EmbeddingsView& view, dk::KnnConfig knn, const std::string& what,
                                  PythonProgress& sink) {
  const std::int64_t k = knn.k > 0 ? knn.k : dk::default_k(view.n);
  const std::int64_t blocks = (view.n + knn.row_block - 1) / knn.row_block;
  dk::ProgressStage stage(&sink, "kNN graph " + what + " (dim " + std::to_string(view.dim) + ", k " + std::to_string(k) + ")",
                          blocks);
  knn.progress = [&](std::int64_t done) { stage.advance(done); };
  knn.cancelled = [&] { return sink.cancelled(); };
  return dk::knn_graph(view, knn);
}

// Runs `work` with the GIL released; a stop by Ctrl-C or by the callback's exception comes out as that exception.
template <class Work>
void run_released(PythonProgress& sink, Work&& work) {
  try {
    nb::gil_scoped_release release;
    work();
  } catch (const dk::Cancelled&) {
    sink.rethrow_callback_error();
    throw;
  }
  sink.rethrow_callback_error();
}

// ---- results -------------------------------------------------------------------------------------------------

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

std::vector<dk::ModelInput> model_inputs(const nb::list& inputs) {
  std::vector<dk::ModelInput> models;
  for (std::size_t g = 0; g < inputs.size(); ++g) {
    dk::ModelInput model;
    model.spec = "input " + std::to_string(g);
    nb::handle item = inputs[g];
    if (nb::isinstance<nb::tuple>(item)) model.graph = graph_of(nb::cast<Csr>(item), model.spec);
    else model.borrowed = borrow(nb::cast<AnyArray>(item), model.spec);
    models.push_back(std::move(model));
  }
  return models;
}

// An enum field of a config, read and written as its name; a bad name is a ValueError naming the parameter.
template <class C, class E, class Parse, class Name>
void enum_property(nb::class_<C>& cls, const char* python, E C::*field, Parse parse, Name name) {
  cls.def_prop_rw(
      python, [field, name](const C& c) { return std::string(name(c.*field)); },
      [field, parse, python](C& c, const std::string& value) {
        try {
          c.*field = parse(value);
        } catch (const dk::InputError& e) {
          throw dk::InputError(std::string(python) + ": " + e.what());
        }
      });
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "datakernel C++ core (see the datakernel package for the documented API)";
  m.attr("__version__") = dk::kVersion;
  m.def("blas_core", &dk::blas_core_name, "the kernel family OpenBLAS chose when it was loaded (e.g. SkylakeX)");
  m.def("blas_threads", &dk::blas_threads, "OpenBLAS's thread count");
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const dk::InputError& e) {
      PyErr_SetString(PyExc_ValueError, python_terms(e.what()).c_str());
    } catch (const dk::ComputeError& e) {
      PyErr_SetString(PyExc_RuntimeError, python_terms(e.what()).c_str());
    } catch (const dk::Cancelled& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
  });
  m.def("python_terms", &python_terms, "text"_a);

  // ---- the options object ----
  nb::class_<dk::KnnConfig> knn(m, "KnnConfig");
  knn.def(nb::init<>()).def_rw("k", &dk::KnnConfig::k).def_rw("threads", &dk::KnnConfig::threads);
  enum_property(knn, "metric", &dk::KnnConfig::metric, dk::parse_metric, dk::metric_name);
  enum_property(knn, "method", &dk::KnnConfig::method, dk::parse_knn_method, dk::knn_method_name);
  knn.def_rw("approximate_from", &dk::KnnConfig::approximate_from).def_rw("recall_rows", &dk::KnnConfig::recall_rows);
  enum_property(
      knn, "symmetrize", &dk::KnnConfig::symmetrize,
      [](const std::string& s) {
        if (s != "union" && s != "mutual") throw dk::InputError("must be 'union' or 'mutual', got '" + s + "'");
        return s == "mutual" ? dk::Symmetrize::mutual : dk::Symmetrize::union_of_both;
      },
      [](dk::Symmetrize s) { return s == dk::Symmetrize::mutual ? "mutual" : "union"; });

  nb::class_<dk::OmnibusConfig>(m, "OmnibusConfig")
      .def(nb::init<>())
      .def_rw("dim", &dk::OmnibusConfig::dim)
      .def_rw("elbows", &dk::OmnibusConfig::elbows)
      .def_rw("search", &dk::OmnibusConfig::search)
      .def_rw("seed", &dk::OmnibusConfig::seed);

  nb::class_<dk::DatumTestConfig> test(m, "DatumTestConfig");
  test.def(nb::init<>())
      .def_rw("bootstrap", &dk::DatumTestConfig::bootstrap)
      .def_rw("alpha", &dk::DatumTestConfig::alpha)
      .def_rw("threads", &dk::DatumTestConfig::threads);
  enum_property(test, "statistic", &dk::DatumTestConfig::statistic, dk::parse_test_statistic, dk::test_statistic_name);
  enum_property(test, "null", &dk::DatumTestConfig::null, dk::parse_null_model, dk::null_model_name);
  enum_property(test, "bootstrap_p", &dk::DatumTestConfig::bootstrap_p, dk::parse_bootstrap_p, dk::bootstrap_p_name);
  enum_property(test, "correction", &dk::DatumTestConfig::correction, dk::parse_correction, dk::correction_name);

  nb::class_<dk::InputConfig> input(m, "InputConfig");
  input.def(nb::init<>())
      .def_rw("drop_invalid", &dk::InputConfig::drop_invalid)
      .def_rw("memory_limit", &dk::InputConfig::memory_limit);
  enum_property(input, "header", &dk::InputConfig::header, dk::parse_header_mode, [](dk::HeaderMode h) {
    return h == dk::HeaderMode::yes ? "yes" : h == dk::HeaderMode::no ? "no" : "auto";
  });

  nb::class_<dk::PairMeasureConfig> measures(m, "PairMeasureConfig");
  measures.def(nb::init<>())
      .def_rw("direction_dim", &dk::PairMeasureConfig::direction_dim)
      .def_rw("normalised_dim", &dk::PairMeasureConfig::normalised_dim)
      .def_rw("simple", &dk::PairMeasureConfig::simple);
  enum_property(measures, "map", &dk::PairMeasureConfig::map, dk::parse_pair_measure, dk::pair_measure_name);

  nb::class_<dk::CompareConfig>(m, "CompareConfig")
      .def(nb::init<>())
      .def_rw("input", &dk::CompareConfig::input)
      .def_rw("knn", &dk::CompareConfig::knn)
      .def_rw("omnibus", &dk::CompareConfig::omnibus)
      .def_rw("pairwise", &dk::CompareConfig::pairwise)
      .def_rw("measures", &dk::CompareConfig::measures)
      .def_rw("manifold_dim", &dk::CompareConfig::manifold_dim)
      .def_rw("per_datum_tests", &dk::CompareConfig::per_datum_tests)
      .def_rw("test", &dk::CompareConfig::test)
      .def_rw("reference", &dk::CompareConfig::reference)
      .def_rw("report_pair", &dk::CompareConfig::report_pair)
      .def_rw("test_pair", &dk::CompareConfig::test_pair)
      .def_rw("seed", &dk::CompareConfig::seed)
      .def("validate", [](const dk::CompareConfig& c) { dk::validate_compare_config(c); });

  // ---- the inputs ----
  nb::class_<PyInput>(m, "Input")
      .def(nb::init<>())
      .def("add_array",
           [](PyInput& self, const std::string& name, nb::object array, bool check_values) {
             dk::ModelInput model;
             model.spec = name;
             model.borrowed = borrow(nb::cast<AnyArray>(array), name, check_values);
             self.keep_alive.push_back(array);
             self.input.names.push_back(name);
             self.input.models.push_back(std::move(model));
           },
           "name"_a, "array"_a, "check_values"_a = true)
      .def("add_graph",
           [](PyInput& self, const std::string& name, const Csr& csr) {
             dk::ModelInput model;
             model.spec = name;
             model.graph = graph_of(csr, name);
             self.input.names.push_back(name);
             self.input.models.push_back(std::move(model));
           },
           "name"_a, "csr"_a)
      .def("add_file",
           [](PyInput& self, const std::string& name, const std::string& spec, const dk::CompareConfig& config) {
             dk::ModelInput model;
             {
               nb::gil_scoped_release release;
               model = dk::load_model(spec, !config.input.drop_invalid, config.input.header);
             }
             self.input.names.push_back(name);
             self.input.models.push_back(std::move(model));
           },
           "name"_a, "spec"_a, "config"_a)
      .def_prop_ro("n", &PyInput::n)
      .def_prop_ro("names", [](const PyInput& self) { return self.input.names; })
      .def_prop_rw("ids", [](const PyInput& self) { return self.input.ids; },
                   [](PyInput& self, std::vector<std::string> v) { self.input.ids = std::move(v); })
      .def_prop_rw("texts", [](const PyInput& self) { return self.input.texts; },
                   [](PyInput& self, std::vector<std::string> v) { self.input.texts = std::move(v); })
      .def_prop_rw("labels", [](const PyInput& self) { return self.input.labels; },
                   [](PyInput& self, std::vector<std::string> v) { self.input.labels = std::move(v); })
      .def_prop_rw("sources", [](const PyInput& self) { return self.input.sources; },
                   [](PyInput& self, std::map<std::string, std::string> v) { self.input.sources = std::move(v); })
      .def_prop_ro("dropped", [](const PyInput& self) { return self.input.dropped; })
      .def("set_metrics",
           [](PyInput& self, std::vector<std::string> names, std::vector<std::vector<double>> values) {
             for (const auto& v : values)
               if (v.size() != self.input.names.size()) throw dk::InputError("metrics: every metric needs one value per model");
             dk::MetricsTable table;
             table.metric_names = std::move(names);
             table.values = std::move(values);
             self.input.metrics = std::move(table);
           },
           "names"_a, "values"_a)
      .def("read_metrics",
           [](PyInput& self, const std::string& path) {
             self.input.metrics = dk::read_metrics(path, self.input.names);
             self.input.sources["metrics"] = path;
           },
           "path"_a)
      .def("read_ids",
           [](PyInput& self, const std::string& path) {
             self.input.ids = dk::read_ids(path, self.n());
             self.input.sources["ids"] = path;
           },
           "path"_a)
      .def("read_lines",
           [](PyInput& self, const std::string& what, const std::string& path) {
             std::vector<std::string> lines = dk::read_lines(path, self.n(), what);
             if (what == "text") self.input.texts = std::move(lines);
             else if (what == "labels") self.input.labels = std::move(lines);
             else throw dk::InputError("read_lines: 'text' or 'labels', got '" + what + "'");
             self.input.sources[what] = path;
           },
           "what"_a, "path"_a);

  m.def("default_model_names", &dk::default_model_names, "specs"_a);
  m.def("parse_byte_size", &dk::parse_byte_size, "text"_a);

  // The library's preparation of in-memory models (drop invalid rows, validate, duplicate-row warnings, memory
  // check, bootstrap-size advice); returns the warnings in Python terms.
  m.def(
      "prepare",
      [](PyInput& py, const dk::CompareConfig& config) {
        std::vector<std::string> warnings = dk::prepare_compare_input(py.input, config);
        for (auto& w : warnings) w = python_terms(w);
        return warnings;
      },
      "input"_a, "config"_a);

  m.def(
      "knn_graph",
      [](AnyArray y, const dk::CompareConfig& config, std::optional<nb::callable> progress) {
        const dk::EmbeddingsView view = borrow(y, "Y");
        dk::validate_compare_config(config);  // the same option checks as compare and the CLI
        dk::validate_for_knn(view, config.knn, "Y");
        PythonProgress sink(std::move(progress));
        dk::Graph g;
        run_released(sink, [&] { g = knn_graph_with_progress(view, config.knn, "Y", sink); });
        const std::size_t rows = g.row_offsets.size(), nnz = g.columns.size();
        return std::make_pair(to_numpy(std::move(g.row_offsets), {rows}), to_numpy(std::move(g.columns), {nnz}));
      },
      "Y"_a, "config"_a, "progress"_a = nb::none());

  m.def(
      "omnibus",
      [](nb::list inputs, const dk::CompareConfig& config, std::optional<nb::callable> progress) {
        const auto models = model_inputs(inputs);
        if (models.empty()) throw dk::InputError("fit needs at least one embedding matrix or graph");
        dk::validate_compare_config(config);  // the same option checks as compare and the CLI
        std::vector<dk::Graph> graphs;
        dk::OmnibusEmbedding e;
        for (const auto& model : models)
          if (model.has_embeddings()) dk::validate_for_knn(model.view(), config.knn, model.spec);
        PythonProgress sink(std::move(progress));
        run_released(sink, [&] {
          for (std::size_t g = 0; g < models.size(); ++g)
            graphs.push_back(models[g].graph ? *models[g].graph
                                             : knn_graph_with_progress(models[g].view(), config.knn, models[g].spec, sink));
          if (sink.cancelled()) throw dk::Cancelled("cancelled");
          dk::ProgressStage stage(&sink, "omnibus eigen-solve (" + std::to_string(graphs.size()) + " graphs)", 0);
          std::vector<const dk::Graph*> pointers;
          for (const auto& g : graphs) pointers.push_back(&g);
          e = dk::embed_omnibus(pointers, config.omnibus);
        });
        std::vector<double> values(e.eigenvalues.data(), e.eigenvalues.data() + e.eigenvalues.size());
        return nb::make_tuple(matrix_to_numpy(e.latent), to_numpy(std::move(values), {static_cast<std::size_t>(e.eigenvalues.size())}),
                              e.dim, e.dim_rule, e.near_degenerate);
      },
      "inputs"_a, "config"_a, "progress"_a = nb::none());

  nb::class_<dk::CompareResult>(m, "CompareResult")
      .def_prop_ro("names", [](const dk::CompareResult& r) { return r.names; })
      .def_prop_ro("ids", [](const dk::CompareResult& r) { return r.ids; })
      .def_prop_ro("dropped", [](const dk::CompareResult& r) { return r.dropped; })
      .def_prop_ro("n", [](const dk::CompareResult& r) { return r.n; })
      .def_prop_ro("k", [](const dk::CompareResult& r) { return r.k; })
      .def_prop_ro("dim", [](const dk::CompareResult& r) { return r.joint.dim; })
      .def_prop_ro("dim_rule", [](const dk::CompareResult& r) { return r.joint.dim_rule; })
      .def_prop_ro("config", [](const dk::CompareResult& r) { return r.config; })
      .def("distances", [](const dk::CompareResult& r) { return matrix_to_numpy(r.distances); })
      .def("manifold", [](const dk::CompareResult& r) { return matrix_to_numpy(r.manifold.coordinates); })
      .def("measures",
           [](const dk::CompareResult& r) {
             nb::list out;  // (name, definition, m×m matrix, [(metric, spearman, spearman_p, pearson, pearson_p)])
             for (const dk::PairMeasure& measure : r.measures) {
               nb::list correlations;
               for (const auto& c : measure.correlations)
                 correlations.append(nb::make_tuple(c.metric, c.spearman, c.spearman_p, c.pearson, c.pearson_p,
                                                    c.permutations, c.exact));
               out.append(nb::make_tuple(measure.name, measure.definition, matrix_to_numpy(measure.distances),
                                         correlations));
             }
             return out;
           })
      .def("eigenvalues", [](const dk::CompareResult& r) {
        std::vector<double> v(r.joint.eigenvalues.data(), r.joint.eigenvalues.data() + r.joint.eigenvalues.size());
        const std::size_t size = v.size();
        return to_numpy(std::move(v), {size});
      })
      .def_prop_ro("warnings", [](const dk::CompareResult& r) {
        std::vector<std::string> out;
        for (const auto& w : r.warnings) out.push_back(python_terms(w));
        return out;
      })
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
      .def("summary_json", [](const dk::CompareResult& r) { return dk::summary_json(r, dk::OptionStyle::python).dump(); })
      .def("timings_json", [](const dk::CompareResult& r) { return dk::timings_json(r).dump(); })
      .def(
          "save",
          [](const dk::CompareResult& r, const std::string& dir, bool force, bool save_kernels) {
            nb::gil_scoped_release release;
            dk::StagedOutput out = dk::StagedOutput::open(dir, force);
            dk::write_results(r, out, save_kernels, dk::OptionStyle::python);
            out.commit();
          },
          "directory"_a, "force"_a = false, "save_kernels"_a = false);

  m.def(
      "run",
      [](const PyInput& py, const dk::CompareConfig& config, std::optional<nb::callable> progress) {
        PythonProgress sink(std::move(progress));
        dk::CompareResult result;
        try {
          nb::gil_scoped_release release;
          result = dk::run_compare(py.input, config, &sink);
        } catch (const dk::Cancelled&) {
          sink.rethrow_callback_error();  // the callback's exception, as raised; else KeyboardInterrupt
          throw;
        }
        sink.rethrow_callback_error();  // raised by the last call, after the run's final cancellation check
        return result;
      },
      "input"_a, "config"_a, "progress"_a = nb::none());

  m.def("render_report", [](const std::string& dir) { return dk::render_report(dir); }, "results_dir"_a);
}
