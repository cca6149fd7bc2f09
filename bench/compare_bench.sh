#!/usr/bin/env bash
# Benchmark for issue 2: `datakernel compare` on 3 models × 5,000 points × 384 dims, median of 5 runs,
# plus the BLAS kernel in use and its measured GEMM rate (side by side in one run).
# Usage: bash bench/compare_bench.sh [BUILD_DIR]   (make bench runs it)
set -euo pipefail
build=${1:-build}
dk="$build/datakernel"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=${RUNS:-5}

"$dk" simulate --models 3 --n 5000 --dims 384,384,384 --noise 0.3,0.6,0.3 --seed 7 --out "$work/data" > /dev/null
times=()
for r in $(seq "$runs"); do
  rm -rf "$work/out"
  start=$EPOCHREALTIME
  "$dk" compare "$work"/data/model_{1,2,3}.npy --test none --seed 1 --quiet --timings "$work/timings.json" \
    --out "$work/out" > /dev/null
  end=$EPOCHREALTIME
  times+=("$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}')")
done
stages=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1])); t=json.load(open(sys.argv[2])); print(', '.join(f'{k} {v:.3f} s' for k,v in t['stages'].items()), '| d =', s['dim'], '| k =', s['k'])" "$work/out/summary.json" "$work/timings.json")
median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
echo "compare 3 models x 5000 x 384: median of $runs runs = ${median} s (target < 10 s)"
echo "runs (s): ${times[*]}"
echo "stages (last run): $stages"
"$dk" info | sed -n '2,5p'
echo "GEMM rate by OpenBLAS kernel, same machine, same run:"
for core in Prescott Haswell SkylakeX; do
  printf '  %-9s %s\n' "$core" "$(OPENBLAS_CORETYPE=$core "$dk" info | grep sgemm)"
done
