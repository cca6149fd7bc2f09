"""The Python face of the package (issue 11): model collections, every CLI option as a keyword argument that
reaches the library's config, warnings via warnings.warn, messages in Python terms, repr / _repr_html_ /
to_pandas, scikit-learn conventions, progress by default, save() refusing a non-empty directory, a clean
namespace, and the `datakernel` console command."""
import io
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import datakernel as dk

pytestmark = pytest.mark.filterwarnings("ignore:.*selected eigenvalues are negative:datakernel.DataKernelWarning")
from datakernel import _core, _progress


def clustered(n=40, dim=8, clusters=4, seed=0, noise=0.3):
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((clusters, dim))
    return (centres[np.arange(n) % clusters] + noise * rng.standard_normal((n, dim))).astype(np.float32)


A, B, C = clustered(seed=1), clustered(seed=2), clustered(seed=3)
QUIET = dict(test="none", progress=False)


# ---- models as a list, a tuple, a mapping, file paths -------------------------------------------------------------


def test_list_tuple_and_mapping_give_the_same_result():
    by_map = dk.compare({"a": A, "b": B, "c": C}, seed=1, progress=False)
    by_list = dk.compare([A, B, C], names=["a", "b", "c"], seed=1, progress=False)
    by_tuple = dk.compare((A, B, C), names="a,b,c", seed=1, progress=False)
    for r in (by_list, by_tuple):
        assert r.names == ["a", "b", "c"]
        np.testing.assert_array_equal(r.distances, by_map.distances)
        np.testing.assert_array_equal(r.tests[0].p_value, by_map.tests[0].p_value)
    assert dk.compare([A, B], **QUIET).names == ["model_1", "model_2"]


def test_file_paths_are_models_named_like_the_cli(tmp_path):
    np.save(tmp_path / "base.npy", A)
    np.save(tmp_path / "tuned.npy", B)
    result = dk.compare([tmp_path / "base.npy", str(tmp_path / "tuned.npy")], **QUIET)
    assert result.names == ["base", "tuned"]
    np.testing.assert_array_equal(result.distances, dk.compare([A, B], **QUIET).distances)


@pytest.mark.parametrize("models,error,message", [
    (A, TypeError, "models must be a list or tuple"),
    ("a.npy", TypeError, "models must be a list or tuple"),
    (42, TypeError, "models must be a list or tuple"),
    ({1: A, 2: B}, TypeError, "keys are the model names"),
])
def test_bad_model_collections_say_what_models_must_be(models, error, message):
    with pytest.raises(error, match=message):
        dk.compare(models, **QUIET)


def test_names_with_a_mapping_or_of_the_wrong_count_are_errors():
    with pytest.raises(ValueError, match="names: give the names either"):
        dk.compare({"a": A, "b": B}, names=["x", "y"], **QUIET)
    with pytest.raises(ValueError, match="names: 3 names for 2 models"):
        dk.compare([A, B], names=["x", "y", "z"], **QUIET)
    with pytest.raises(ValueError, match="model names must be unique"):
        dk.compare([A, B], names=["x", "x"], **QUIET)


# ---- every option reaches the library's config ---------------------------------------------------------------------

