"""Python API: behaviour, errors, zero-copy rules, Ctrl-C, and parity with the command line."""
import csv
import json
import os
import signal
import subprocess
import threading
import time
import warnings

import numpy as np
import pytest
import scipy.sparse

import datakernel as dk

CLI = os.environ.get("DATAKERNEL_CLI", "build/datakernel")


def clustered(n=300, dim=16, clusters=6, seed=0, noise=0.3):
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((clusters, dim))
    return (centres[np.arange(n) % clusters] + noise * rng.standard_normal((n, dim))).astype(np.float32)


def brute_force_knn(y, k):
    z = y / np.linalg.norm(y, axis=1, keepdims=True)
    s = z.astype(np.float64) @ z.T.astype(np.float64)
    np.fill_diagonal(s, -np.inf)
    a = np.zeros_like(s, dtype=bool)
    for i in range(len(y)):
        order = np.lexsort((np.arange(len(y)), -s[i]))  # score descending, then lower index
        a[i, order[:k]] = True
    return a | a.T


def test_data_kernel_matches_brute_force():
    y = clustered(200, seed=1)
    kernel = dk.DataKernel(k=7).fit(y)
    assert kernel is not None and kernel.n_ == 200
    assert isinstance(kernel.graph_, scipy.sparse.csr_matrix)
    np.testing.assert_array_equal(kernel.graph_.toarray().astype(bool), brute_force_knn(y, 7))


