#!/usr/bin/env bash
# Determinism, all-or-nothing output, --force, and clean interruption, through the CLI.
set -euo pipefail
dk=${DATAKERNEL:?set DATAKERNEL to the datakernel binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$dk" simulate --models 3 --n 500 --seed 9 --out "$work/sim" > /dev/null
args=("$work"/sim/model_{1,2,3}.npy --ids "$work/sim/ids.txt" --labels "$work/sim/labels.txt"
      --metrics "$work/sim/metrics.csv" --seed 4 --save-kernels --quiet)

# Same inputs and seed: byte-identical files for 1 and 2 threads, and across runs.
"$dk" compare "${args[@]}" --test omnibus --null pooled --bootstrap 200 --threads 1 --out "$work/t1" > /dev/null
"$dk" compare "${args[@]}" --test omnibus --null pooled --bootstrap 200 --threads 2 --out "$work/t2" > /dev/null
"$dk" compare "${args[@]}" --test omnibus --null pooled --bootstrap 200 --threads 2 --out "$work/t2-again" > /dev/null
diff -r "$work/t1" "$work/t2" > /dev/null || fail "1 and 2 threads differ: $(diff -rq "$work/t1" "$work/t2")"
diff -r "$work/t2" "$work/t2-again" > /dev/null || fail "two runs differ: $(diff -rq "$work/t2" "$work/t2-again")"
# The default test (neighbourhood statistic, empirical null) too.
"$dk" compare "${args[@]}" --threads 1 --out "$work/d1" > /dev/null
"$dk" compare "${args[@]}" --threads 2 --out "$work/d2" > /dev/null
diff -r "$work/d1" "$work/d2" > /dev/null || fail "default test: 1 and 2 threads differ: $(diff -rq "$work/d1" "$work/d2")"
files=$(ls "$work/t1" | wc -l)
[ "$files" -ge 9 ] || fail "expected every output file, got: $(ls "$work/t1")"

# An output directory that holds files is not overwritten without --force.
set +e
"$dk" compare "${args[@]}" --test none --out "$work/t1" > /dev/null 2> "$work/err.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "already holds files; use --force" "$work/err.txt" || fail "overwrite without --force: rc $rc, $(cat "$work/err.txt")"
"$dk" compare "${args[@]}" --test none --force --out "$work/t1" > /dev/null || fail "--force did not overwrite"

# An output path below a regular file cannot be created: exit 2, nothing written.
touch "$work/plain-file"
set +e
"$dk" compare "${args[@]}" --test none --out "$work/plain-file/out" > /dev/null 2> "$work/err.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "plain-file/out" "$work/err.txt" || fail "unwritable output: rc $rc, $(cat "$work/err.txt")"

# SIGINT and SIGTERM during a long run: exit 130, a clear message, no output directory, no staging leftovers.
for signal in INT TERM; do
  "$dk" compare "$work"/sim/model_{1,2}.npy --test omnibus --null pooled --bootstrap 1000000 --quiet --out "$work/killed-$signal" \
    > /dev/null 2> "$work/err-$signal.txt" &
  pid=$!
  sleep 1.5
  kill -"$signal" "$pid"
  set +e
  wait "$pid"
  rc=$?
  set -e
  [ "$rc" -eq 130 ] || fail "SIG$signal: expected exit 130, got $rc"
  grep -q "interrupted; no output was written" "$work/err-$signal.txt" || fail "SIG$signal message: $(cat "$work/err-$signal.txt")"
  [ ! -e "$work/killed-$signal" ] || fail "SIG$signal left $(ls -A "$work/killed-$signal")"
done
echo "robustness: byte-identical outputs (1 vs 2 threads, repeated), --force, unwritable output, SIGINT/SIGTERM: ok"