# option, value, check on the run's CompareConfig (as the library saw it)
REACHES = [
    ("k", 5, lambda c: c.knn.k == 5),
    ("metric", "dot", lambda c: c.knn.metric == "dot"),
    ("knn", "hnsw", lambda c: c.knn.method == "hnsw"),
    ("knn", "clustered", lambda c: c.knn.method == "clustered"),
    ("symmetrize", "mutual", lambda c: c.knn.symmetrize == "mutual"),
    ("dim", 3, lambda c: c.omnibus.dim == 3),
    ("elbows", 1, lambda c: c.omnibus.elbows == 1),
    ("max_dim", 9, lambda c: c.omnibus.search == 9),
    ("pairwise", True, lambda c: c.pairwise),
    ("distance", "direction", lambda c: c.measures.map == "direction"),
    ("direction_dim", 4, lambda c: c.measures.direction_dim == 4),
    ("measures", "map", lambda c: not c.measures.simple),
    ("manifold_dim", 1, lambda c: c.manifold_dim == 1),
    ("test", "omnibus", lambda c: c.per_datum_tests and c.test.statistic == "omnibus"),
    ("test", "none", lambda c: not c.per_datum_tests),
    ("bootstrap", 7, lambda c: c.test.bootstrap == 7),
    ("alpha", 0.1, lambda c: c.test.alpha == 0.1),
    ("correction", "holm", lambda c: c.test.correction == "holm"),
    ("reference", "b", lambda c: c.reference == "b"),
    ("test_pair", ("c", "a"), lambda c: c.test_pair == ["c", "a"]),
    ("report_pair", ("a", "c"), lambda c: c.report_pair == ["a", "c"]),
    ("report_pair", "b,c", lambda c: c.report_pair == ["b", "c"]),
    ("seed", 2**64 - 1, lambda c: c.seed == 2**64 - 1),
    ("threads", 1, lambda c: c.knn.threads == 1 and c.test.threads == 1),
    ("drop_invalid", True, lambda c: c.input.drop_invalid),
    ("memory_limit", "8G", lambda c: c.input.memory_limit == 8 * 2**30),
    ("memory_limit", 10**12, lambda c: c.input.memory_limit == 10**12),
    ("header", "no", lambda c: c.input.header == "no"),
]


@pytest.mark.parametrize("option,value,check", REACHES, ids=[f"{o}={v}" for o, v, _ in REACHES])
def test_each_option_reaches_the_config(option, value, check):
    result = dk.compare({"a": A, "b": B, "c": C}, progress=False, **{option: value})
    assert check(result._core_result.config)


def test_bootstrap_options_reach_the_config():
    result = dk.compare({"a": A, "b": B}, test="omnibus", null="correlated", bootstrap=5, bootstrap_p="moments",
                        progress=False)
    config = result._core_result.config
    assert (config.test.null, config.test.bootstrap_p, config.test.bootstrap) == ("correlated", "moments", 5)
    assert (result.tests[0].statistic_name, result.tests[0].null) == ("omnibus", "correlated")


def test_ids_text_labels_and_metrics_reach_the_input(tmp_path):
    ids = [f"d{i}" for i in range(40)]
    result = dk.compare({"a": A, "b": B, "c": C}, ids=ids, text=[f"sentence {i}" for i in range(40)],
                        labels=np.arange(40) % 4, metrics={"acc": {"a": 0.1, "b": 0.5, "c": 0.9}}, **QUIET)
    assert result.ids == ids and result.summary()["correlations"][0]["metric"] == "acc"
    result.save(tmp_path / "out")
    assert "sentence 7" in (tmp_path / "out" / "annotations.csv").read_text()
    # the same as files, read by the library's readers
    (tmp_path / "ids.txt").write_text("\n".join(ids) + "\n")
    (tmp_path / "text.txt").write_text("\n".join(f"sentence {i}" for i in range(40)) + "\n")
    (tmp_path / "labels.txt").write_text("\n".join(str(i % 4) for i in range(40)) + "\n")
    (tmp_path / "m.csv").write_text("model,acc\na,0.1\nb,0.5\nc,0.9\n")
    from_files = dk.compare({"a": A, "b": B, "c": C}, ids=tmp_path / "ids.txt", text=str(tmp_path / "text.txt"),
                            labels=tmp_path / "labels.txt", metrics=tmp_path / "m.csv", **QUIET)
    assert from_files.ids == ids
    assert from_files.summary()["correlations"] == result.summary()["correlations"]


def test_header_reaches_the_csv_reader(tmp_path):
    rows = "\n".join(",".join(f"{v:.6f}" for v in row) for row in A)
    (tmp_path / "a.csv").write_text("x0,x1,x2,x3,x4,x5,x6,x7\n" + rows + "\n")
    np.save(tmp_path / "b.npy", B)
    files = [tmp_path / "a.csv", tmp_path / "b.npy"]
    assert dk.compare(files, header="yes", **QUIET).n == 40
    with pytest.raises(ValueError, match="header"):
        dk.compare(files, header="no", **QUIET)  # the header line read as data: not a number


