#!/usr/bin/env python3
"""The authors' per-datum test procedure, with graspologic, on graphs given as Matrix Market files.

Follows the authors' public helper code: X̂ = ASE(A1) at d; for b = 1..B draw A_b ~ RDPG(X̂X̂ᵀ) with
graspologic's rdpg (P clipped to [0, 1], hollow, undirected); embed (A1, A_b) with OmnibusEmbed at d;
T_i⁽ᵇ⁾ = ‖Z¹_i − Zᵇ_i‖. The observed statistic comes from OmnibusEmbed of (A1, A2) at the same d.
p_i = (1 + #{b : T_i⁽ᵇ⁾ ≥ T_i}) / (B + 1).

Usage: authors_procedure.py A1.mtx A2.mtx --dim D --bootstrap B --seed S --out pvalues.csv
Prints one JSON line with the timing.
"""
import argparse
import json
import time

import numpy as np
import scipy.io
from graspologic.embed import AdjacencySpectralEmbed, OmnibusEmbed
from graspologic.simulations import rdpg


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a1")
    parser.add_argument("a2")
    parser.add_argument("--dim", type=int, required=True)
    parser.add_argument("--bootstrap", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    a1 = scipy.io.mmread(args.a1).toarray().astype(float)
    a2 = scipy.io.mmread(args.a2).toarray().astype(float)
    np.random.seed(args.seed)
    start = time.perf_counter()
    observed = OmnibusEmbed(n_components=args.dim).fit_transform([a1, a2])
    statistic = np.linalg.norm(observed[0] - observed[1], axis=1)
    x_hat = AdjacencySpectralEmbed(n_components=args.dim).fit_transform(a1)
    exceed = np.zeros(a1.shape[0])
    for _ in range(args.bootstrap):
        a_b = rdpg(x_hat, rescale=False, directed=False, loops=False)
        z = OmnibusEmbed(n_components=args.dim).fit_transform([a1, a_b])
        exceed += np.linalg.norm(z[0] - z[1], axis=1) >= statistic
    p = (1.0 + exceed) / (args.bootstrap + 1.0)
    seconds = time.perf_counter() - start
    np.savetxt(args.out, np.column_stack([statistic, p]), delimiter=",", header="statistic,p_value", comments="")
    print(json.dumps({"seconds": seconds, "n": int(a1.shape[0]), "bootstrap": args.bootstrap, "dim": args.dim}))


if __name__ == "__main__":
    main()
