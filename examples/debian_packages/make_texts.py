#!/usr/bin/env python3
"""make_texts.py - sample Debian package descriptions as a labelled text corpus.

Usage: make_texts.py --out DIR [--n 3000] [--seed 0] [--min-section 150] [--min-per 40]

Source: `apt-cache dumpavail` (Package, Section, Description-md5, short
Description). On Debian the long descriptions live in the apt "Translation-en"
index files, which Docker images often disable (Acquire::Languages "none");
if they are missing this script runs
    apt-get update -o Acquire::Languages=en
once (needs root + the Debian mirror) and reads them with apt-helper.

Text of a package = short description + ". " + first paragraph of the long
description, whitespace-collapsed, truncated at a word boundary to ~300 chars.
Label = Section with any "contrib/" / "non-free/" / "non-free-firmware/" prefix
stripped. Dedupe by Package (first stanza wins) and by identical text (first in
package-name order wins). Sections with >= --min-section packages are kept.
A sample of n texts is drawn stratified by section: proportional allocation with
at least --min-per per section, rounded by largest remainder to exactly n.

Writes DIR/texts.txt, labels.txt, ids.txt (the sample, in a seeded shuffled
order) and DIR/pool_texts.txt, pool_labels.txt, pool_ids.txt (all unsampled
texts of the kept sections, for replacement interventions).
"""
import argparse
import collections
import glob
import os
import re
import subprocess
import sys

import numpy as np

LISTS = "/var/lib/apt/lists"
MAXLEN = 300


def stanzas(text):
    """Yield dict(field -> value) for each RFC822 stanza; continuation lines kept."""
    for block in re.split(r"\n\s*\n", text):
        d, key = {}, None
        for line in block.split("\n"):
            if not line:
                continue
            if line[0] in " \t" and key is not None:
                d[key] += "\n" + line
            elif ":" in line:
                key, _, val = line.partition(":")
                d[key] = val.strip()
        if d:
            yield d


def first_paragraph(desc):
    """desc = 'short\\n long line\\n long line\\n .\\n ...' -> (short, first long paragraph)."""
    lines = desc.split("\n")
    short, para = lines[0].strip(), []
    for line in lines[1:]:
        s = line.strip()
        if s == ".":
            if para:
                break
            continue
        para.append(s)
    return short, " ".join(para)


def make_text(short, para):
    short = short.strip()
    if para:
        sep = " " if short.endswith((".", "!", "?", ":")) else ". "
        t = short + sep + para
    else:
        t = short
    t = re.sub(r"\s+", " ", t).strip()
    if len(t) > MAXLEN:
        cut = t[:MAXLEN]
        sp = cut.rfind(" ")
        t = (cut[:sp] if sp > MAXLEN // 2 else cut).rstrip(" ,;:") + " ..."
    return t


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def translation_files():
    return sorted(glob.glob(os.path.join(LISTS, "*_i18n_Translation-en*")))


def load_long_descriptions():
    """Description-md5 -> full Description-en from the apt Translation-en indexes."""
    files = translation_files()
    if not files:
        print("no Translation-en indexes: apt-get update -o Acquire::Languages=en",
              file=sys.stderr)
        subprocess.run(["apt-get", "update", "-q", "-o", "Acquire::Languages=en"],
                       check=True, stdout=subprocess.DEVNULL)
        files = translation_files()
    out = {}
    for f in files:
        for st in stanzas(run(["/usr/lib/apt/apt-helper", "cat-file", f])):
            if "Description-md5" in st and "Description-en" in st:
                out.setdefault(st["Description-md5"], st["Description-en"])
    print(f"long descriptions: {len(out)} from {len(files)} index file(s)", file=sys.stderr)
    return out


def allocate(sizes, n, min_per):
    """Proportional allocation with a floor of min_per per section, summing to n.

    Sections whose proportional quota falls below min_per get exactly min_per;
    the rest of the budget is re-split proportionally among the others (repeat
    until stable) and rounded by largest remainder.
    """
    secs = sorted(sizes)
    if min_per * len(secs) > n or n > sum(sizes.values()):
        raise SystemExit(f"n={n} infeasible for {len(secs)} sections x {min_per}")
    fixed = {}
    while True:
        free = [s for s in secs if s not in fixed]
        budget = n - sum(fixed.values())
        tot = sum(sizes[s] for s in free)
        quota = {s: budget * sizes[s] / tot for s in free}
        low = [s for s in free if quota[s] < min_per]
        if not low:
            break
        fixed.update({s: min(min_per, sizes[s]) for s in low})
    alloc = dict(fixed)
    alloc.update({s: int(np.floor(quota[s])) for s in free})
    rem = n - sum(alloc.values())
    for s in sorted(free, key=lambda s: (-(quota[s] - np.floor(quota[s])), s))[:rem]:
        alloc[s] += 1
    assert sum(alloc.values()) == n and all(alloc[s] <= sizes[s] for s in secs)
    return alloc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--min-section", type=int, default=150)
    ap.add_argument("--min-per", type=int, default=40)
    a = ap.parse_args()

    dump = run(["apt-cache", "dumpavail"])
    if "Package:" not in dump:
        subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
        dump = run(["apt-cache", "dumpavail"])
    longd = load_long_descriptions()

    pkgs = {}
    for st in stanzas(dump):
        p = st.get("Package")
        if not p or p in pkgs or "Section" not in st or "Description" not in st:
            continue
        sec = re.sub(r"^(contrib|non-free-firmware|non-free)/", "", st["Section"])
        desc = st["Description"]
        if "\n" not in desc:  # long description not in Packages: take Translation-en
            desc = longd.get(st.get("Description-md5", ""), desc)
        pkgs[p] = (sec, make_text(*first_paragraph(desc)))

    seen, rows = set(), []
    for p in sorted(pkgs):
        sec, t = pkgs[p]
        if t in seen or "\t" in t:
            continue
        seen.add(t)
        rows.append((p, sec, t))
    counts = collections.Counter(sec for _, sec, _ in rows)
    kept = {s: c for s, c in counts.items() if c >= a.min_section}
    print(f"packages {len(pkgs)}, unique texts {len(rows)}, sections kept "
          f"{len(kept)}/{len(counts)}", file=sys.stderr)
    alloc = allocate(kept, a.n, a.min_per)

    rng = np.random.default_rng(a.seed)
    bysec = collections.defaultdict(list)
    for r in rows:
        if r[1] in kept:
            bysec[r[1]].append(r)
    sample, pool = [], []
    for s in sorted(bysec):
        idx = rng.permutation(len(bysec[s]))
        sample += [bysec[s][i] for i in idx[:alloc[s]]]
        pool += [bysec[s][i] for i in idx[alloc[s]:]]
    sample = [sample[i] for i in rng.permutation(len(sample))]
    pool = [pool[i] for i in rng.permutation(len(pool))]

    os.makedirs(a.out, exist_ok=True)

    def write(name, items):
        with open(os.path.join(a.out, name), "w", encoding="utf-8") as f:
            f.writelines(x + "\n" for x in items)

    write("texts.txt", [t for _, _, t in sample])
    write("labels.txt", [s for _, s, _ in sample])
    write("ids.txt", [p for p, _, _ in sample])
    write("pool_texts.txt", [t for _, _, t in pool])
    write("pool_labels.txt", [s for _, s, _ in pool])
    write("pool_ids.txt", [p for p, _, _ in pool])
    for s in sorted(alloc, key=lambda s: -alloc[s]):
        print(f"  {s:16s} {kept[s]:6d} -> {alloc[s]}", file=sys.stderr)
    print(f"wrote {len(sample)} texts, pool {len(pool)} to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