# wrong values: ValueError / TypeError naming the Python parameter, never a CLI flag
BAD = [
    ("k", -1, ValueError, r"^k must be a positive integer"),
    ("k", "5", TypeError, r"^k must be an int, got str"),
    ("k", 2**40, ValueError, r"^k must be from"),
    ("metric", "l1", ValueError, r"^metric must be 'cosine', 'dot' or 'euclidean', got 'l1'"),
    ("symmetrize", 1, TypeError, r"^symmetrize must be a str"),
    ("dim", 0, ValueError, r"^dim must be 'auto' or a positive integer"),
    ("elbows", 9, ValueError, r"^elbows must be in \[1, 5\], got 9"),
    ("max_dim", 1, ValueError, r"^max_dim must be in \[2, 1000\], got 1"),
    ("pairwise", "yes", TypeError, r"^pairwise must be True or False"),
    ("manifold_dim", 0, ValueError, r"^manifold_dim must be in \[1, 100\]"),
    ("test", "t", ValueError, r"^test must be 'neighbourhood'"),
    ("null", "bayes", ValueError, r"^null must be 'empirical'"),
    ("bootstrap", 0, ValueError, r"bootstrap must be at least 1"),
    ("bootstrap_p", "exact", ValueError, r"^bootstrap_p must be 'pooled', 'count' or 'moments'"),
    ("alpha", 2.0, ValueError, r"^alpha must be in \(0, 1\)"),
    ("alpha", "0.05", TypeError, r"^alpha must be a float"),
    ("correction", "bonferroni", ValueError, r"^correction must be 'bh', 'by', 'holm' or 'none'"),
    ("reference", "zz", ValueError, r"^reference 'zz' is not one of the model names"),
    ("report_pair", ("a",), ValueError, r"^report_pair needs two model names"),
    ("report_pair", ("a", "zz"), ValueError, r"^report_pair: 'zz' is not one of the model names"),
    ("seed", -1, ValueError, r"^seed must be from 0 to 18446744073709551615"),
    ("threads", -2, ValueError, r"^threads must be 0"),
    ("header", "maybe", ValueError, r"^header must be 'auto', 'yes' or 'no'"),
    ("memory_limit", "lots", ValueError, r"^memory_limit: 'lots' is not a size"),
    ("memory_limit", 1000, RuntimeError, r"not enough memory: .*memory_limit allows"),
    ("memory_limit", 1.5, TypeError, r"^memory_limit must be an int"),
    ("drop_invalid", "no", TypeError, r"^drop_invalid must be True or False"),
    ("ids", ["x"] * 40, ValueError, r"^ids: duplicate id 'x'"),
    ("text", ["t"] * 3, ValueError, r"^text: 3 lines for n = 40 data"),
    ("labels", ["t"] * 41, ValueError, r"^labels: 41 lines for n = 40 data"),
    ("metrics", {"acc": {"a": 1.0}}, ValueError, r"^metrics: metric 'acc' has no value"),
    ("metrics", [1, 2], TypeError, r"^metrics must be a mapping"),
    ("progress", "yes", TypeError, r"^progress must be None, True, False or a callable"),
]


@pytest.mark.parametrize("option,value,error,message", BAD, ids=[f"{o}={v!r}"[:40] for o, v, _, _ in BAD])
def test_a_wrong_value_names_the_python_parameter(option, value, error, message):
    kwargs = {"progress": False, option: value}
    if option not in ("test", "null", "bootstrap", "bootstrap_p", "alpha", "correction", "reference"):
        kwargs.setdefault("test", "none")
    if option == "bootstrap":
        kwargs.update(test="omnibus", null="pooled")
    with pytest.raises(error, match=message) as raised:
        dk.compare({"a": A, "b": B, "c": C}, **kwargs)
    assert "--" not in str(raised.value)


