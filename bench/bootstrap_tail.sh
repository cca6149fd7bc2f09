#!/usr/bin/env bash
# Tail accuracy of the continuous bootstrap p-values (--bootstrap-p moments, a scaled chi-square fitted per datum
# to a few hundred replicates) against a long plain bootstrap (count p-values, B = 20,000) on the same pair:
# n = 1,000 (datakernel simulate, 2 models, 5% of the data moved in the second), omnibus statistic, pooled null.
# Reports, for the data whose long-bootstrap p lies in [1e-4, 1e-2], the ratio moments/count (target: within a
# factor 2). Usage: bash bench/bootstrap_tail.sh [BUILD_DIR] [LONG_B] > bench/results/bootstrap_tail.txt
set -euo pipefail
build=${1:-build}
long=${2:-20000}
dk="$build/datakernel"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# bash bench/bootstrap_tail.sh $build $long   ($(date -u +%Y-%m-%d), $(nproc) cores)"
"$dk" simulate --models 2 --n 1000 --seed 5 --out "$work/sim" > /dev/null
run() {  # run B KIND OUT
  local start=$EPOCHREALTIME
  "$dk" compare "$work"/sim/model_{1,2}.npy --test omnibus --null pooled --bootstrap "$1" --bootstrap-p "$2" \
    --seed 3 --quiet --out "$work/$3" > /dev/null 2>&1
  printf '%s: B = %s, %s p-values, %.0f s\n' "$3" "$1" "$2" "$(echo "$EPOCHREALTIME - $start" | bc)"
}
run "$long" count long
for b in 200 500; do run "$b" moments "m$b"; done
python3 - "$work" "$long" <<'PY'
import csv, statistics, sys
work, long_b = sys.argv[1], int(sys.argv[2])
def p(name):
    return [float(r["p_value"]) for r in csv.DictReader(open(f"{work}/{name}/datum_tests.csv"))]
long = p("long")
for name in ("m200", "m500"):
    short = p(name)
    for lo, hi in ((1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1)):
        ratios = [s / l for s, l in zip(short, long) if lo <= l < hi]
        if not ratios:
            print(f"{name}: no data with long-bootstrap p in [{lo:g}, {hi:g})"); continue
        within = sum(0.5 <= r <= 2 for r in ratios)
        print(f"{name}: long p in [{lo:g}, {hi:g}): {len(ratios)} data, ratio moments/count median "
              f"{statistics.median(ratios):.2f}, range {min(ratios):.2f}-{max(ratios):.2f}, within a factor 2: "
              f"{within}/{len(ratios)}")
    below = sum(x < 1e-4 for x in short)
    print(f"{name}: {below} data with p < 1e-4 (the long bootstrap's floor is {1 / (long_b + 1):.1e})")
PY
