"""The bundled demo set (data/demo/, made by examples/model_population/make_demo.py): every file the manifest
lists is there with its checksum, shape and dtype, the rows line up with data/debian's texts, labels and ids,
and metrics.csv's kNN accuracies are what the manifest says they are (recomputed here independently)."""
import csv
import hashlib
import json
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
MANIFEST = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))


def lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def metrics():
    with open(DEMO / "metrics.csv", newline="", encoding="utf-8") as f:
        return {row["model"]: row for row in csv.DictReader(f)}


def folds(labels, seed, count=5):
    """As the manifest states: seeded order, the j-th datum of each label in it goes to fold j mod count."""
    fold = np.empty(len(labels), dtype=int)
    position = {}
    for i in np.random.default_rng(seed).permutation(len(labels)):
        fold[i] = position.get(labels[i], 0) % count
        position[labels[i]] = position.get(labels[i], 0) + 1
    return fold


def knn_accuracy(X, labels, seed, k=10):
    """Out-of-fold k-NN accuracy, cosine, majority vote with a tie to the label whose nearest member is nearer."""
    X = X.astype(np.float64)
    X /= np.where((norms := np.linalg.norm(X, axis=1, keepdims=True)) > 0, norms, 1.0)
    classes, y = np.unique(labels, return_inverse=True)
    fold = folds(labels, seed)
    correct = 0
    for f in range(5):
        test, train = np.flatnonzero(fold == f), np.flatnonzero(fold != f)
        order = np.argsort(-(X[test] @ X[train].T), axis=1, kind="stable")[:, :k]
        neighbour = y[train][order]
        for row, labs in zip(test, neighbour):
            count = np.bincount(labs, minlength=len(classes))
            first = np.full(len(classes), k)
            for position in range(k - 1, -1, -1):
                first[labs[position]] = position
            correct += int(np.argmax(count * (k + 1) - first) == y[row])
    return correct / len(labels)


def test_manifest_lists_every_file_with_its_checksum_shape_and_dtype():
    n = MANIFEST["n"]
    listed = set()
    for name in MANIFEST["models"]:
        entry = MANIFEST["files"][name]
        path = (DEMO / entry["file"]).resolve()
        listed.add(path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], name
        array = np.load(path)
        assert list(array.shape) == entry["shape"] and array.shape[0] == n, name
        assert str(array.dtype) == entry["dtype"] and np.isfinite(array).all(), name
    assert {p.resolve() for p in DEMO.glob("*.npy")} <= listed, "an .npy in data/demo/ the manifest does not list"
    for key in ("texts", "labels", "ids"):
        assert len(lines(DEMO / MANIFEST[key])) == n, key


def test_the_demo_script_runs_the_manifest_models_in_order():
    script = (ROOT / "scripts" / "demo.sh").read_text(encoding="utf-8")

    def array(name):
        start = script.index(f"\n{name}=(") + len(name) + 3
        return script[start:script.index(")", start)].split()
    assert array("names") == MANIFEST["models"]
    expected = [str((DEMO / MANIFEST["files"][m]["file"]).resolve().relative_to(ROOT)) for m in MANIFEST["models"]]
    assert array("files") == expected


def test_metrics_has_every_model_and_plausible_accuracies():
    rows = metrics()
    assert list(rows) == MANIFEST["models"]
    chance = 1 / len(set(lines(DEMO / MANIFEST["labels"])))
    for row in rows.values():
        for key in ("knn_acc", "lr_acc"):
            assert 3 * chance < float(row[key]) < 1, row


@pytest.mark.parametrize("name", MANIFEST["models"])
def test_knn_accuracy_recomputed(name):
    labels = np.array(lines(DEMO / MANIFEST["labels"]))
    X = np.load(DEMO / MANIFEST["files"][name]["file"])
    recomputed = knn_accuracy(X, labels, seed=0)
    stated = float(metrics()[name]["knn_acc"])
    # Exact up to the 6 written decimals, unless a BLAS summation order breaks a similarity tie differently:
    # allow 2 of 3,000 predictions. A wrong k, fold rule or tie rule moves it by more (checked below).
    assert abs(recomputed - stated) <= 2 / len(labels) + 5e-7, (name, recomputed, stated)


def test_knn_recomputation_can_fail():
    """A known-wrong variant (k = 5, or other folds) does not reproduce e5's stated accuracy."""
    labels = np.array(lines(DEMO / MANIFEST["labels"]))
    X = np.load(DEMO / MANIFEST["files"]["e5"]["file"])
    stated = float(metrics()["e5"]["knn_acc"])
    assert abs(knn_accuracy(X, labels, seed=0, k=5) - stated) > 2 / len(labels)
    assert abs(knn_accuracy(X, labels, seed=1) - stated) > 2 / len(labels)