def test_library_messages_are_rendered_in_python_terms():
    assert _core.python_terms("{max_dim} must be in [2, 1000]") == "max_dim must be in [2, 1000]"
    assert (_core.python_terms("with {bootstrap=50} the smallest p is 0.02; use {bootstrap=1000} or more (or "
                               "{correction=bh}).")
            == "with bootstrap=50 the smallest p is 0.02; use bootstrap=1000 or more (or correction='bh').")
    assert _core.python_terms("{null=pooled} needs {test=omnibus}") == "null='pooled' needs test='omnibus'"
    assert _core.python_terms("use {force} to overwrite") == "use force=True to overwrite"
    assert _core.python_terms("{drop_invalid} removed 2") == "drop_invalid=True removed 2"
    assert _core.python_terms("{quiet}; {out}") == "progress=False; directory"
    assert _core.python_terms("{header=auto}: line 1") == "header='auto': line 1"
    assert _core.python_terms("file {x}.npy and {unknown=1} stay") == "file {x}.npy and {unknown=1} stay"


# ---- warnings via warnings.warn -----------------------------------------------------------------------------------


def test_small_bootstrap_advice_is_a_warning_in_python_terms():
    with pytest.warns(dk.DataKernelWarning, match=r"with bootstrap=5 the smallest attainable p .* use bootstrap=\d+ or more") as caught:
        result = dk.compare({"a": A, "b": B}, test="omnibus", null="pooled", bootstrap=5, bootstrap_p="count",
                            progress=False)
    advice = [w for w in caught if "bootstrap=5" in str(w.message)]
    assert len(advice) == 1  # said once, before the run, though the library also records it
    assert advice[0].filename == __file__  # points at the caller
    assert any("bootstrap=5" in w for w in result.warnings)
    assert not any("--" in w for w in result.warnings)


def test_duplicate_rows_are_a_warning():
    y = A.copy()
    y[7] = y[3]
    with pytest.warns(dk.DataKernelWarning, match=r"b: 1 rows repeat an earlier row exactly \(e.g. rows 3 and 7\)"):
        dk.compare({"a": A, "b": y}, **QUIET)


def test_no_warning_for_clean_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dk.compare({"a": clustered(200, seed=1), "b": clustered(200, seed=2)}, **QUIET)


def test_drop_invalid_removes_rows_with_a_warning():
    y = A.copy()
    y[4, 2] = np.nan
    with pytest.raises(ValueError, match="row 4"):
        dk.compare({"a": y, "b": B}, **QUIET)
    with pytest.warns(dk.DataKernelWarning, match=r"drop_invalid=True removed 1 data from all models .*: 4"):
        result = dk.compare({"a": y, "b": B}, drop_invalid=True, **QUIET)
    assert result.n == 39 and result.dropped == ["4"] and "4" not in result.ids
    assert result.summary()["n"] == 39


# ---- repr, _repr_html_, to_pandas ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_result():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((2000, 16)).astype(np.float32)
    return dk.compare({"base": base, "tuned": base + 0.3 * rng.standard_normal((2000, 16)).astype(np.float32)},
                      seed=0, progress=False)


def test_repr_is_short(big_result):
    text = repr(big_result)
    assert len(text) < 1000, text
    assert "array(" not in text and "n=2000" in text and "base vs tuned" in text
    assert len(repr(big_result.tests[0])) < 200
    many = dk.compare({f"a model with a rather long name {g}": clustered(seed=g) for g in range(12)}, **QUIET)
    assert len(repr(many)) < 1000


def test_repr_html(big_result):
    page = big_result._repr_html_()
    assert page.startswith("<div") and page.endswith("</div>") and "<table>" in page and "base" in page
    escaped = dk.compare({"<b>x</b>": A, "y": B}, **QUIET)._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in escaped and "<b>x</b>" not in escaped


