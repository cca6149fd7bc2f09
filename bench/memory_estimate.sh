#!/usr/bin/env bash
# The memory estimate (what --memory-limit and the available-memory check compare against) beside the measured
# peak RSS of the same run, from --timings (memory_estimate_bytes, peak_rss_bytes = getrusage's ru_maxrss):
# 2 and 3 models of 384-dim clustered embeddings (bench/clustered_pair.py) at n = 2,000 .. 100,000 with default
# settings, and the omnibus bootstrap test. Target: estimate / peak RSS within [0.75, 1.25].
# Usage: bash bench/memory_estimate.sh [BUILD_DIR] [SIZES] [MODEL_COUNTS] > bench/results/memory_estimate.txt
set -euo pipefail
build=${1:-build}
sizes=${2:-"2000 10000 30000 100000"}
counts=${3:-"2 3"}
dk="$build/datakernel"
here=$(cd "$(dirname "$0")" && pwd)
py=$(bash "$here/study_python.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# bash bench/memory_estimate.sh $build \"$sizes\" \"$counts\"   ($(date -u +%Y-%m-%d), $(nproc) cores)"
printf '%8s %7s %-40s %12s %12s %7s\n' n models options estimate_MiB peak_RSS_MiB ratio
row() {  # row N MODELS OPTIONS...
  local n=$1 models=$2; shift 2
  local files=("$work/d/a.npy" "$work/d/b.npy")
  [ "$models" -eq 3 ] && files+=("$work/d/c.npy")
  "$dk" compare "${files[@]}" "$@" --quiet --force --timings "$work/t.json" --out "$work/out" > /dev/null 2>&1
  "$py" - "$work/t.json" "$n" "$models" "${*:-(default)}" <<'PY'
import json, sys
t = json.load(open(sys.argv[1])); e, r = t["memory_estimate_bytes"], t["peak_rss_bytes"]
print(f"{int(sys.argv[2]):8d} {int(sys.argv[3]):7d} {sys.argv[4]:<40s} {e / 2**20:12.0f} {r / 2**20:12.0f} {e / r:7.2f}")
PY
}
for n in $sizes; do
  "$py" "$here/clustered_pair.py" "$work/d" --n "$n" --dim 384 --jitter 0.5 --moved 0.04 --seed 1
  "$py" -c "import numpy as np, sys; a = np.load(sys.argv[1]); np.save(sys.argv[2], (a + 0.3 * np.random.default_rng(2).standard_normal(a.shape)).astype(np.float32))" \
    "$work/d/a.npy" "$work/d/c.npy"
  for models in $counts; do row "$n" "$models"; done
  [ "$n" -le 10000 ] && row "$n" 2 --test omnibus --null pooled --bootstrap 100
done
