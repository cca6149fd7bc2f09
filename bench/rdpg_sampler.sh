#!/usr/bin/env bash
# Cost of drawing one random dot product graph for the bootstrap nulls, side by side in one run: the thinned
# sampler (O(n log n + proposals · d)) against the dense one (O(n² d)), on the latent positions of the kNN graph
# of real text embeddings (n = 1,000 .. 10,000: e5 on Debian package descriptions, REALDATA) and of 384-dim
# clustered embeddings (n = 10,000 .. 100,000, bench/clustered_pair.py). Medians of 5 (thinned) and 3 (dense;
# 1 above n = 30,000) draws; growth exponents from the first to the last n of each set.
# Usage: [REALDATA=DIR] bash bench/rdpg_sampler.sh [BUILD_DIR] > bench/results/rdpg_sampler.txt
# (BUILD_DIR is configured with -DDATAKERNEL_BUILD_BENCHMARKS=ON; the target rdpg_sampler_bench is built here.)
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
cmake -DDATAKERNEL_BUILD_BENCHMARKS=ON "$build" > /dev/null
cmake --build "$build" --target rdpg_sampler_bench > /dev/null
py=$(bash "$here/study_python.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# bash bench/rdpg_sampler.sh $build   ($(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
exponents() {
  awk 'NR > 1 && $1 ~ /^[0-9]+$/ {n[++c] = $1; t[c] = $6; d[c] = $7}
       END {if (c > 1) printf "growth exponent in n: thinned %.2f, dense %.2f\n",
            log(t[c] / t[1]) / log(n[c] / n[1]), log(d[c] / d[1]) / log(n[c] / n[1])}' "$1"
}
if [ -n "${REALDATA:-}" ] && [ -f "$REALDATA/e5.npy" ]; then
  echo "== real text embeddings ($REALDATA/e5.npy) =="
  "$build/rdpg_sampler_bench" "$REALDATA/e5.npy" 1000 3000 10000 | tee "$work/real.txt"
  exponents "$work/real.txt"
fi
echo "== clustered embeddings, 384 dims (bench/clustered_pair.py, jitter 0.5) =="
"$py" "$here/clustered_pair.py" "$work/d" --n 100000 --dim 384 --jitter 0.5 --seed 1
"$build/rdpg_sampler_bench" "$work/d/a.npy" 10000 30000 100000 | tee "$work/sim.txt"
exponents "$work/sim.txt"
