#!/usr/bin/env bash
# The bundled demo (scripts/demo.sh, what `make demo` runs) runs, and shows what README.md ("What the demo
# shows") says it shows. These are properties of the real embeddings in data/demo/ and data/debian/ under the
# default settings, not of a simulation: if a change to the method moves them, the README's paragraph is out of
# date and must be rewritten from the new report (and this test with it).
set -euo pipefail
dk=${DATAKERNEL:?DATAKERNEL not set}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash "$here/../scripts/demo.sh" "$dk" "$work/demo" --quiet > "$work/stdout.txt" 2> "$work/stderr.txt" \
  || { cat "$work/stderr.txt"; echo "FAIL: the demo did not run"; exit 1; }
[ -s "$work/demo/report.html" ] || { echo "FAIL: the demo wrote no report.html"; exit 1; }
python3 - "$work/demo" <<'PY'
import csv, json, sys
out = sys.argv[1]
s = json.load(open(f"{out}/summary.json"))
models = s["models"]
D = {(a, b): s["model_distances"][i][j] for i, a in enumerate(models) for j, b in enumerate(models)}
def nearest(a):
    return min((b for b in models if b != a), key=lambda b: D[a, b])
failures = []
def claim(ok, text):
    print(("ok:   " if ok else "FAIL: ") + text)
    if not ok:
        failures.append(text)

claim(len(models) == 7 and s["n"] == 3000 and len(s["tests"]) == 6, "7 models, n = 3000, 6 pairs tested against e5")
claim(nearest("minilm_L1") == "minilm_L5" and nearest("minilm_L5") == "minilm_L1",
      "the two MiniLM layers are each other's nearest models")
claim(D["minilm_L5", "minilm"] < D["minilm_L1", "minilm"], "the later layer (L5) is nearer the final MiniLM than L1")
closest = min(((a, b) for a in models for b in models if a < b), key=lambda p: D[p])
claim(set(closest) == {"wordllama256", "wordllama64"}, f"the closest pair is wordllama256-wordllama64 (got {closest})")
claim(nearest("e5") == "minilm", "e5's nearest model is MiniLM")
knn = next(c for c in s["correlations"] if c["metric"] == "knn_acc")
claim(knn["spearman"] > 0.4 and knn["spearman_p"] < 0.05,
      f"distance tracks |delta kNN accuracy| (Spearman {knn['spearman']:.3f}, Mantel p {knn['spearman_p']:.4f})")
rows = [r for r in csv.DictReader(open(f"{out}/datum_tests.csv")) if r["model_b"] == "minilm"]
top = min(rows, key=lambda r: float(r["p_value"]))
claim(top["id"] == "fortunes-eo" and top["rejected"] == "true",
      f"the most-moved text of e5 vs minilm is the Esperanto fortunes (got {top['id']})")
again = [r for r in csv.DictReader(open(f"{out}/datum_tests.csv"))
         if r["id"] == "fortunes-eo" and r["model_b"] == "wordllama256"]
claim(again and again[0]["rejected"] == "true", "fortunes-eo is rejected against wordllama256 too")
if failures:
    sys.exit(f"FAIL: {len(failures)} of the README's statements about the demo no longer hold")
print("the demo runs and shows what the README says")
PY