def test_to_pandas(big_result):
    pd = pytest.importorskip("pandas")
    frames = big_result.to_pandas()
    assert set(frames) == {"distances", "manifold", "tests"}
    assert isinstance(frames["distances"], pd.DataFrame)
    assert list(frames["distances"].index) == ["base", "tuned"]
    np.testing.assert_array_equal(frames["distances"].to_numpy(), big_result.distances)
    tests = big_result.to_pandas("tests")
    assert len(tests) == 2000 and list(tests.columns[:4]) == ["model_a", "model_b", "datum", "id"]
    np.testing.assert_array_equal(tests["p_value"].to_numpy(), big_result.tests[0].p_value)
    assert big_result.tests[0].to_pandas().shape == (2000, 6)
    with pytest.raises(ValueError, match="table must be"):
        big_result.to_pandas("nope")


def test_to_pandas_without_pandas_is_an_import_error(big_result, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        big_result.to_pandas()


def test_timings_and_summary(big_result):
    assert "stages" in big_result.timings()
    assert big_result.summary()["n"] == 2000


# ---- scikit-learn conventions -------------------------------------------------------------------------------------


def test_get_params_set_params_round_trip():
    kernel = dk.DataKernel(k=7, metric="dot")
    params = kernel.get_params()
    assert params == {"k": 7, "metric": "dot", "symmetrize": "union", "threads": 0, "progress": None}
    copy = dk.DataKernel(**params)
    assert copy.get_params() == params
    assert kernel.set_params(k=9) is kernel and kernel.k == 9
    with pytest.raises(ValueError, match="Invalid parameter 'kk' for estimator DataKernel"):
        kernel.set_params(kk=1)
    omni = dk.OmnibusEmbedding(dim=3)
    assert dk.OmnibusEmbedding(**omni.get_params()).get_params() == omni.get_params()
    assert repr(dk.DataKernel(k=7)) == "DataKernel(k=7)" and repr(dk.OmnibusEmbedding()) == "OmnibusEmbedding()"


def test_fit_transform():
    graph = dk.DataKernel(k=5).fit_transform(A)
    assert (graph != dk.DataKernel(k=5).fit(A).graph_).nnz == 0
    latent = dk.OmnibusEmbedding(dim=2, k=5).fit_transform([A, B])
    np.testing.assert_array_equal(latent, dk.OmnibusEmbedding(dim=2, k=5).fit([A, B]).latent_)
    assert latent.shape == (2, 40, 2)


def test_parameters_are_checked_at_fit_with_python_names():
    with pytest.raises(ValueError, match="^max_dim must be in"):
        dk.OmnibusEmbedding(max_dim=1).fit([A, B])
    with pytest.raises(TypeError, match="^k must be an int"):
        dk.DataKernel(k=2.5).fit(A)


def test_estimators_report_progress_and_stop_on_ctrl_c():
    calls = []
    dk.DataKernel(k=5, progress=lambda *a: calls.append(a)).fit(A)
    assert calls[0][0].startswith("kNN graph Y") and calls[-1][1] == calls[-1][2]
    calls.clear()
    dk.OmnibusEmbedding(dim=2, k=5, progress=lambda *a: calls.append(a)).fit([A, B])
    assert any(stage.startswith("omnibus eigen-solve") for stage, _, _ in calls)

    class Stop(Exception):
        pass

    def stop(*_):
        raise Stop()

    with pytest.raises(Stop):
        dk.DataKernel(progress=stop).fit(A)
    with pytest.raises(KeyboardInterrupt):
        dk.OmnibusEmbedding(progress=lambda *a: (_ for _ in ()).throw(KeyboardInterrupt())).fit([A, B])


def test_ctrl_c_interrupts_a_long_fit():
    import signal
    import threading
    import time

    y = np.random.default_rng(0).standard_normal((50000, 32)).astype(np.float32)  # tens of seconds uninterrupted
    calls = []
    # The interactive SIGINT handler, also where Python was started ignoring SIGINT (test_api.py says why).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            dk.DataKernel(k=10, progress=lambda stage, done, total: calls.append((done, total))).fit(y)
        timer.join()
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - start < 5
    assert calls and calls[-1][0] < calls[-1][1]  # stopped inside the kNN search, before its last row block


def test_scikit_learn_clone():
    base = pytest.importorskip("sklearn.base")
    clone = base.clone(dk.OmnibusEmbedding(dim=3, seed=4))
    assert clone.get_params()["dim"] == 3 and clone.get_params()["seed"] == 4


# ---- save ---------------------------------------------------------------------------------------------------------


def test_save_refuses_a_non_empty_directory_without_force(tmp_path):
    result = dk.compare({"a": A, "b": B}, **QUIET)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match=r"already holds files; use force=True"):
        result.save(out)
    assert os.listdir(out) == ["notes.txt"]
    result.save(out, force=True)
    assert {"summary.json", "notes.txt"} <= set(os.listdir(out))
    with pytest.raises(ValueError, match="force=True"):
        result.save(out)  # an earlier run's files: refused too
    result.save(out, force=True, save_kernels=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert any(name.startswith("kernel_") and name.endswith(".mtx") for name in os.listdir(out))


# ---- namespace ----------------------------------------------------------------------------------------------------


def test_namespace_is_clean():
    public = {name for name in dir(dk) if not name.startswith("_")}
    assert public == set(dk.__all__)
    assert not {"np", "os", "json", "shutil", "tempfile", "warnings", "annotations"} & public
    for name in dk.__all__:
        assert getattr(dk, name).__doc__, name
    assert dk.__version__ == _core.__version__


# ---- progress -----------------------------------------------------------------------------------------------------


def test_short_runs_are_silent_by_default(capfd):
    dk.compare({"a": A, "b": B})
    assert capfd.readouterr().err == ""


def test_progress_is_on_by_default_for_long_runs(monkeypatch, capsys):
    monkeypatch.setattr(_progress, "DELAY", 0.0)  # every run is "long"
    monkeypatch.setattr(_progress, "_tqdm", lambda: None)
    dk.compare({"a": A, "b": B}, test="omnibus", null="pooled", bootstrap=20)
    err = capsys.readouterr().err
    assert "datakernel: per-datum test" in err
    dk.compare({"a": A, "b": B}, progress=False)
    assert capsys.readouterr().err == ""


def test_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    display = _progress.Display(0.0, stream)
    for done in range(0, 101, 5):
        display("stage one", done, 100)
    display("eigen-solve", 0, 0)
    display("eigen-solve", 0, 0)
    display.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "datakernel: stage one (100 steps) ..." and "datakernel: stage one: done" in lines
    assert lines[-1] == "datakernel: eigen-solve ..."


def test_tqdm_when_installed_and_interactive(monkeypatch):
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    monkeypatch.setattr(_progress, "_interactive", lambda s: True)
    display = _progress.Display(0.0, stream)
    assert display.tqdm is not None
    for done in range(0, 10):
        display("kNN graph a", done, 10)
    assert display.bar is not None and display.bar.n == 9 and display.bar.total == 10
    display("kNN graph a", 10, 10)
    assert display.bar is None  # closed at the end of its stage
    display.close()
    assert "kNN graph a" in stream.getvalue()


# ---- the console command ------------------------------------------------------------------------------------------


def _installed() -> bool:
    return "site-packages" in dk.__file__ or "dist-packages" in dk.__file__


@pytest.mark.skipif(not _installed(), reason="the package is not pip-installed (a source checkout)")
def test_pip_install_gives_the_datakernel_command():
    command = os.path.join(os.path.dirname(sys.executable), "datakernel")
    assert os.access(command, os.X_OK), command
    out = subprocess.run([command, "--version"], capture_output=True, text=True, check=True)
    assert dk.__version__ in out.stdout
    via_module = subprocess.run([sys.executable, "-m", "datakernel", "--version"], capture_output=True, text=True,
                                check=True)
    assert dk.__version__ in via_module.stdout


@pytest.mark.skipif(not _installed(), reason="the package is not pip-installed (a source checkout)")
def test_the_command_runs_a_comparison(tmp_path):
    command = os.path.join(os.path.dirname(sys.executable), "datakernel")
    np.save(tmp_path / "a.npy", A)
    np.save(tmp_path / "b.npy", B)
    run = subprocess.run([command, "compare", str(tmp_path / "a.npy"), str(tmp_path / "b.npy"), "--quiet", "--out",
                          str(tmp_path / "out")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "summary.json").exists()
