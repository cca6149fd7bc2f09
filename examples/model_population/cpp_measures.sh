#!/usr/bin/env bash
# The population measures of the C++ tool on the 15-model population: one `datakernel compare` per data set and
# direction-distance cap, and a table of each measure's Spearman (Mantel p) against |delta kNN acc| and
# |delta LR acc|. Usage: cpp_measures.sh OUT_DIR [DATAKERNEL]
# Environment: CAPS (direction caps, default "4 8 16 64"), NORMALISED_DIM (--normalised-dim, default the tool's),
# SUBSAMPLES=1 adds the three label-stratified subsamples of 2,000 of debian3000 (population_study.py
# --subsample 2000 --sub-seed 0/1/2 wrote them to population3000/study_sub*/inputs).
# Data: /work/realdata/population3000 and /work/realdata/population_holdout2000 (embed_population.py); metrics:
# results/debian3000_m15_full/metrics.csv, results/holdout2000_m15/metrics.csv and
# results/debian3000_m15_sub*/metrics.csv (population_study.py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: cpp_measures.sh OUT_DIR [DATAKERNEL]}
dk=${2:-$here/../../build/datakernel}
caps=${CAPS:-4 8 16 64}
extra=()
[ -n "${NORMALISED_DIM:-}" ] && extra+=(--normalised-dim "$NORMALISED_DIM")
names=e5,e5_rp32,wordllama256,wordllama64,minilm,minilm_L0,minilm_L1,minilm_L2,minilm_L3,minilm_L4,minilm_L5,tfidf_svd32,tfidf_svd128,tfidf_svd384,tfidf_rp256
# set name : data folder (under /work/realdata) : metrics folder (under results/)
sets="population3000:population3000:debian3000_m15_full population_holdout2000:population_holdout2000:holdout2000_m15"
if [ "${SUBSAMPLES:-0}" = 1 ]; then
  for s in 0 1 2; do sets+=" sub$s:population3000/study_sub$s/inputs:debian3000_m15_sub$s"; done
fi
mkdir -p "$out"
for set in $sets; do
  IFS=: read -r name folder result <<< "$set"
  data=/work/realdata/$folder
  metrics=$here/results/$result/metrics.csv
  files=()
  IFS=, read -ra list <<< "$names"
  for m in "${list[@]}"; do files+=("$data/$m.npy"); done
  annotations=()
  [ -f "$data/ids.txt" ] && annotations=(--ids "$data/ids.txt" --labels "$data/labels.txt")
  for cap in $caps; do
    run="$out/${name}_dir$cap"
    /usr/bin/time -f "%e s" -o "$run.time" "$dk" compare "${files[@]}" --names "$names" "${annotations[@]}" \
      --metrics "$metrics" --test none --direction-dim "$cap" "${extra[@]}" --seed 0 --quiet \
      --force --out "$run" > "$run.log"
  done
  echo "$name" >> "$out/sets.txt.tmp"
done
mv "$out/sets.txt.tmp" "$out/sets.txt"
python3 - "$out" $caps <<'PY'
import json, sys
out, caps = sys.argv[1], sys.argv[2:]
for data in open(f"{out}/sets.txt").read().split():
    print(f"\n{data}")
    rows = {}
    for cap in caps:
        s = json.load(open(f"{out}/{data}_dir{cap}/summary.json"))
        dims = {m["name"]: m.get("dim") for m in s["pair_measures"]}
        for c in s["measure_correlations"]:
            name = c["measure"]
            if name == "direction":
                name = f"direction (d' = {dims['direction']})"
            elif cap != caps[0]:
                continue
            elif name == "normalised_omnibus":
                name = f"normalised_omnibus (d = {dims['normalised_omnibus']})"
            rows.setdefault(name, {})[c["metric"]] = c
        print(f"k = {s['k']}, d = {s['dim']} ({s['dim_rule']})")
    print("| measure | Spearman vs abs d kNN acc (Mantel p) | Pearson (p) | Spearman vs abs d LR acc (Mantel p) | Pearson (p) |")
    print("|---|---:|---:|---:|---:|")
    for name, r in rows.items():
        cells = []
        for metric in ("knn_acc", "lr_acc"):
            c = r[metric]
            cells += [f"{c['spearman']:+.3f} ({c['spearman_p']:.4f})", f"{c['pearson']:+.3f} ({c['pearson_p']:.4f})"]
        print(f"| {name} | " + " | ".join(cells) + " |")
PY
