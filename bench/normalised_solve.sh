#!/usr/bin/env bash
# The normalised omnibus eigen-solve (docs/method.md, section 7) at several stopping tolerances, on real
# embeddings: seconds, restarts, operator applications, convergence and the largest change of the m×m distances
# against the tightest tolerance (bench/cpp/normalised_solve_bench.cpp).
# Usage: bash bench/normalised_solve.sh [BUILD_DIR] > bench/results/normalised_solve.txt
#   POPULATION: a folder of .npy models of the same texts (default /work/realdata/population3000, the 15-model
#   study of examples/model_population); LARGE: .npy files of more rows (default the three 10⁵-row files that
#   bench/grow_real_rows.py makes from e5, MiniLM and MiniLM layer 5, in /work/tmp/h3). Missing inputs are skipped.
set -euo pipefail
build=${1:-build}
population=${POPULATION:-/work/realdata/population3000}
large=${LARGE:-/work/tmp/h3/e5.npy /work/tmp/h3/minilm.npy /work/tmp/h3/minilm_L5.npy}
cmake --build "$build" --target normalised_solve_bench > /dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "# bash bench/normalised_solve.sh $build   ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, datakernel $(git rev-parse --short HEAD))"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if compgen -G "$population/*.npy" > /dev/null; then
  echo "## $population: every .npy (d = 24)"
  "$build/normalised_solve_bench" 24 1e-4,1e-6,1e-8,1e-10 "$out/population_" "$population"/*.npy
fi
# shellcheck disable=SC2086
if ls $large > /dev/null 2>&1; then
  echo "## $large (d = 24)"
  /usr/bin/time -f "# wall %e s, peak RSS %M KB (kNN graphs and all solves)" \
    "$build/normalised_solve_bench" 24 1e-4,1e-6,1e-8 "$out/large_" $large 2>&1
fi
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
