#!/usr/bin/env bash
# The issue-13 targets that are single large runs of `datakernel compare` at default settings, one after another
# (never beside another job: each row is a wall time), with the peak RSS of every stage and the run's memory
# estimate beside the measured peak.
#
#   bash bench/large_runs.sh [BUILD_DIR] [CASES]     CASES: any of "headline large models" (default all three)
#     headline  3 models × 10^5 × 384, each model tested against the first (--reference model_1);
#               target: under 15 minutes, peak RSS under 6 GB
#     large     10 models × 10^6 × 384 (kNN `auto`: clustered), one pair tested (--test-pair model_1,model_2);
#               target: under 1 hour, peak RSS under 16 GB
#     models    m = 10, 30, 100 (or $MODEL_COUNTS) models × 10^5 × 128 (the first m of one simulated set of 100),
#               one pair tested;
#               target: m = 100 within 24 GB, time about linear in m (growth exponents printed)
#
# Data: `datakernel simulate` (seed 7), kept in $DATA_DIR (default $TMPDIR/dk-large; 15 GB for `large`, 5 GB
# for `models`) so that a rerun does not simulate again; remove it afterwards. Output: one table on stdout
# (bench/results/large_runs.txt).
set -euo pipefail
build=${1:-build}
cases=${2:-"headline large models"}
dk="$build/datakernel"
data=${DATA_DIR:-${TMPDIR:-/tmp}/dk-large}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$data"

echo "# bash bench/large_runs.sh $build \"$cases\"   ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, load $(cut -d' ' -f1-3 /proc/loadavg))"
"$dk" info 2>/dev/null | grep -iE 'blas|core' | sed 's/^/# /' || true
printf '%-9s %8s %4s %5s %-28s %8s %8s %9s %9s %9s %9s %9s %9s\n' case n m dims tests wall_s knn_s omnibus_s normal_s popul_s tests_s peak_GiB est_GiB

run_case() {
  local name=$1 n=$2 m=$3 dims=$4 tests=$5 simulated=${6:-$3}
  local set="$data/${simulated}x${n}x${dims}"
  if [ ! -f "$set/model_$simulated.npy" ]; then
    rm -rf "$set"
    "$dk" simulate --models "$simulated" --n "$n" --dims "$dims" --seed 7 --out "$set" > /dev/null
  fi
  local models=()
  for i in $(seq "$m"); do models+=("$set/model_$i.npy"); done
  rm -rf "$work/out"
  # shellcheck disable=SC2086
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$dk" compare "${models[@]}" $tests --seed 1 --verbose \
    --timings "$work/t.json" --out "$work/out" > "$work/log.txt" 2>&1 \
    || { echo "compare failed ($name):" >&2; tail -5 "$work/log.txt" >&2; exit 1; }
  read -r wall rss < "$work/time.txt"
  echo "$m $wall $rss" >> "$work/$name.rows"
  python3 - "$work/t.json" "$name" "$n" "$m" "$dims" "$tests" "$wall" "$rss" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
s = t["stages"]
name, n, m, dims, tests, wall, rss = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], float(sys.argv[7]), int(sys.argv[8])
g = 1024.0 ** 3
print(f"{name:<9} {n:8d} {m:4d} {dims:5d} {tests:<28} {wall:8.0f} {s.get('knn_graphs', 0):8.0f} "
      f"{s.get('omnibus_embedding', 0):9.0f} {s.get('normalised_omnibus_embedding', 0):9.0f} {s.get('population', 0):9.0f} "
      f"{s.get('per_datum_tests', 0):9.0f} {rss * 1024 / g:9.2f} {t['memory_estimate_bytes'] / g:9.2f}")
out = json.load(open(sys.argv[1].rsplit("/", 1)[0] + "/out/summary.json"))
recalls = [g["knn_recall"] for g in out["inputs"]]
print(f"#   kNN {out['inputs'][0]['knn_method']}, recall {min(recalls):.4f}-{max(recalls):.4f}; d = {out['dim']} of "
      f"{out['search_eigenvalues']} eigenvalues searched ({out['eigen_solver']}); "
      f"rejected: {', '.join(str(t.get('rejected', t.get('n_rejected'))) for t in out['tests'])}")
print("#   peak RSS (GiB) when each stage ended: " +
      ", ".join(f"{k} {v / g:.2f}" for k, v in t["stage_peak_rss_bytes"].items()))
PY
  grep -E "embedding dimension|recall|eigenvalues|converged|warning" "$work/log.txt" | grep -vE "elapsed|ETA" | head -8 \
    | sed 's/^/#   /'
}

for c in $cases; do
  case "$c" in
    headline) run_case headline 100000 3 384 "--reference model_1" ;;
    large) run_case large 1000000 10 384 "--test-pair model_1,model_2" ;;
    models)
      for m in ${MODEL_COUNTS:-10 30 100}; do run_case models 100000 "$m" 128 "--test-pair model_1,model_2" 100; done
      python3 - "$work/models.rows" <<'PY'
import math, sys
rows = [[float(x) for x in line.split()] for line in open(sys.argv[1])]
for a, b in zip(rows, rows[1:]):
    e = lambda i: math.log(b[i] / a[i]) / math.log(b[0] / a[0])
    print(f"# growth exponent m = {a[0]:.0f} -> {b[0]:.0f}: wall {e(1):.2f}, peak RSS {e(2):.2f}")
PY
      ;;
    *) echo "bench/large_runs.sh: unknown case '$c' (headline, large, models)" >&2; exit 2 ;;
  esac
done
