"""Approximate and exact kNN of the Python libraries on one embeddings file, for bench/knn_approx.sh and run.sh.

Usage: knn_compare.py EMBEDDINGS.npy THREADS METHOD[:PARAMS] ...
  flat                 FAISS IndexFlatIP (exact)
  faiss-hnsw:M,EFC,EFS FAISS IndexHNSWFlat, inner product
  faiss-ivf:NPROBE     FAISS IndexIVFFlat, nlist = 4 sqrt(n), trained on all the data
  hnswlib:M,EFC,EFS    hnswlib's Python build (add_items on THREADS threads)
Cosine throughout (rows L2-normalised inside the timing), k = datakernel's default_k(n), every row queried for k + 1
and itself dropped. Prints one JSON line per method: seconds (all of the above) and recall@k on 1,000 seeded rows
against a brute-force exact search of those rows.
"""
import json
import sys
import time

import numpy as np


def default_k(n):
    return int(min(max(int(np.ceil(2 * np.log(max(n, 2)))), 8), 64, n - 1))


def drop_self(ids, rows, k):
    out = np.empty((ids.shape[0], k), dtype=np.int64)
    for r, (i, row) in enumerate(zip(rows, ids)):
        row = row[(row != i) & (row >= 0)]
        out[r] = row[:k] if len(row) >= k else np.pad(row, (0, k - len(row)), constant_values=-1)
    return out


def main():
    path, threads, methods = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    import faiss

    faiss.omp_set_num_threads(threads)
    y = np.load(path).astype(np.float32)
    n, d = y.shape
    k = default_k(n)
    rows = np.sort(np.random.default_rng(100).choice(n, size=min(1000, n), replace=False))
    x = y / np.linalg.norm(y, axis=1, keepdims=True)
    scores = x[rows] @ x.T
    scores[np.arange(len(rows)), rows] = -np.inf
    truth = np.argsort(-scores, axis=1, kind="stable")[:, :k]

    for spec in methods:
        name, _, params = spec.partition(":")
        p = [int(v) for v in params.split(",")] if params else []
        t = time.perf_counter()
        q = y.copy()
        faiss.normalize_L2(q)
        if name == "flat":
            index = faiss.IndexFlatIP(d)
            index.add(q)
            _, ids = index.search(q, k + 1)
        elif name == "faiss-hnsw":
            index = faiss.IndexHNSWFlat(d, p[0], faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = p[1]
            index.add(q)
            index.hnsw.efSearch = p[2]
            _, ids = index.search(q, k + 1)
        elif name == "faiss-ivf":
            nlist = int(4 * np.sqrt(n))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
            index.train(q)
            index.add(q)
            index.nprobe = p[0]
            _, ids = index.search(q, k + 1)
        elif name == "hnswlib":
            import hnswlib

            index = hnswlib.Index(space="ip", dim=d)
            index.init_index(max_elements=n, ef_construction=p[1], M=p[0], random_seed=100)
            index.add_items(q, np.arange(n), num_threads=threads)
            index.set_ef(p[2])
            ids, _ = index.knn_query(q, k=k + 1, num_threads=threads)
        else:
            raise SystemExit(f"unknown method {spec}")
        seconds = time.perf_counter() - t
        found = drop_self(np.asarray(ids, dtype=np.int64)[rows], rows, k)
        recall = np.mean([len(np.intersect1d(a, b)) / k for a, b in zip(found, truth)])
        print(json.dumps({"method": spec, "n": n, "dim": d, "k": k, "threads": threads, "seconds": round(seconds, 3),
                          "recall": round(float(recall), 4)}), flush=True)


if __name__ == "__main__":
    main()
