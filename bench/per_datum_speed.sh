#!/usr/bin/env bash
# Speed of one pair with default settings (kNN graphs, omnibus, the default per-datum test), n = 10^3 .. 10^5,
# 384-dim clustered embeddings (bench/clustered_pair.py: 4% moved on a jitter of 0.5), side by side in one run:
# wall time, the stage times of --timings, peak RSS (GNU time), and the growth exponents between sizes.
# Usage: bash bench/per_datum_speed.sh [BUILD_DIR] [SIZES] > bench/results/per_datum_speed.txt
set -euo pipefail
build=${1:-build}
sizes=${2:-"1000 10000 100000"}
dk="$build/datakernel"
here=$(cd "$(dirname "$0")" && pwd)
py=$(bash "$here/study_python.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# bash bench/per_datum_speed.sh $build \"$sizes\"   ($(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$dk" info 2>/dev/null | grep -i 'blas\|core' | head -1 | tr -s ' '))"
printf '%8s %9s %9s %9s %9s %9s %10s\n' n wall_s knn_s omnibus_s test_s other_s peak_MiB
for n in $sizes; do
  "$py" "$here/clustered_pair.py" "$work/d" --n "$n" --dim 384 --jitter 0.5 --moved 0.04 --seed 1
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$dk" compare "$work"/d/{a,b}.npy --quiet --force \
    --timings "$work/t.json" --out "$work/out" > /dev/null 2> "$work/err.txt"
  read -r wall rss < "$work/time.txt"
  "$py" - "$work/t.json" "$n" "$wall" "$rss" >> "$work/rows.txt" <<'PY'
import json, sys
t = dict(json.load(open(sys.argv[1]))["stages"]); n, wall, rss = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
knn, omni, test = t.get("knn_graphs", 0), t.get("omnibus_embedding", 0), t.get("per_datum_tests", 0)
print(n, wall, knn, omni, test, wall - knn - omni - test, rss / 1024)
PY
  tail -1 "$work/rows.txt" | awk '{printf "%8d %9.2f %9.2f %9.2f %9.2f %9.2f %10.0f\n", $1, $2, $3, $4, $5, $6, $7}'
done
"$py" - "$work/rows.txt" <<'PY'
import math, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
for (n1, w1, k1, o1, t1, *_), (n2, w2, k2, o2, t2, *_) in zip(rows, rows[1:]):
    e = lambda a, b: math.log(b / a) / math.log(n2 / n1) if a > 0 and b > 0 else float("nan")
    print(f"growth exponent n = {n1:.0f} -> {n2:.0f}: wall {e(w1, w2):.2f}, kNN {e(k1, k2):.2f}, "
          f"omnibus {e(o1, o2):.2f}, per-datum test {e(t1, t2):.2f}")
PY
