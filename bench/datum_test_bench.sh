#!/usr/bin/env bash
# Benchmarks for issue 3 (per-datum test), side by side in one run:
#  1. one pair, n = 2,000, B = 1,000, default (pooled) null: median of 3 runs (target < 60 s on 2 cores);
#  2. n = 1,000, B = 100, --null paper, against the authors' procedure (graspologic, Python) on the very same
#     graphs: two-sample KS of the p-values and the speed ratio (target >= 100x);
#  3. what the default test does when model 2 is model 1 plus isotropic noise, for several noise levels.
# Usage: bash bench/datum_test_bench.sh [BUILD_DIR]. Needs a Python venv with graspologic (made in bench/.venv).
set -euo pipefail
build=${1:-build}
dk="$build/datakernel"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
py=$(bench_python "$here/.venv" graspologic "graspologic==3.4.4" numpy scipy)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
field() { json_field "$@"; }

echo "== 1. one pair, n = 2000, B = 1000, pooled null =="
"$dk" simulate --models 2 --n 2000 --dims 384,384 --noise 0.3,0.3 --seed 11 --out "$work/s2000" > /dev/null
walls=()
for r in 1 2 3; do
  rm -rf "$work/o2000"
  start=$EPOCHREALTIME
  "$dk" compare "$work"/s2000/model_{1,2}.npy --test omnibus --null pooled --bootstrap 1000 --bootstrap-p count --seed "$r" --quiet --timings "$work/t2000.json" \
    --out "$work/o2000" > /dev/null 2>&1
  end=$EPOCHREALTIME
  walls+=("$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')")
done
echo "compare wall time, 3 runs (s): ${walls[*]}; median $(median "${walls[@]}") s (target < 60 s)"
echo "last run: d = $(field "$work/o2000/summary.json" 's["dim"]'), test $(field "$work/t2000.json" 'round(s["tests"][0]["seconds"],2)') s," \
     "rejected $(field "$work/o2000/summary.json" 's["tests"][0]["n_rejected"]') (100 moved)"

echo
echo "== 2. n = 1000, B = 100, --null paper: ours vs the authors' procedure (graspologic $("$py" -c 'import graspologic; print(graspologic.__version__)')) on the same graphs =="
"$dk" simulate --models 2 --n 1000 --dims 384,384 --noise 0.3,0.3 --seed 12 --out "$work/s1000" > /dev/null
"$dk" compare "$work"/s1000/model_{1,2}.npy --test none --save-kernels --quiet --out "$work/kernels" > /dev/null
d=$(field "$work/kernels/summary.json" 's["dim"]')
k1="$work/kernels/kernel_1_model_1.mtx"
k2="$work/kernels/kernel_2_model_2.mtx"
ours=()
theirs=()
for r in 1 2 3; do
  rm -rf "$work/o1000"
  "$dk" compare "$k1" "$k2" --dim "$d" --test omnibus --null paper --bootstrap 100 --bootstrap-p count --seed "$r" --quiet --timings "$work/t1000.json" \
    --out "$work/o1000" > /dev/null 2>&1
  ours+=("$(field "$work/t1000.json" 's["tests"][0]["seconds"]')")
  theirs+=("$("$py" "$here/authors_procedure.py" "$k1" "$k2" --dim "$d" --bootstrap 100 --seed "$r" --out "$work/authors.csv" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')")
done
m_ours=$(median "${ours[@]}")
m_theirs=$(median "${theirs[@]}")
echo "d = $d; test time, 3 runs each (s): ours ${ours[*]}; authors ${theirs[*]}"
echo "median: ours $m_ours s, authors $m_theirs s, speed-up $(awk -v a="$m_ours" -v b="$m_theirs" 'BEGIN {printf "%.0f", b / a}')x (target >= 100x)"
"$py" "$here/ks_two_sample.py" "$work/o1000/datum_tests.csv" "$work/authors.csv"

echo
echo "== 3. default test when model 2 = model 1 + isotropic noise (n = 2000, B = 1000, sigma in units of std(Y)) =="
"$dk" simulate --models 1 --n 2000 --dims 384 --noise 0.3 --seed 13 --out "$work/s1" > /dev/null
printf '%-8s %-4s %-16s %-12s %-10s %-10s\n' sigma d "share p<0.05" "rejected" "KS p" "distance"
for sigma in 0.05 0.1 0.2 0.4 0.8; do
  "$py" "$here/noisy_copy.py" "$work/s1/model_1.npy" "$work/noisy.npy" "$sigma" 1
  rm -rf "$work/on"
  "$dk" compare "$work/s1/model_1.npy" "$work/noisy.npy" --test omnibus --null pooled --bootstrap 1000 --bootstrap-p count --seed 1 --quiet --out "$work/on" > /dev/null 2>&1
  printf '%-8s %-4s %-16s %-12s %-10s %-10s\n' "$sigma" "$(field "$work/on/summary.json" 's["dim"]')" \
    "$(field "$work/on/summary.json" 'round(s["tests"][0]["share_p_below_alpha"],4)')" \
    "$(field "$work/on/summary.json" 's["tests"][0]["n_rejected"]')" \
    "$(field "$work/on/summary.json" 'format(s["tests"][0]["ks_uniform"]["p_value"],".3g")')" \
    "$(field "$work/on/summary.json" 'round(s["model_distances"][0][1],4)')"
done
