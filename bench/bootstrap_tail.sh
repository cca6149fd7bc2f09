#!/usr/bin/env bash
# Tail accuracy of the continuous bootstrap p-values against a long plain bootstrap (count p-values, B = 20,000)
# on the same pair: n = 1,000 (datakernel simulate, 2 models, 5% of the data moved in the second), omnibus
# statistic, pooled null. Continuous p-values from B = 200 and 500 replicates: --bootstrap-p pooled (standardized
# replicates pooled over the data, the default) and moments (a scaled chi-square per datum). For the data whose
# long-bootstrap p lies in [1e-4, 1e-3), [1e-3, 1e-2), [1e-2, 1e-1): the ratio short/long (median, geometric
# mean, share within a factor 2; target: within a factor 2), and the share within a factor 2 that an exact p
# would reach against the long bootstrap's own binomial noise ("reference limit").
# Usage: bash bench/bootstrap_tail.sh [BUILD_DIR] [LONG_B] > bench/results/bootstrap_tail.txt
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
for b in 200 500; do run "$b" moments "moments$b"; run "$b" pooled "pooled$b"; done
python3 - "$work" "$long" <<'PY'
import csv, math, statistics, sys
work, long_b = sys.argv[1], int(sys.argv[2])
def p(name):
    return [float(r["p_value"]) for r in csv.DictReader(open(f"{work}/{name}/datum_tests.csv"))]
def within_share_of_exact(q):  # P((1 + Binomial(B, q)) / (B + 1) within a factor 2 of q)
    lo, hi = math.ceil(q / 2 * (long_b + 1) - 1), math.floor(2 * q * (long_b + 1) - 1)
    lam = long_b * q  # Poisson approximation of the binomial
    return sum(math.exp(-lam + c * math.log(lam) - math.lgamma(c + 1)) for c in range(max(lo, 0), hi + 1))
long = p("long")
for name in ("moments200", "pooled200", "moments500", "pooled500"):
    short = p(name)
    for lo, hi in ((1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1)):
        pairs = [(s, l) for s, l in zip(short, long) if lo <= l < hi]
        if not pairs:
            print(f"{name}: no data with long-bootstrap p in [{lo:g}, {hi:g})"); continue
        ratios = [s / l for s, l in pairs]
        within = sum(0.5 <= r <= 2 for r in ratios)
        limit = statistics.mean(within_share_of_exact(l) for _, l in pairs)
        print(f"{name:>10}: long p in [{lo:g}, {hi:g}): {len(ratios):3d} data, ratio median "
              f"{statistics.median(ratios):.2f}, geometric mean {math.exp(statistics.mean(map(math.log, ratios))):.2f}, "
              f"within a factor 2: {within}/{len(ratios)} (reference limit {limit:.2f})")
    below = sum(x < 1e-4 for x in short)
    print(f"{name:>10}: {below} data with p < 1e-4 (the long bootstrap's floor is {1 / (long_b + 1):.1e})")
PY
