#!/usr/bin/env python3
"""graspologic's OmnibusEmbed on the graphs bench/cpp/omnibus_bench.cpp wrote, as sparse matrices.

Usage: graspologic_omnibus.py DIR N M DIM REPEATS
Prints one JSON line per repeat: wall seconds of OmnibusEmbed(n_components=DIM).fit on the first M graphs
(scipy.sparse CSR, float64, graspologic's default diagonal augmentation and SVD settings), peak RSS, and the
leading singular values.
"""
import json
import resource
import sys
import time

import numpy as np
import scipy.sparse
from graspologic.embed import OmnibusEmbed


def load(directory, g, n):
    offsets = np.fromfile(f"{directory}/graph_{g}.offsets", dtype="<i8")
    columns = np.fromfile(f"{directory}/graph_{g}.columns", dtype="<i4")
    assert offsets.size == n + 1
    return scipy.sparse.csr_array((np.ones(columns.size), columns, offsets), shape=(n, n))


def main():
    directory, n, m, dim, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    graphs = [load(directory, g, n) for g in range(m)]
    for _ in range(repeats):
        np.random.seed(1)
        start = time.perf_counter()
        embed = OmnibusEmbed(n_components=dim).fit(graphs)
        wall = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        values = [round(float(v), 8) for v in embed.singular_values_[:8]]
        print(json.dumps({"n": n, "m": m, "wall": round(wall, 4), "peak_rss_mb": round(rss, 1), "values": values}), flush=True)


if __name__ == "__main__":
    main()
