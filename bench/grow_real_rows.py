"""n rows made from real embeddings, for kNN benchmarks beyond the real set's size.

Usage: grow_real_rows.py SOURCE.npy N OUT.npy [SEED]
Row j is source row (j mod n0) plus isotropic Gaussian noise whose expected norm is half the source's median
distance to its nearest neighbour (measured on 1,000 seeded rows), then scaled back to the source row's norm. The
first n0 rows are the source itself; the copies sit near their originals, roughly as new texts near old ones, so
each neighbourhood holds originals and copies of several texts.
"""
import sys

import numpy as np


def main():
    source, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    base = np.load(source).astype(np.float32)
    n0, d = base.shape
    rng = np.random.default_rng(seed)
    x = base / np.linalg.norm(base, axis=1, keepdims=True)
    sample = rng.choice(n0, size=min(1000, n0), replace=False)
    dist = np.sqrt(np.maximum(2 - 2 * (x[sample] @ x.T), 0))
    dist[np.arange(len(sample)), sample] = np.inf
    sigma = 0.5 * float(np.median(dist.min(axis=1))) / np.sqrt(d)
    y = np.empty((n, d), dtype=np.float32)
    norms = np.linalg.norm(base, axis=1)
    for start in range(0, n, n0):
        rows = np.arange(start, min(n, start + n0)) % n0
        block = base[rows] if start == 0 else base[rows] + sigma * norms[rows, None] * rng.standard_normal((len(rows), d), dtype=np.float32)
        if start:
            block *= (norms[rows] / np.linalg.norm(block, axis=1))[:, None]
        y[start:start + len(rows)] = block
    np.save(out, y)
    print(f"{out}: {n} x {d} from {source} (noise sd {sigma:.4g} x row norm per coordinate)")


if __name__ == "__main__":
    main()
