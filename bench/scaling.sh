#!/usr/bin/env bash
# Scaling curves of `datakernel compare` at default settings (kNN `auto`, dimension rule, the default per-datum
# test of every model against the first): wall time, the stage times of --timings, peak RSS (GNU time) and the
# growth exponents between consecutive sizes, side by side in one run.
#
#   bash bench/scaling.sh [BUILD_DIR] n [SIZES]     m = 3 models of 384 dims, n over SIZES
#                                                    (default "1000 10000 100000 1000000")
#   bash bench/scaling.sh [BUILD_DIR] m [COUNTS]    n = $SCALING_N (default 100000) data, 128 dims, m over COUNTS
#                                                    (default "2 5 10 20 50 100"), one pair tested
#                                                    (--test-pair model_1,model_2: every pair would be m(m-1)/2 tests)
#
# Data: `datakernel simulate` (clustered latent geometry, per-model noise, 5% moved in one model), seeded, written
# to a temporary directory on the same disk as $TMPDIR (float32: 3 × 10^6 × 384 is 4.6 GB; 100 × 10^5 × 128 is 5.1 GB).
# Output: one table on stdout (append it to bench/results/scaling.txt).
set -euo pipefail
build=${1:-build}
mode=${2:-n}
dk="$build/datakernel"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case "$mode" in
  n) points=${3:-"1000 10000 100000 1000000"} ;;
  m) points=${3:-"2 5 10 20 50 100"} ;;
  *) echo "bench/scaling.sh: mode must be n or m, not '$mode'" >&2; exit 2 ;;
esac
scaling_n=${SCALING_N:-100000}

echo "# bash bench/scaling.sh $build $mode \"$points\"   ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
"$dk" info 2>/dev/null | grep -iE 'blas|core|sgemm' | sed 's/^/# /' || true
printf '%8s %5s %5s %9s %9s %9s %9s %9s %10s %8s\n' n m dims wall_s knn_s embed_s test_s other_s peak_MiB knn
for x in $points; do
  if [ "$mode" = n ]; then n=$x; m=3; dims=384; tests=(); else n=$scaling_n; m=$x; dims=128; tests=(--test-pair model_1,model_2); fi
  rm -rf "$work/data" "$work/out"
  "$dk" simulate --models "$m" --n "$n" --dims "$dims" --seed 7 --out "$work/data" > /dev/null
  models=()
  for i in $(seq "$m"); do models+=("$work/data/model_$i.npy"); done
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$dk" compare "${models[@]}" "${tests[@]}" --seed 1 --quiet \
    --timings "$work/t.json" --out "$work/out" > /dev/null 2> "$work/err.txt" \
    || { echo "compare failed at n=$n m=$m:" >&2; tail -5 "$work/err.txt" >&2; exit 1; }
  read -r wall rss < "$work/time.txt"
  python3 - "$work/t.json" "$work/out/summary.json" "$n" "$m" "$dims" "$wall" "$rss" >> "$work/rows.txt" <<'PY'
import json, sys
t = dict(json.load(open(sys.argv[1]))["stages"])
s = json.load(open(sys.argv[2]))
n, m, dims, wall, rss = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
knn = t.get("knn_graphs", 0.0)
embed = t.get("omnibus_embedding", 0.0)
test = t.get("per_datum_tests", 0.0)
method = ((s.get("inputs") or [{}])[0]).get("knn_method") or (s.get("knn") or {}).get("method", "exact")
print(n, m, dims, wall, knn, embed, test, wall - knn - embed - test, rss / 1024, method)
PY
  tail -1 "$work/rows.txt" | awk '{printf "%8d %5d %5d %9.2f %9.2f %9.2f %9.2f %9.2f %10.0f %8s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10}'
done
python3 - "$work/rows.txt" "$mode" <<'PY'
import math, sys
rows = [line.split() for line in open(sys.argv[1])]
col = 0 if sys.argv[2] == "n" else 1
name = "n" if col == 0 else "m"
for a, b in zip(rows, rows[1:]):
    x1, x2 = float(a[col]), float(b[col])
    def e(i):
        u, v = float(a[i]), float(b[i])
        return f"{math.log(v / u) / math.log(x2 / x1):.2f}" if u > 0 and v > 0 else "nan"
    print(f"growth exponent {name} = {x1:.0f} -> {x2:.0f}: wall {e(3)}, kNN {e(4)}, embedding {e(5)}, "
          f"per-datum tests {e(6)}, peak RSS {e(8)}")
PY
