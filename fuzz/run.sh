#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each on a scratch copy of its seed corpus (fuzz/corpus/<target>).
# Fails on the first crash, hang, leak or sanitizer report, printing the reproducer's path.
# Usage: bash fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:?build directory}
seconds=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
targets="npy npz safetensors fvecs delimited mtx text_lists csr report"
for target in $targets; do
  fuzzer="$build/fuzz/${target}_fuzzer"
  [ -x "$fuzzer" ] || { echo "fuzz: $fuzzer not built" >&2; exit 1; }
  mkdir -p "$work/$target" "$work/artifacts"
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=8192 \
       -print_final_stats=1 -artifact_prefix="$work/artifacts/${target}-" \
       "$work/$target" "$here/corpus/$target" > "$work/$target.log" 2>&1; then
    tail -40 "$work/$target.log" >&2
    mkdir -p "$build/fuzz-artifacts" && cp "$work"/artifacts/* "$build/fuzz-artifacts/" 2> /dev/null || true
    echo "fuzz: $target FAILED (reproducers in $build/fuzz-artifacts)" >&2
    exit 1
  fi
  runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$work/$target.log" | grep -oE "[0-9]+$" || echo "?")
  echo "fuzz: $target ok: $runs inputs in ${seconds} s, no crash, hang, leak or sanitizer report"
done
echo "fuzz: $(echo $targets | wc -w) passed, 0 failed"
