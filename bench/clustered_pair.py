#!/usr/bin/env python3
"""Writes a synthetic pair of models with known moved data (the simulations of the per-datum test study).

usage: clustered_pair.py OUT_DIR --n 3000 --clusters 12 --dim 32 --jitter 0.5 --moved 0.04 --seed 1
Model a: `clusters` Gaussian clusters (centres 3·N(0, I), spread 1) in `dim` dimensions. Model b: model a plus
isotropic jitter of `jitter` × the cluster spread for every datum; a share `moved` of the data is moved to
another cluster (their offset from the centre kept). Writes a.npy, b.npy (float32) and moved.txt (0-based rows).
"""
import argparse
import os

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--clusters", type=int, default=12)
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--jitter", type=float, default=0.5)
    ap.add_argument("--moved", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    centres = 3.0 * rng.standard_normal((args.clusters, args.dim))
    label = rng.integers(0, args.clusters, args.n)
    a = centres[label] + rng.standard_normal((args.n, args.dim))
    b = a + args.jitter * rng.standard_normal(a.shape)
    moved = np.flatnonzero(rng.random(args.n) < args.moved)
    new = (label[moved] + 1 + rng.integers(0, args.clusters - 1, len(moved))) % args.clusters
    b[moved] += centres[new] - centres[label[moved]]
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "a.npy"), a.astype(np.float32))
    np.save(os.path.join(args.out, "b.npy"), b.astype(np.float32))
    np.savetxt(os.path.join(args.out, "moved.txt"), moved, fmt="%d")


if __name__ == "__main__":
    main()
