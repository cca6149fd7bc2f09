#!/usr/bin/env python3
"""The authors' pipeline style end to end: embeddings -> kNN graphs (scikit-learn, cosine, union-symmetrised)
-> the authors' per-datum test procedure (bench/authors_procedure.py, graspologic) on those graphs.

Usage: authors_pipeline.py A.npy B.npy --k K --dim D --bootstrap B --seed S --out pvalues.csv
Prints one JSON line: total seconds (graphs, Matrix Market round trip and the test) and the test's own seconds.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.io
from sklearn.neighbors import kneighbors_graph


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--dim", type=int, required=True)
    parser.add_argument("--bootstrap", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        paths = []
        for i, path in enumerate((args.a, args.b)):
            y = np.load(path)
            a = kneighbors_graph(y, args.k, metric="cosine", mode="connectivity", include_self=False)
            a = a.maximum(a.T)
            paths.append(os.path.join(work, f"g{i}.mtx"))
            scipy.io.mmwrite(paths[-1], a)
        here = os.path.dirname(os.path.abspath(__file__))
        result = subprocess.run([sys.executable, os.path.join(here, "authors_procedure.py"), *paths, "--dim",
                                 str(args.dim), "--bootstrap", str(args.bootstrap), "--seed", str(args.seed), "--out",
                                 args.out], check=True, capture_output=True, text=True)
    test = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps({"seconds": round(time.perf_counter() - start, 3), "test_seconds": round(test["seconds"], 3),
                      "n": test["n"], "bootstrap": args.bootstrap, "dim": args.dim}))


if __name__ == "__main__":
    main()
