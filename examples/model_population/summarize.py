#!/usr/bin/env python3
"""summarize.py - tables (markdown) from population_study.py outputs.

Usage: summarize.py --pop DIR --full STUDYDIR --subs STUDYDIR,STUDYDIR,... > tables.md
"""
import argparse
import csv
import json
import os

import numpy as np

MAIN = ["datakernel", "datakernel_pairwise", "datakernel_dot", "jaccard", "mutual_knn", "cka",
        "1-agree_knn", "1-agree_lr"]


def corr(study_dir):
    out = {}
    with open(os.path.join(study_dir, "correlations.csv")) as f:
        for r in csv.DictReader(f):
            out[(r["measure"], r["target"])] = {k: float(v) for k, v in r.items() if k not in ("measure", "target")}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pop", required=True)
    ap.add_argument("--full", required=True)
    ap.add_argument("--subs", default="")
    a = ap.parse_args()
    models = json.load(open(os.path.join(a.pop, "models.json")))["models"]
    full = json.load(open(os.path.join(a.full, "study.json")))
    models = [m for m in models if m["name"] in full["models"]]
    subs = [s for s in a.subs.split(",") if s]
    substudies = [json.load(open(os.path.join(s, "study.json"))) for s in subs]
    P = print

    P(f"### Models (n = {full['n']})\n")
    P("| model | family | dim | 5-fold kNN acc (k=10, cosine) | 5-fold LR acc | LOO 10-NN acc | L2 norm min / median / max | seconds | how made |")
    P("|---|---|---:|---:|---:|---:|---|---:|---|")
    for m in models:
        mt = full["metrics"][m["name"]]
        P(f"| {m['name']} | {m['family']} | {m['dim']} | {mt['knn_acc']:.4f} | {mt['lr_acc']:.4f} | "
          f"{m['loo_knn10_acc']:.4f} | {m['norm_min']:.3f} / {m['norm_median']:.3f} / {m['norm_max']:.3f} | "
          f"{m['seconds']} | {m['how']} |")
    if substudies:
        P("\nSubsample accuracies (kNN / LR):\n")
        P("| model | " + " | ".join(f"sub{s['sub_seed']} (n={s['n']})" for s in substudies) + " |")
        P("|---|" + "---|" * len(substudies))
        for m in models:
            P(f"| {m['name']} | " + " | ".join(
                f"{s['metrics'][m['name']]['knn_acc']:.3f} / {s['metrics'][m['name']]['lr_acc']:.3f}"
                for s in substudies) + " |")

    C = corr(a.full)
    dk = full["datakernel"]
    P(f"\n### Population table (n = {full['n']}, {full['m']} models, {full['m'] * (full['m'] - 1) // 2} pairs; "
      f"datakernel k = {dk['k']}, d = {dk['dim']} ({dk['dim_rule']}))\n")
    P("| measure | Spearman vs abs d kNN acc | Mantel p | Pearson | Mantel p | Spearman vs abs d LR acc | Mantel p | Pearson | Mantel p |")
    P("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for ms in MAIN:
        rk, rl = C[(ms, "|d knn_acc|")], C[(ms, "|d lr_acc|")]
        P(f"| {ms} | {rk['spearman']:+.3f} | {rk['spearman_p']:.4f} | {rk['pearson']:+.3f} | {rk['pearson_p']:.4f} | "
          f"{rl['spearman']:+.3f} | {rl['spearman_p']:.4f} | {rl['pearson']:+.3f} | {rl['pearson_p']:.4f} |")

    # every measure over full + subsamples
    Cs = [corr(s) for s in subs]
    keys = sorted({k[0] for k in C})
    for tgt in ("|d knn_acc|", "|d lr_acc|"):
        tl = "|Δ " + tgt.strip("|")[2:] + "|"
        P(f"\n### All measures and variants vs {tl}: Spearman (Mantel p) on the full sample "
          f"and each subsample; sorted by the subsample mean\n")
        P("| measure | full | " + " | ".join(f"sub{s['sub_seed']}" for s in substudies)
          + " | sub mean Spearman | sub mean Pearson |")
        P("|---|---:|" + "---:|" * len(substudies) + "---:|---:|")
        rows = []
        for ms in keys:
            if not all((ms, tgt) in c for c in Cs):
                continue
            sm = np.mean([c[(ms, tgt)]["spearman"] for c in Cs]) if Cs else C[(ms, tgt)]["spearman"]
            pm = np.mean([c[(ms, tgt)]["pearson"] for c in Cs]) if Cs else C[(ms, tgt)]["pearson"]
            rows.append((sm, pm, ms))
        for sm, pm, ms in sorted(rows, reverse=True):
            cells = [f"{c[(ms, tgt)]['spearman']:+.3f} ({c[(ms, tgt)]['spearman_p']:.3f})" for c in [C] + Cs]
            P(f"| {ms} | " + " | ".join(cells) + f" | {sm:+.3f} | {pm:+.3f} |")

    # placement: each model's mean distance to the others under the main measures
    P(f"\n### Where each model sits (full sample): mean distance to the other models, and its rank (1 = most central)\n")
    with open(os.path.join(a.full, "pairs.csv")) as f:
        pr = list(csv.DictReader(f))
    names = full["models"]
    cols = ["datakernel", "jaccard", "cka", "omni_d64", "kernel_F"]
    cols = [c for c in cols if c in pr[0]]
    P("| model | kNN acc | " + " | ".join(cols) + " |")
    P("|---|---:|" + "---:|" * len(cols))
    mean = {c: {} for c in cols}
    for c in cols:
        for nm in names:
            mean[c][nm] = np.mean([float(r[c]) for r in pr if nm in (r["a"], r["b"])])
    rank = {c: {nm: i + 1 for i, nm in enumerate(sorted(names, key=lambda x: mean[c][x]))} for c in cols}
    for nm in sorted(names, key=lambda x: -full["metrics"][x]["knn_acc"]):
        P(f"| {nm} | {full['metrics'][nm]['knn_acc']:.3f} | " +
          " | ".join(f"{mean[c][nm]:.3f} ({rank[c][nm]})" for c in cols) + " |")


if __name__ == "__main__":
    main()
