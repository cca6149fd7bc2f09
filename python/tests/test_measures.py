"""Population measures beside the model distance (issue 12): every matrix exposed on the result and in the summary,
checked against numpy brute force (kNN Jaccard / mutual kNN from explicit lists, CKA from the n×n HSIC formula),
each measure's correlations with the metrics, the map's choice (`distance`), and the saved CSV files."""
import csv
import os

import numpy as np
import pytest
import scipy.sparse
from scipy.stats import pearsonr, spearmanr

import datakernel as dk

pytestmark = pytest.mark.filterwarnings("ignore::datakernel.DataKernelWarning")

NAMES = ["a", "b", "c", "d"]


def models(n=240, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((n, 12))
    out = {}
    for g, name in enumerate(NAMES):
        noise = 0.2 + 0.3 * g
        y = base @ rng.standard_normal((12, 10 + 2 * g)) + noise * rng.standard_normal((n, 10 + 2 * g))
        out[name] = (y + 0.5).astype(np.float32)  # non-zero column means: CKA must centre
    return out


METRICS = {"acc": {"a": 0.9, "b": 0.8, "c": 0.6, "d": 0.55}, "f1": {"a": 0.3, "b": 0.5, "c": 0.45, "d": 0.7}}


@pytest.fixture(scope="module")
def run():
    ys = models()
    return ys, dk.compare(ys, metrics=METRICS, test="none", progress=False, seed=1)


def knn_lists(y, k):
    z = y.astype(np.float64) / np.linalg.norm(y.astype(np.float64), axis=1, keepdims=True)
    s = z @ z.T
    np.fill_diagonal(s, -np.inf)
    return [set(np.lexsort((np.arange(len(y)), -s[i]))[:k].tolist()) for i in range(len(y))]


def cka_hsic(x, y):
    n = len(x)
    h = np.eye(n) - 1.0 / n
    k = h @ (x.astype(np.float64) @ x.T.astype(np.float64)) @ h
    l = h @ (y.astype(np.float64) @ y.T.astype(np.float64)) @ h
    return np.sum(k * l) / np.sqrt(np.sum(k * k) * np.sum(l * l))


def test_every_measure_is_exposed_and_symmetric(run):
    _, r = run
    assert list(r.measures) == ["omnibus", "direction", "normalised_omnibus", "knn_jaccard", "mutual_knn", "linear_cka"]
    for name, m in r.measures.items():
        assert m.shape == (4, 4), name
        np.testing.assert_array_equal(m, m.T)
        np.testing.assert_array_equal(np.diag(m), 0.0)
        assert r.measure_definitions[name]
    assert r.distance == "normalised_omnibus"  # the default map
    np.testing.assert_array_equal(r.measures["normalised_omnibus"], r.distances)
    assert "rows L2-normalised" in r.measure_definitions["knn_jaccard"]


def test_knn_measures_and_cka_match_brute_force(run):
    ys, r = run
    lists = {name: knn_lists(y, r.k) for name, y in ys.items()}
    for g, a in enumerate(NAMES):
        for h, b in enumerate(NAMES):
            if g == h:
                continue
            shared = np.array([len(x & y) for x, y in zip(lists[a], lists[b])])
            jaccard = 1 - np.mean(shared / (2 * r.k - shared))
            assert r.measures["knn_jaccard"][g, h] == pytest.approx(jaccard, abs=1e-12)
            assert r.measures["mutual_knn"][g, h] == pytest.approx(1 - np.mean(shared / r.k), abs=1e-12)
            assert r.measures["linear_cka"][g, h] == pytest.approx(1 - cka_hsic(ys[a], ys[b]), abs=1e-9)


def test_each_measure_is_correlated_with_each_metric(run):
    _, r = run
    assert len(r.measure_correlations) == 6 * 2
    iu = np.triu_indices(4, 1)
    for c in r.measure_correlations:
        f = np.array([METRICS[c["metric"]][x] for x in NAMES])
        gap = np.abs(f[:, None] - f[None, :])[iu]
        d = r.measures[c["measure"]][iu]
        assert c["spearman"] == pytest.approx(spearmanr(d, gap)[0], abs=1e-12)
        assert c["pearson"] == pytest.approx(pearsonr(d, gap)[0], abs=1e-12)
        assert c["exact"] and c["permutations"] == 24 and 0 < c["spearman_p"] <= 1
    s = r.summary()
    assert [m["name"] for m in s["pair_measures"]] == list(r.measures)
    for m in s["pair_measures"]:
        np.testing.assert_allclose(np.array(m["distances"]), r.measures[m["name"]], rtol=0, atol=0)
    assert s["distance"] == "normalised_omnibus"
    for best in s["best_measure"]:
        top = max((c for c in r.measure_correlations if c["metric"] == best["metric"]), key=lambda c: c["spearman"])
        assert best["measure"] == top["measure"] and best["spearman"] == top["spearman"]


def test_distance_chooses_the_map(run):
    ys, r = run
    direction = dk.compare(ys, metrics=METRICS, test="none", progress=False, seed=1, distance="direction",
                           direction_dim=4)
    np.testing.assert_array_equal(direction.distances, direction.measures["direction"])
    assert direction.distance == "direction"
    assert direction.summary()["pair_measures"][1]["dim"] == min(4, direction.dim)
    if direction.dim > 4:
        assert not np.array_equal(direction.measures["direction"], r.measures["direction"])
    only = dk.compare(ys, test="none", progress=False, distance="knn_jaccard", measures="map")
    assert list(only.measures) == ["knn_jaccard"]
    np.testing.assert_allclose(only.distances, r.measures["knn_jaccard"], atol=1e-15)


def test_saved_csv_files(run, tmp_path):
    _, r = run
    r.save(tmp_path / "out")
    for name, m in r.measures.items():
        with open(os.path.join(tmp_path, "out", f"model_distances_{name}.csv"), newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == ["model", *NAMES]
        np.testing.assert_allclose(np.array([[float(x) for x in row[1:]] for row in rows[1:]]), m, rtol=1e-15)


def test_graph_inputs_and_bad_options():
    ys = models(n=120)
    a = scipy.sparse.csr_matrix(np.kron(np.eye(12), np.ones((10, 10))) - np.eye(120))
    with pytest.raises(ValueError, match=r"distance linear_cka needs every model as embeddings"):
        dk.compare({"a": ys["a"], "g": a, "b": ys["b"]}, test="none", progress=False, distance="linear_cka")
    r = dk.compare({"a": ys["a"], "g": a, "b": ys["b"]}, test="none", progress=False)
    assert list(r.measures) == ["omnibus", "direction", "normalised_omnibus", "knn_jaccard"]
    with pytest.raises(ValueError, match=r"^distance must be"):
        dk.compare(ys, test="none", progress=False, distance="cka")
    with pytest.raises(ValueError, match=r"direction_dim must be a positive integer"):
        dk.compare(ys, test="none", progress=False, direction_dim=0)
