#!/usr/bin/env python3
"""How much of the clustered kNN search's scoring the per-datum probe rule would do twice if both cells' tiles
scored the pairs whose data probe each other's cells (bench/results/knn_clustered_once.txt).

A numpy stand-in for the library's partition (spherical k-means on 32 seeded rows per cell, 6 iterations,
round(sqrt n) cells, each datum probing its 24 nearest centroids): prints the score entries of all tiles and the
share of them that are pairs scored twice (x of cell a probes b and y of b probes a).
    python3 bench/knn_clustered_pairs.py EMBEDDINGS.npy
"""
import sys

import numpy as np

PROBES = 24
y = np.load(sys.argv[1], mmap_mode="r")
n = y.shape[0]
cells = int(round(np.sqrt(n)))
rng = np.random.default_rng(100)
sample = np.array(y[np.sort(rng.choice(n, min(n, 32 * cells), replace=False))], dtype=np.float32)
sample /= np.linalg.norm(sample, axis=1, keepdims=True)
centroids = sample[rng.choice(len(sample), cells, replace=False)].copy()
for _ in range(6):
    nearest = np.argmax(sample @ centroids.T, axis=1)
    for c in range(cells):
        members = nearest == c
        if members.any():
            s = sample[members].sum(0)
            centroids[c] = s / np.linalg.norm(s)
home = np.empty(n, np.int64)
probed = np.zeros((cells, cells))  # probed[a, b]: data of cell a that probe cell b
for start in range(0, n, 20000):
    block = np.array(y[start:start + 20000], dtype=np.float32)
    block /= np.linalg.norm(block, axis=1, keepdims=True)
    scores = block @ centroids.T
    home[start:start + 20000] = np.argmax(scores, axis=1)
    top = np.argpartition(-scores, PROBES, axis=1)[:, :PROBES]
    np.add.at(probed, (np.repeat(home[start:start + 20000], PROBES), top.ravel()), 1)
sizes = np.bincount(home, minlength=cells).astype(float)
entries = (probed * sizes[None, :]).sum()
cross = probed.copy()
np.fill_diagonal(cross, 0)
twice = (cross * cross.T).sum() / 2
print(f"n = {n}, {cells} cells, {PROBES} probes: {entries:.3e} score entries, {twice:.3e} of them pairs scored twice "
      f"({twice / entries:.3f}); own-cell tiles {np.diag(probed) @ sizes / entries:.3f} of the entries")
