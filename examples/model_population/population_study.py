#!/usr/bin/env python3
"""population_study.py - downstream metrics and model-distance measures of a model population.

Usage: population_study.py --pop DIR --out DIR [--datakernel BIN] [--subsample N --sub-seed S]
                           [--seed 0] [--perms 9999] [--no-diagnose]

DIR is embed_population.py's output (models.json, <model>.npy, labels.txt).
With --subsample N a label-stratified subsample of N data (seed --sub-seed) is used
for everything (metrics, kernels, datakernel).

1. Downstream metrics per model: 5-fold stratified CV (seeded) out-of-fold predictions of
   the labels by kNN (k = 10, cosine, brute force) and by logistic regression
   (StandardScaler + LogisticRegression(C=1, lbfgs, max_iter=300, tol=1e-3)); accuracy of each.
   Per pair: |delta acc| and prediction agreement (share of data with the same prediction).
2. datakernel: `datakernel compare <all models> --test none --metrics metrics.csv --seed S`
   (and `--pairwise`), model_distances.csv and summary.json read back.
3. Simple population measures on the same pairs, with datakernel's k and metric (cosine),
   kNN lists exact, self excluded, ties to the lower index:
     jaccard  = 1 - mean_i |L_a(i) & L_b(i)| / |L_a(i) | L_b(i)|
     mutual   = 1 - mean_i |L_a(i) & L_b(i)| / k          (mutual-kNN overlap, as a distance)
     cka      = 1 - linear CKA of the column-centred embeddings
4. Diagnosis (unless --no-diagnose): a numpy re-implementation of datakernel's joint omnibus
   embedding (union kNN graphs, A + diag(deg)/(n-1), blocks (A_g + A_h)/2, eigsh largest
   magnitude, Z = U |L|^1/2, Zhu-Ghodsi elbow 2 with the 5% eigengap fallback), checked
   against the CLI's distances, and variants of the distance (see VARIANTS below).
5. For every measure: Spearman and Pearson with |delta kNN acc| and |delta LR acc| over the
   m(m-1)/2 pairs, and a Mantel permutation p (model labels of the metric permuted, two-sided
   on |r|, (1 + #{|r_perm| >= |r_obs| - 1e-12}) / (1 + perms), seeded).
Writes OUT/metrics.csv, pairs.csv (one row per pair, every measure and target),
correlations.csv, study.json.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

# one BLAS thread: on a shared machine multi-threaded OpenBLAS spins and runs ~10x slower
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import numpy as np  # noqa: E402
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, eigsh
from scipy.stats import rankdata

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DK = os.path.normpath(os.path.join(HERE, "..", "..", "build", "datakernel"))


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ downstream metrics
def cv_predictions(X, y, seed):
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn.pipeline import make_pipeline
    pk = np.empty_like(y)
    pl = np.empty_like(y)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y):
        knn = KNeighborsClassifier(10, metric="cosine", algorithm="brute").fit(X[tr], y[tr])
        pk[te] = knn.predict(X[te])
        lr = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=300, tol=1e-3)).fit(X[tr], y[tr])
        pl[te] = lr.predict(X[te])
    return pk, pl


# ------------------------------------------------------------------ kNN graphs
def knn_lists(X, k, metric="cosine"):
    X = X.astype(np.float64)
    if metric == "cosine":
        nr = np.linalg.norm(X, axis=1, keepdims=True)
        X = X / np.where(nr > 0, nr, 1.0)
    S = X @ X.T
    if metric == "euclidean":
        S = 2 * S - np.sum(X * X, 1)[None, :]
    np.fill_diagonal(S, -np.inf)
    # stable sort of -S: equal scores keep index order (ties -> lower index)
    return np.argsort(-S, axis=1, kind="stable")[:, :k]


def union_graph(L, symmetrize="union"):
    n, k = L.shape
    D = sp.csr_matrix((np.ones(n * k), (np.repeat(np.arange(n), k), L.ravel())), shape=(n, n))
    A = D.maximum(D.T) if symmetrize == "union" else D.minimum(D.T)
    return sp.csr_matrix(A, dtype=np.float64)


def overlap_counts(La, Lb):
    n, k = La.shape
    Sa = np.zeros((n, n), bool)  # n <= a few thousand: dense masks are fine
    Sa[np.arange(n)[:, None], La] = True
    return Sa[np.arange(n)[:, None], Lb].sum(1)


def linear_cka(X, Y):
    X = X - X.mean(0)
    Y = Y - Y.mean(0)
    xy = np.linalg.norm(X.T @ Y) ** 2
    return xy / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y))


# ------------------------------------------------------------------ omnibus (numpy)
def omnibus_eigs(As, nev, seed=0):
    """Top-nev eigenpairs (largest magnitude) of the omnibus matrix of the augmented graphs."""
    m, n = len(As), As[0].shape[0]
    diag = [np.asarray(A.sum(1)).ravel() / (n - 1) for A in As]

    def mv(x):
        X = np.asarray(x, dtype=np.float64).reshape(m, n)
        s = X.sum(0)
        t = sum(As[g] @ X[g] + diag[g] * X[g] for g in range(m))
        return np.concatenate([0.5 * (As[g] @ s + diag[g] * s + t) for g in range(m)])

    op = LinearOperator((m * n, m * n), matvec=mv, dtype=np.float64)
    v0 = np.random.default_rng(seed).standard_normal(m * n)
    vals, vecs = eigsh(op, k=nev, which="LM", v0=v0, tol=1e-9, ncv=min(m * n, max(2 * nev + 1, nev + 40)))
    o = np.argsort(-np.abs(vals), kind="stable")
    return vals[o], vecs[:, o]


def ase_eigs(A, nev, seed=0):
    n = A.shape[0]
    At = A + sp.diags(np.asarray(A.sum(1)).ravel() / (n - 1))
    v0 = np.random.default_rng(seed).standard_normal(n)
    vals, vecs = eigsh(At, k=nev, which="LM", v0=v0, tol=1e-9)
    o = np.argsort(-np.abs(vals), kind="stable")
    return vals[o], vecs[:, o]


def zhu_ghodsi(values, elbows=2):
    out, off = [], 0
    for _ in range(elbows):
        t = np.asarray(values[off:], float)
        N = len(t)
        if N < 2:
            break
        prof = []
        for q in range(1, N):
            a, b = t[:q], t[q:]
            sq = ((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()
            var = sq / (N - 2 if N > 2 else N)
            prof.append(np.inf if var <= 0 else -0.5 * N * np.log(2 * np.pi * var) - sq / (2 * var))
        off += int(np.argmax(prof)) + 1
        out.append(off)
    return out


def choose_dim(vals, elbows=2, gap_min=0.05):
    mag = np.abs(vals)
    cands = [min(max(e, 1), len(mag) - 1) for e in zhu_ghodsi(mag, elbows)]

    def gap(d):
        return (mag[d - 1] - mag[d]) / mag[d - 1]
    c = len(cands) - 1
    while c > 0 and gap(cands[c]) < gap_min:
        c -= 1
    if gap(cands[c]) < gap_min:
        c = len(cands) - 1
    return cands[c]


def rel_dist(Za, Zb):
    den = np.linalg.norm((Za + Zb) / 2)
    return float(np.linalg.norm(Za - Zb) / den) if den > 0 else 0.0


def unit_rows(Z):
    nr = np.linalg.norm(Z, axis=1, keepdims=True)
    return Z / np.where(nr > 0, nr, 1.0)


def omnibus_variants(vals, vecs, m, n, d):
    """Distance matrices of variants of the omnibus distance at dimension d."""
    U = vecs[:, :d]
    Z = U * np.sqrt(np.abs(vals[:d]))
    Zb = [Z[g * n:(g + 1) * n] for g in range(m)]
    Ub = [U[g * n:(g + 1) * n] for g in range(m)]
    out = {k: np.zeros((m, m)) for k in ("omni", "omni_unscaled", "omni_blocknorm", "omni_rowunit")}
    Zn = [z / np.linalg.norm(z) for z in Zb]
    Zr = [unit_rows(z) for z in Zb]
    for g in range(m):
        for h in range(g + 1, m):
            v = {"omni": rel_dist(Zb[g], Zb[h]),
                 "omni_unscaled": rel_dist(Ub[g], Ub[h]),
                 "omni_blocknorm": float(np.linalg.norm(Zn[g] - Zn[h])),
                 "omni_rowunit": float(np.linalg.norm(Zr[g] - Zr[h]) / np.sqrt(n))}
            for key, x in v.items():
                out[key][g, h] = out[key][h, g] = x
    return out


def ase_variants(ase, d):
    """Separate ASE per graph: subspace distance and Procrustes-aligned relative distance."""
    m = len(ase)
    sub = np.zeros((m, m))
    pro = np.zeros((m, m))
    for g in range(m):
        Ug = ase[g][1][:, :d]
        Zg = Ug * np.sqrt(np.abs(ase[g][0][:d]))
        for h in range(g + 1, m):
            Uh = ase[h][1][:, :d]
            Zh = Uh * np.sqrt(np.abs(ase[h][0][:d]))
            sub[g, h] = sub[h, g] = np.sqrt(max(0.0, 1 - np.linalg.norm(Ug.T @ Uh) ** 2 / d))
            W, _, Vt = np.linalg.svd(Zg.T @ Zh)
            R = W @ Vt  # Zg R ~ Zh
            pro[g, h] = pro[h, g] = rel_dist(Zg @ R, Zh)
    return {"ase_subspace": sub, "ase_procrustes": pro}


def kernel_distance(As):
    """||A_g - A_h||_F / ||(A_g + A_h)/2||_F of the (binary, unaugmented) kernels."""
    m = len(As)
    D = np.zeros((m, m))
    for g in range(m):
        for h in range(g + 1, m):
            D[g, h] = D[h, g] = sp.linalg.norm(As[g] - As[h]) / sp.linalg.norm((As[g] + As[h]) / 2)
    return D


# ------------------------------------------------------------------ correlations
def pair_vec(M):
    iu = np.triu_indices(M.shape[0], 1)
    return M[iu]


def _pearson_rows(x, Y):
    x = x - x.mean()
    Y = Y - Y.mean(1, keepdims=True)
    den = np.linalg.norm(x) * np.linalg.norm(Y, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (Y @ x) / den


def mantel(D, f, perms=9999, seed=0):
    """Spearman, Pearson of D's pairs with |f_g - f_h|, and their Mantel p (labels of f permuted)."""
    m = len(f)
    iu = np.triu_indices(m, 1)
    d = D[iu]
    rng = np.random.default_rng(seed)
    P = np.stack([np.arange(m)] + [rng.permutation(m) for _ in range(perms)])
    F = np.asarray(f)[P]
    T = np.abs(F[:, iu[0]] - F[:, iu[1]])
    rp = _pearson_rows(d, T)
    rs = _pearson_rows(rankdata(d), rankdata(T, axis=1))
    res = {}
    for name, r in (("pearson", rp), ("spearman", rs)):
        res[name] = float(r[0])
        res[name + "_p"] = float((1 + np.sum(np.abs(r[1:]) >= abs(r[0]) - 1e-12)) / (1 + perms))
    return res


