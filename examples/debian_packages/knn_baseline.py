#!/usr/bin/env python3
"""knn_baseline.py - exact-kNN Jaccard baseline for "which data did model B move".

Usage: knn_baseline.py [--dir /work/realdata/debian3000] [--k 17] [--out FILE]

For each intervention pair (e5 vs e5_replaced / e5_appended / e5_control) in DIR:
exact cosine kNN (k neighbours, self excluded, ties broken by index) of both
embeddings with numpy; per datum the Jaccard distance of the DIRECTED neighbour
sets, 1 - |N_A(i) & N_B(i)| / |N_A(i) | N_B(i)|; then precision@|moved| of
ranking data by that distance (fraction of the top-|moved| data that are in
DIR/moved.txt; ties in the ranking broken by a stable sort on index), and mean
distance over moved vs unmoved data. Prints the table and writes it to --out
(default DIR/knn_baseline.txt). Deterministic, no randomness.
"""
import argparse
import os
import time

import numpy as np


def knn(X, k, block=2048):
    """Indices (n, k) of the k nearest rows by cosine similarity, self excluded."""
    X = X.astype(np.float64)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    n = len(X)
    out = np.empty((n, k), dtype=np.int64)
    for s in range(0, n, block):
        S = X[s:s + block] @ X.T
        S[np.arange(len(S)), np.arange(s, s + len(S))] = -np.inf
        # sort by (-similarity, index): lexsort's last key is primary
        thr = -np.partition(-S, k - 1, axis=1)[:, k - 1]  # k-th largest similarity
        for r in range(len(S)):
            c = np.flatnonzero(S[r] >= thr[r])  # all candidates incl. ties at the k-th
            o = np.lexsort((c, -S[r, c]))[:k]
            out[s + r] = c[o]
    return out


def jaccard_dist(NA, NB):
    k = NA.shape[1]
    inter = np.array([len(np.intersect1d(a, b, assume_unique=True)) for a, b in zip(NA, NB)])
    return 1.0 - inter / (2 * k - inter)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default="/work/realdata/debian3000")
    ap.add_argument("--k", type=int, default=17)
    ap.add_argument("--out")
    a = ap.parse_args()
    load = lambda name: np.load(os.path.join(a.dir, name))  # noqa: E731
    moved = np.loadtxt(os.path.join(a.dir, "moved.txt"), dtype=np.int64, ndmin=1)
    E = load("e5.npy")
    n, m = len(E), len(moved)
    is_moved = np.zeros(n, bool)
    is_moved[moved] = True
    t0 = time.time()
    NA = knn(E, a.k)
    lines = [f"kNN Jaccard baseline: {a.dir}  n={n}  k={a.k}  |moved|={m}",
             f"{'pair':24s} {'prec@|moved|':>12s} {'meanJ moved':>12s} {'meanJ unmoved':>14s} "
             f"{'#J>0':>6s}"]
    for other in ("e5_replaced", "e5_appended", "e5_control"):
        path = os.path.join(a.dir, other + ".npy")
        if not os.path.exists(path):
            continue
        D = jaccard_dist(NA, knn(load(other + ".npy"), a.k))
        top = np.argsort(-D, kind="stable")[:m]
        prec = is_moved[top].mean()
        lines.append(f"{'e5 vs ' + other:24s} {prec:12.3f} {D[is_moved].mean():12.3f} "
                     f"{D[~is_moved].mean():14.3f} {(D > 0).sum():6d}")
    lines.append(f"(chance precision = {m / n:.3f}; took {time.time() - t0:.1f} s)")
    text = "\n".join(lines)
    print(text)
    with open(a.out or os.path.join(a.dir, "knn_baseline.txt"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
