#!/usr/bin/env python3
"""norm_share.py - how much of the omnibus model distance is per-datum length (not direction).

Usage: norm_share.py --pop DIR [--models a,b,...] [--dims 8,13,64]
For each pair: share = sum_i (|Z_g[i]| - |Z_h[i]|)^2 / ||Z_g - Z_h||_F^2 (the part of the squared
distance a pure change of row lengths explains), and the correlation over data of the row length
|Z_g[i]| with datum i's degree in model g's kernel. Also checks the identity
Z_g - Z_h = 1/2 (A~_g - A~_h) S L^-1 |L|^1/2, S = sum_g U_g.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import population_study as ps  # noqa: E402  (sets one BLAS thread)
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--pop", required=True)
ap.add_argument("--models", default="")
ap.add_argument("--dims", default="8,13,64")
ap.add_argument("--k", type=int, default=17)
a = ap.parse_args()
meta = json.load(open(os.path.join(a.pop, "models.json")))
names = [m["name"] for m in meta["models"]]
if a.models:
    names = a.models.split(",")
Xs = [np.load(os.path.join(a.pop, nm + ".npy")) for nm in names]
m, n = len(Xs), Xs[0].shape[0]
As = [ps.union_graph(ps.knn_lists(X, a.k)) for X in Xs]
vals, vecs = ps.omnibus_eigs(As, 65, 0)
deg = [np.asarray(A.sum(1)).ravel() for A in As]
for d in [int(x) for x in a.dims.split(",")]:
    U = vecs[:, :d]
    Z = U * np.sqrt(np.abs(vals[:d]))
    Zb = [Z[g * n:(g + 1) * n] for g in range(m)]
    S = sum(U[g * n:(g + 1) * n] for g in range(m))
    At = [A + sp.diags(dg / (n - 1)) for A, dg in zip(As, deg)]
    scale = np.sqrt(np.abs(vals[:d])) / vals[:d]
    ident = max(np.abs(Zb[g] - Zb[h] - 0.5 * ((At[g] - At[h]) @ S) * scale).max()
                for g in range(m) for h in range(g + 1, m))
    shares = []
    for g in range(m):
        for h in range(g + 1, m):
            rn = np.linalg.norm(Zb[g], axis=1) - np.linalg.norm(Zb[h], axis=1)
            shares.append(np.sum(rn ** 2) / np.linalg.norm(Zb[g] - Zb[h]) ** 2)
    rc = [np.corrcoef(np.linalg.norm(Zb[g], axis=1), deg[g])[0, 1] for g in range(m)]
    print(f"d = {d:3d}: identity max|err| {ident:.2g}; row-length share of squared distance: median "
          f"{np.median(shares):.3f} [min {np.min(shares):.3f}, max {np.max(shares):.3f}]; "
          f"corr(row length, degree) per model median {np.median(rc):.3f} [min {np.min(rc):.3f}, max {np.max(rc):.3f}]")
    print("   degree CV per model:", " ".join(f"{nm}:{np.std(dg) / np.mean(dg):.2f}" for nm, dg in zip(names, deg)))
