#!/usr/bin/env bash
# The bundled demo: `datakernel compare` on 7 real models' embeddings of the 3,000 Debian package descriptions of
# data/debian/ (texts, Section labels and package names from there; e5 and wordllama256 are data/debian's own
# files, the other five are data/demo/'s, made by examples/model_population/make_demo.py: see
# data/demo/manifest.json), with each model's own downstream metrics, every model tested per datum against e5.
# Usage (from anywhere): bash scripts/demo.sh DATAKERNEL OUT_DIR [more compare options]
# `make demo` runs it; tests/demo_claims_test.sh checks what the README says the demo shows.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bash scripts/demo.sh DATAKERNEL OUT_DIR [compare options]" >&2; exit 2; }
dk=$(realpath "$1")
out=$(realpath -m "$2")
shift 2
cd "$(dirname "$0")/.."  # input paths relative to the repository, as the report's "Reproduce" line shows them
names=(e5 minilm minilm_L1 minilm_L5 wordllama256 wordllama64 tfidf_svd128)
files=(data/debian/e5.npy data/demo/minilm.npy data/demo/minilm_L1.npy data/demo/minilm_L5.npy
       data/debian/wordllama256.npy data/demo/wordllama64.npy data/demo/tfidf_svd128.npy)
"$dk" compare "${files[@]}" --names "$(IFS=,; echo "${names[*]}")" \
  --ids data/debian/ids.txt --text data/debian/texts.txt --labels data/debian/labels.txt \
  --metrics data/demo/metrics.csv --reference e5 --seed 1 --force --out "$out" "$@"
