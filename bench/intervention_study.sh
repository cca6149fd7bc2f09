#!/usr/bin/env bash
# The per-datum test study (docs/per-datum-test.md), side by side in one run:
#  1. real text embeddings (data/debian: e5 on 3,000 Debian package descriptions; 67 texts of one section
#     replaced, or a sentence appended; a float16 control): default test, the omnibus statistic with the
#     empirical null, the analytic null (omnibus CLT), and the pooled and correlated bootstrap nulls (B = 200;
#     rho = the correlated null's estimated edge correlation);
#     with REALDATA=DIR (made by examples/debian_packages) also the n = 10,000 set in DIR;
#  2. clustered simulations (bench/clustered_pair.py), seeds 1-4: jitter only (0.2, 0.5, 1.0 x the cluster
#     spread) and 4% of the data moved on a jitter of 0.5 and 1.0;
#  3. the tail of the empirical null: p-values pooled over 20 jitter-only simulations (60,000 null data),
#     observed vs expected counts below 1e-2, 1e-3, 1e-4;
#  4. the simulated five-model set (datakernel simulate --models 5 --n 2000 ... --seed 1, the bundled demo until
#     issue 12; tests/simulate_reproduces_test.sh pins its bytes): model_4 = noise only, model_5 = 100 moved data.
# Usage: bash bench/intervention_study.sh [BUILD_DIR] > bench/results/per_datum_test_v2.txt
set -euo pipefail
build=${1:-build}
dk="$build/datakernel"
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../data"
py=$(bash "$here/study_python.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
score() { "$py" "$here/score_intervention.py" "$@"; }
echo "# bash bench/intervention_study.sh $build   ($(date -u +%Y-%m-%d), $(nproc) cores, datakernel $("$dk" --version))"

echo "== 1. real text embeddings (data/debian, n = 3000, 67 moved) =="
"$py" - "$data/debian" "$work" <<'PY'
import sys, numpy as np
src, out = sys.argv[1], sys.argv[2]
e5 = np.load(f"{src}/e5.npy"); moved = np.loadtxt(f"{src}/moved.txt", dtype=int)
for name in ("appended", "replaced"):
    y = e5.copy(); y[moved] = np.load(f"{src}/e5_{name}_rows.npy"); np.save(f"{out}/e5_{name}.npy", y)
PY
: > "$work/none.txt"
real_pair() {  # real_pair LABEL BASE OTHER MOVED [options]
  local label=$1 base=$2 other=$3 moved=$4; shift 4
  local start=$EPOCHREALTIME
  "$dk" compare "$base" "$other" --names e5,"$label" --quiet --force --out "$work/out" "$@" > /dev/null 2>&1
  printf '%-46s ' "$label ${*:-(default)}"
  score "$work/out" "$moved" | sed 's/^[^:]*: //' | tr -d '\n'
  printf ', %.1f s' "$(echo "$EPOCHREALTIME - $start" | bc)"
  "$py" -c 'import json, sys; r = json.load(open(sys.argv[1]))["tests"][0].get("edge_correlation")
print("" if r is None else f", rho {r:.3f}")' "$work/out/summary.json"
}
for opts in "" "--test omnibus" "--test omnibus --null analytic" "--test omnibus --null pooled --bootstrap 200" \
  "--test omnibus --null correlated --bootstrap 200"; do
  # shellcheck disable=SC2086
  real_pair replaced "$data/debian/e5.npy" "$work/e5_replaced.npy" "$data/debian/moved.txt" $opts
  # shellcheck disable=SC2086
  real_pair appended "$data/debian/e5.npy" "$work/e5_appended.npy" "$data/debian/moved.txt" $opts
  # shellcheck disable=SC2086
  real_pair control "$data/debian/e5.npy" "$data/debian/e5_control.npy" "$work/none.txt" $opts
done
if [ -n "${REALDATA:-}" ] && [ -f "$REALDATA/e5.npy" ]; then
  echo "-- n = 10000 ($REALDATA, $(wc -l < "$REALDATA/moved.txt") moved)"
  for v in replaced appended; do real_pair "$v" "$REALDATA/e5.npy" "$REALDATA/e5_$v.npy" "$REALDATA/moved.txt"; done
  real_pair control "$REALDATA/e5.npy" "$REALDATA/e5_control.npy" "$work/none.txt"
fi

echo "== 2. clustered simulations, n = 3000, default test =="
for seed in 1 2 3 4; do
  for jitter in 0.2 0.5 1.0; do
    "$py" "$here/clustered_pair.py" "$work/sim" --jitter "$jitter" --seed "$seed"
    "$dk" compare "$work"/sim/{a,b}.npy --quiet --force --out "$work/out" > /dev/null 2>&1
    printf 'seed %s jitter %s, none moved: ' "$seed" "$jitter"; score "$work/out" "$work/sim/moved.txt" | sed 's/^[^:]*: //'
  done
  for jitter in 0.5 1.0; do
    "$py" "$here/clustered_pair.py" "$work/sim" --jitter "$jitter" --moved 0.04 --seed "$seed"
    "$dk" compare "$work"/sim/{a,b}.npy --quiet --force --out "$work/out" > /dev/null 2>&1
    printf 'seed %s jitter %s, 4%% moved: ' "$seed" "$jitter"; score "$work/out" "$work/sim/moved.txt" | sed 's/^[^:]*: //'
  done
done

echo "== 3. tail of the empirical null: 20 jitter-only simulations (jitter 0.5), p-values pooled =="
for seed in $(seq 101 120); do
  "$py" "$here/clustered_pair.py" "$work/sim" --jitter 0.5 --seed "$seed"
  "$dk" compare "$work"/sim/{a,b}.npy --quiet --force --out "$work/out" > /dev/null 2>&1
  cut -d, -f6 "$work/out/datum_tests.csv" | tail -n +2 >> "$work/pooled_p.txt"
done
"$py" - "$work/pooled_p.txt" <<'PY'
import sys, numpy as np
p = np.loadtxt(sys.argv[1]); n = len(p)
for t in (1e-2, 1e-3, 1e-4):
    seen = int((p < t).sum()); expected = t * n
    print(f"p < {t:g}: {seen} of {n} (expected {expected:.0f}; ratio {seen / expected:.2f})")
PY

echo "== 4. simulated five-model set (the bundled demo until issue 12; model_4 = model_1's geometry + noise, model_5 = 100 moved) =="
"$dk" simulate --models 5 --n 2000 --dims 96,64,128,48,80 --noise 0.3,0.6,0.9,1.2,0.3 --seed 1 --out "$work/sim5" > /dev/null
"$dk" compare "$work"/sim5/model_{1,4,5}.npy --reference model_1 --quiet --force --out "$work/out" > /dev/null 2>&1
score "$work/out" "$work/sim5/moved.txt" --pair model_1,model_4
score "$work/out" "$work/sim5/moved.txt" --pair model_1,model_5