def test_float32_and_float64_cross_without_conversion():
    y = clustered(150, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any ConversionWarning fails the test
        a = dk.DataKernel(k=6).fit(y).graph_
        b = dk.DataKernel(k=6).fit(y.astype(np.float64)).graph_
    assert (a != b).nnz == 0


def test_read_only_memory_maps_are_used_in_place(tmp_path):
    y = clustered(150, seed=14)
    np.save(tmp_path / "y.npy", y)
    mapped = np.load(tmp_path / "y.npy", mmap_mode="r")
    assert not mapped.flags.writeable
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph = dk.DataKernel(k=6).fit(mapped).graph_
    assert (graph != dk.DataKernel(k=6).fit(y).graph_).nnz == 0


def test_other_layouts_are_converted_once_with_a_warning():
    y = clustered(120, seed=3)
    with pytest.warns(dk.ConversionWarning, match="not C-contiguous"):
        a = dk.DataKernel(k=5).fit(np.asfortranarray(y)).graph_
    with pytest.warns(dk.ConversionWarning, match="int64"):
        dk.DataKernel(k=5).fit(np.round(y * 10).astype(np.int64))
    assert (a != dk.DataKernel(k=5).fit(y).graph_).nnz == 0


def test_omnibus_embedding_against_dense_matrix():
    ys = [clustered(120, seed=4), clustered(120, seed=4, noise=0.5)]
    graphs = [dk.DataKernel(k=6).fit(y).graph_ for y in ys]
    model = dk.OmnibusEmbedding(dim=4).fit(graphs)
    assert model.latent_.shape == (2, 120, 4) and model.dim_ == 4
    aug = [g.toarray().astype(float) + np.diag(g.toarray().sum(1) / 119.0) for g in graphs]
    omni = np.block([[(aug[i] + aug[j]) / 2 for j in range(2)] for i in range(2)])
    values = np.linalg.eigvalsh(omni)
    top = values[np.argsort(-np.abs(values))][:5]
    np.testing.assert_allclose(model.eigenvalues_, top, rtol=1e-8)
    # the same from the embeddings directly (same k)
    direct = dk.OmnibusEmbedding(dim=4, k=6).fit(ys)
    np.testing.assert_allclose(direct.latent_, model.latent_, atol=1e-8)


def test_compare_result_shapes_and_summary(tmp_path):
    ys = {"a": clustered(200, seed=5), "b": clustered(200, seed=5, noise=0.4), "c": clustered(200, seed=6)}
    progress = []
    result = dk.compare(ys, test="omnibus", null="pooled", bootstrap=50, seed=2,
                        metrics={"acc": {"a": 0.9, "b": 0.8, "c": 0.5}},
                        progress=lambda stage, done, total: progress.append((stage, done, total)))
    assert result.names == ["a", "b", "c"]
    assert result.distances.shape == (3, 3) and np.allclose(result.distances, result.distances.T)
    assert result.manifold.shape == (3, 2)
    assert [(t.model_a, t.model_b) for t in result.tests] == [("a", "b"), ("a", "c"), ("b", "c")]
    t = result.tests[0]
    assert t.p_value.shape == (200,) and t.rejected.dtype == bool
    assert np.all((t.p_value > 0) & (t.p_value <= 1)) and np.all(t.q_value >= t.p_value - 1e-15)
    summary = result.summary()
    assert summary["models"] == ["a", "b", "c"] and summary["correlations"][0]["metric"] == "acc"
    assert any(stage.startswith("per-datum test") and total == 50 for stage, _, total in progress)
    assert (t.statistic_name, t.null) == ("omnibus", "pooled")
    default = dk.compare(ys, seed=2).tests[0]
    assert (default.statistic_name, default.null) == ("neighbourhood", "empirical")
    assert default.jaccard.shape == (200,) and np.all((default.jaccard >= 0) & (default.jaccard <= 1))
    assert default.rank_change.shape == (200,) and np.all((default.rank_change >= 0) & (default.rank_change <= 1))
    assert np.all((default.p_value > 0) & (default.p_value <= 1))
    result.save(tmp_path / "out")
    assert {"summary.json", "report.html", "datum_tests.csv"} <= set(os.listdir(tmp_path / "out"))
    result.report(tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


def test_errors_are_value_errors_with_the_cli_message(tmp_path):
    y = clustered(100, seed=7)
    np.save(tmp_path / "a.npy", y)
    np.save(tmp_path / "b.npy", y[:90])
    a, b = str(tmp_path / "a.npy"), str(tmp_path / "b.npy")
    cli = subprocess.run([CLI, "compare", a, b, "--quiet", "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert cli.returncode == 2
    cli_message = cli.stderr.strip().splitlines()[-1].removeprefix("datakernel: error: ")
    with pytest.raises(ValueError) as error:
        dk.compare({a: y, b: y[:90]})
    assert str(error.value) == cli_message
    bad = y.copy()
    bad[4, 2] = np.nan
    with pytest.raises(ValueError, match="row 4 .* NaN"):
        dk.DataKernel().fit(bad)
    with pytest.raises(ValueError, match="must be smaller than the number of data"):
        dk.DataKernel(k=100).fit(y)
    with pytest.raises(ValueError, match="at least 2 models"):
        dk.compare({"only": y})
    with pytest.raises(ValueError, match="unknown model"):
        dk.compare({"a": y, "b": y}, metrics={"m": {"a": 1, "zz": 2}}, test="none")
    with pytest.raises(ValueError, match="not symmetric"):
        dk.OmnibusEmbedding(dim=2).fit([scipy.sparse.csr_matrix(np.triu(np.ones((5, 5)), 1))])


def test_parity_with_the_cli(tmp_path):
    ys = [clustered(250, seed=8), clustered(250, seed=8, noise=0.45), clustered(250, seed=9)]
    files = []
    for g, y in enumerate(ys):
        files.append(str(tmp_path / f"m{g}.npy"))
        np.save(files[-1], y)
    out = tmp_path / "cli"
    subprocess.run([CLI, "compare", *files, "--names", "a,b,c", "--seed", "3", "--quiet",
                    "--out", str(out)], check=True, capture_output=True)
    summary = json.loads((out / "summary.json").read_text())
    result = dk.compare(dict(zip("abc", ys)), seed=3)
    assert result.distances.tolist() == summary["model_distances"]
    assert result.manifold.tolist() == summary["manifold"]
    rows = list(csv.DictReader(open(out / "datum_tests.csv")))
    for t in result.tests:
        cli_p = [float(r["p_value"]) for r in rows if (r["model_a"], r["model_b"]) == (t.model_a, t.model_b)]
        assert cli_p == t.p_value.tolist()
        cli_jaccard = [float(r["jaccard"]) for r in rows if (r["model_a"], r["model_b"]) == (t.model_a, t.model_b)]
        assert cli_jaccard == t.jaccard.tolist()


def test_gil_is_released_during_computation():
    ys = {"a": clustered(1500, seed=10), "b": clustered(1500, seed=11)}
    done = threading.Event()
    worker = threading.Thread(target=lambda: (dk.compare(ys, test="omnibus", null="pooled", bootstrap=200), done.set()))
    ticks = 0
    worker.start()
    while not done.is_set() and worker.is_alive():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    assert ticks > 50  # the main thread kept running while the library computed


def test_ctrl_c_interrupts_a_long_run():
    ys = {"a": clustered(2000, seed=12), "b": clustered(2000, seed=13)}
    # Python leaves SIGINT ignored when it was started ignoring it (a background job of a non-interactive shell,
    # nohup, some CI runners): Ctrl-C then never reaches any Python program. Give this test the interactive
    # handler, as an interactive session has it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            dk.compare(ys, test="omnibus", null="pooled", bootstrap=100000)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - start < 30
