#!/usr/bin/env python3
"""make_holdout.py - a held-out text sample: texts of a bigger sample that are not in the study sample.

Usage: make_holdout.py --big /work/realdata/debian10000 --exclude /work/realdata/debian3000
                       --out /work/realdata/population_holdout2000/src [--n 2000] [--seed 1]
Keeps the texts of BIG whose id is not in EXCLUDE/ids.txt and whose section has >= 5 such
texts, draws a label-stratified sample of n (train_test_split, random_state=seed), in BIG's
order, and writes texts.txt, labels.txt, ids.txt and e5.npy (BIG/e5.npy rows, for --reuse-e5).
"""
import argparse
import collections
import os

import numpy as np
from sklearn.model_selection import train_test_split

ap = argparse.ArgumentParser()
ap.add_argument("--big", required=True)
ap.add_argument("--exclude", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--n", type=int, default=2000)
ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()


def rd(f):
    return [line.rstrip("\n") for line in open(os.path.join(a.big, f), encoding="utf-8")]


t, lab, ids = rd("texts.txt"), rd("labels.txt"), rd("ids.txt")
ex = set(open(os.path.join(a.exclude, "ids.txt")).read().split())
keep = np.array([j for j, x in enumerate(ids) if x not in ex])
c = collections.Counter(np.array(lab)[keep])
keep = keep[np.array([c[lab[j]] >= 5 for j in keep])]
sel, _ = train_test_split(keep, train_size=a.n, stratify=np.array(lab)[keep], random_state=a.seed)
sel = np.sort(sel)
os.makedirs(a.out, exist_ok=True)
for f, v in (("texts.txt", t), ("labels.txt", lab), ("ids.txt", ids)):
    with open(os.path.join(a.out, f), "w", encoding="utf-8") as fh:
        fh.writelines(v[j] + "\n" for j in sel)
np.save(os.path.join(a.out, "e5.npy"), np.load(os.path.join(a.big, "e5.npy"))[sel])
print(len(sel), "texts,", len(set(np.array(lab)[sel])), "sections")
