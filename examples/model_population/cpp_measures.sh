#!/usr/bin/env bash
# The population measures of the C++ tool on the 15-model population: one `datakernel compare` per data set and
# direction-distance cap, and a table of each measure's Spearman (Mantel p) against |delta kNN acc| and
# |delta LR acc|. Usage: cpp_measures.sh OUT_DIR [DATAKERNEL]
# Data: /work/realdata/population3000 and /work/realdata/population_holdout2000 (embed_population.py); metrics:
# results/debian3000_m15_full/metrics.csv and results/holdout2000_m15/metrics.csv (population_study.py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: cpp_measures.sh OUT_DIR [DATAKERNEL]}
dk=${2:-$here/../../build/datakernel}
caps=${CAPS:-4 8 16 64}
names=e5,e5_rp32,wordllama256,wordllama64,minilm,minilm_L0,minilm_L1,minilm_L2,minilm_L3,minilm_L4,minilm_L5,tfidf_svd32,tfidf_svd128,tfidf_svd384,tfidf_rp256
mkdir -p "$out"
for set in population3000:debian3000_m15_full population_holdout2000:holdout2000_m15; do
  data=/work/realdata/${set%%:*}
  metrics=$here/results/${set##*:}/metrics.csv
  files=()
  IFS=, read -ra list <<< "$names"
  for m in "${list[@]}"; do files+=("$data/$m.npy"); done
  for cap in $caps; do
    run="$out/${set%%:*}_dir$cap"
    /usr/bin/time -f "%e s" -o "$run.time" "$dk" compare "${files[@]}" --names "$names" --ids "$data/ids.txt" \
      --labels "$data/labels.txt" --metrics "$metrics" --test none --direction-dim "$cap" --seed 0 --quiet \
      --force --out "$run" > "$run.log"
  done
done
python3 - "$out" $caps <<'PY'
import json, sys
out, caps = sys.argv[1], sys.argv[2:]
for data in ("population3000", "population_holdout2000"):
    print(f"\n{data}")
    rows = {}
    for cap in caps:
        s = json.load(open(f"{out}/{data}_dir{cap}/summary.json"))
        for c in s["measure_correlations"]:
            name = c["measure"] if c["measure"] != "direction" else f"direction (d' = {min(int(cap), s['dim'])})"
            if c["measure"] != "direction" and cap != caps[0]:
                continue
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