def run_datakernel(dk, files, names, out, metrics_csv, seed, extra=()):
    cmd = [dk, "compare", *files, "--names", ",".join(names), "--test", "none", "--metrics", metrics_csv,
           "--seed", str(seed), "--out", out, "--force", "--quiet", *extra]
    t0 = time.time()
    subprocess.run(cmd, check=True)
    secs = time.time() - t0
    with open(os.path.join(out, "model_distances.csv")) as f:
        rows = list(csv.reader(f))
    assert rows[0][1:] == list(names)
    D = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    return D, json.load(open(os.path.join(out, "summary.json"))), " ".join(cmd), secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pop", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--datakernel", default=DEFAULT_DK)
    ap.add_argument("--subsample", type=int, default=0)
    ap.add_argument("--sub-seed", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--perms", type=int, default=9999)
    ap.add_argument("--no-diagnose", action="store_true")
    ap.add_argument("--dims", default="2,4,8,16,32,64")
    ap.add_argument("--ks", default="8,32,64")
    ap.add_argument("--models", default="", help="comma-separated subset of the models (default: all)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    meta = json.load(open(os.path.join(a.pop, "models.json")))
    names = [m["name"] for m in meta["models"]]
    if a.models:
        names = [nm for nm in a.models.split(",") if nm in names]
        assert len(names) == len(a.models.split(",")), "unknown model in --models"
    fam = {m["name"]: m["family"] for m in meta["models"]}
    labels = np.array(open(os.path.join(a.pop, "labels.txt"), encoding="utf-8").read().split("\n")[:meta["n"]])
    Xs = [np.load(os.path.join(a.pop, nm + ".npy")) for nm in names]
    n_all = len(labels)
    idx = np.arange(n_all)
    if a.subsample:
        from sklearn.model_selection import train_test_split
        idx, _ = train_test_split(idx, train_size=a.subsample, stratify=labels, random_state=a.sub_seed)
        idx = np.sort(idx)
    labels = labels[idx]
    Xs = [X[idx] for X in Xs]
    n, m = len(idx), len(names)
    _, y = np.unique(labels, return_inverse=True)
    log(f"{m} models, n = {n}" + (f" (stratified subsample, seed {a.sub_seed})" if a.subsample else ""))
    study = {"n": n, "m": m, "subsample": a.subsample, "sub_seed": a.sub_seed, "seed": a.seed,
             "models": names, "timings_s": {}}

    # --- inputs for the CLI (subsample files in OUT/inputs) ---
    if a.subsample:
        ind = os.path.join(a.out, "inputs")
        os.makedirs(ind, exist_ok=True)
        files = []
        for nm, X in zip(names, Xs):
            files.append(os.path.join(ind, nm + ".npy"))
            np.save(files[-1], np.ascontiguousarray(X, dtype=np.float32))
    else:
        files = [os.path.join(a.pop, nm + ".npy") for nm in names]

    # --- 1. downstream metrics ---
    t0 = time.time()
    preds = {}
    acc = {}
    for nm, X in zip(names, Xs):
        pk, pl = cv_predictions(X, y, a.seed)
        preds[nm] = (pk, pl)
        acc[nm] = (float((pk == y).mean()), float((pl == y).mean()))
        log(f"  {nm:14s} kNN {acc[nm][0]:.4f}  LR {acc[nm][1]:.4f}")
    study["timings_s"]["metrics"] = round(time.time() - t0, 1)
    metrics_csv = os.path.join(a.out, "metrics.csv")
    with open(metrics_csv, "w") as f:
        f.write("model,knn_acc,lr_acc\n")
        for nm in names:
            f.write(f"{nm},{acc[nm][0]:.6f},{acc[nm][1]:.6f}\n")
    study["metrics"] = {nm: {"family": fam[nm], "knn_acc": acc[nm][0], "lr_acc": acc[nm][1]} for nm in names}
    fk = np.array([acc[nm][0] for nm in names])
    fl = np.array([acc[nm][1] for nm in names])

    measures = {}
    agree_k = np.zeros((m, m))
    agree_l = np.zeros((m, m))
    for g in range(m):
        for h in range(m):
            agree_k[g, h] = np.mean(preds[names[g]][0] == preds[names[h]][0])
            agree_l[g, h] = np.mean(preds[names[g]][1] == preds[names[h]][1])
    measures["1-agree_knn"] = 1 - agree_k
    measures["1-agree_lr"] = 1 - agree_l

    # --- 2. datakernel ---
    D, summ, cmd, secs = run_datakernel(a.datakernel, files, names, os.path.join(a.out, "dk"), metrics_csv, a.seed)
    k, d_cli = summ["k"], summ["dim"]
    study["datakernel"] = {"command": cmd, "seconds": round(secs, 1), "k": k, "dim": d_cli,
                           "dim_rule": summ["dim_rule"], "eigenvalues": summ["eigenvalues"][:20],
                           "correlations": summ.get("correlations"), "warnings": summ.get("warnings")}
    measures["datakernel"] = D
    log(f"datakernel: k = {k}, d = {d_cli} ({summ['dim_rule']}), {secs:.1f} s")
    Dp, summp, cmdp, secs = run_datakernel(a.datakernel, files, names, os.path.join(a.out, "dk_pairwise"),
                                           metrics_csv, a.seed, ["--pairwise"])
    measures["datakernel_pairwise"] = Dp
    study["datakernel_pairwise"] = {"command": cmdp, "seconds": round(secs, 1), "dim": summp["dim"]}

    # --- 3. simple measures ---
    t0 = time.time()
    Ls = [knn_lists(X, k) for X in Xs]
    jac = np.zeros((m, m))
    mut = np.zeros((m, m))
    cka = np.zeros((m, m))
    for g in range(m):
        for h in range(g + 1, m):
            c = overlap_counts(Ls[g], Ls[h])
            jac[g, h] = jac[h, g] = 1 - np.mean(c / (2 * k - c))
            mut[g, h] = mut[h, g] = 1 - np.mean(c / k)
            cka[g, h] = cka[h, g] = 1 - linear_cka(Xs[g].astype(np.float64), Xs[h].astype(np.float64))
    measures["jaccard"] = jac
    measures["mutual_knn"] = mut
    measures["cka"] = cka
    study["timings_s"]["simple"] = round(time.time() - t0, 1)

    # --- 4. diagnosis ---
    if not a.no_diagnose:
        t0 = time.time()
        As = [union_graph(L) for L in Ls]
        measures["kernel_F"] = kernel_distance(As)
        dims = [int(x) for x in a.dims.split(",")]
        nev = max(max(dims), 64) + 1
        vals, vecs = omnibus_eigs(As, nev, a.seed)
        d_auto = choose_dim(vals[:64])
        study["numpy_omnibus"] = {"dim_auto": d_auto, "eigenvalues": vals[:20].tolist(),
                                  "seconds": round(time.time() - t0, 1)}
        log(f"numpy omnibus: d_auto = {d_auto} (CLI {d_cli}), {time.time() - t0:.1f} s")
        for dd in sorted(set(dims + [d_cli])):
            for key, M in omnibus_variants(vals, vecs, m, n, dd).items():
                measures[f"{key}_d{dd}" if dd != d_cli else f"{key}_dauto"] = M
        chk = np.abs(pair_vec(measures["omni_dauto"]) - pair_vec(D)).max()
        study["numpy_vs_cli_maxabs"] = float(chk)
        log(f"numpy omnibus vs CLI distances at d = {d_cli}: max |diff| {chk:.3g}")
        t0 = time.time()
        ase = [ase_eigs(A, max(dims) + 1, a.seed) for A in As]
        for dd in sorted(set(dims + [d_cli])):
            for key, M in ase_variants(ase, dd).items():
                measures[f"{key}_d{dd}" if dd != d_cli else f"{key}_dauto"] = M
        study["timings_s"]["ase"] = round(time.time() - t0, 1)
        # k variants: the omnibus at its own auto d, and Jaccard at that k
        for kk in [int(x) for x in a.ks.split(",")]:
            t0 = time.time()
            Lk = [knn_lists(X, kk) for X in Xs]
            Ak = [union_graph(L) for L in Lk]
            v2, u2 = omnibus_eigs(Ak, 65, a.seed)
            d2 = choose_dim(v2[:64])
            measures[f"omni_k{kk}_dauto"] = omnibus_variants(v2, u2, m, n, d2)["omni"]
            for dd in (16, 64):
                measures[f"omni_k{kk}_d{dd}"] = omnibus_variants(v2, u2, m, n, dd)["omni"]
            jk = np.zeros((m, m))
            for g in range(m):
                for h in range(g + 1, m):
                    c = overlap_counts(Lk[g], Lk[h])
                    jk[g, h] = jk[h, g] = 1 - np.mean(c / (2 * kk - c))
            measures[f"jaccard_k{kk}"] = jk
            measures[f"kernel_F_k{kk}"] = kernel_distance(Ak)
            study.setdefault("k_variants", {})[kk] = {"dim_auto": d2, "seconds": round(time.time() - t0, 1)}
            log(f"k = {kk}: d_auto {d2}, {time.time() - t0:.1f} s")
        # metric dot (CLI)
        Dd, sd, cmdd, secs = run_datakernel(a.datakernel, files, names, os.path.join(a.out, "dk_dot"),
                                            metrics_csv, a.seed, ["--metric", "dot"])
        measures["datakernel_dot"] = Dd
        study["datakernel_dot"] = {"command": cmdd, "dim": sd["dim"], "seconds": round(secs, 1)}

    # --- 5. correlations ---
    rows = []
    for key, M in measures.items():
        for tname, f in (("knn_acc", fk), ("lr_acc", fl)):
            r = mantel(M, f, a.perms, a.seed)
            rows.append({"measure": key, "target": f"|d {tname}|", **r})
    with open(os.path.join(a.out, "correlations.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    iu = np.triu_indices(m, 1)
    with open(os.path.join(a.out, "pairs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "abs_d_knn_acc", "abs_d_lr_acc", *measures])
        for g, h in zip(*iu):
            w.writerow([names[g], names[h], abs(fk[g] - fk[h]), abs(fl[g] - fl[h]),
                        *[f"{measures[key][g, h]:.6g}" for key in measures]])
    study["correlations"] = rows
    with open(os.path.join(a.out, "study.json"), "w") as f:
        json.dump(study, f, indent=1)
    for r in rows:
        if not any(s in r["measure"] for s in ("_d2", "_d4", "_d8", "_d32")):
            log(f"  {r['measure']:26s} {r['target']:12s} spearman {r['spearman']:+.3f} (p {r['spearman_p']:.4f})"
                f"  pearson {r['pearson']:+.3f} (p {r['pearson_p']:.4f})")


if __name__ == "__main__":
    main()
