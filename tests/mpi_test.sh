#!/usr/bin/env bash
# `mpirun -np P datakernel compare` (a build with DATAKERNEL_MPI) writes the same files, byte for byte, as one
# process of the default build, for P = 2 and 3 and m = 2, 3 and 5 models (P > m, P not dividing m), with the
# default per-datum test and with the omnibus test's bootstrap null; and a rank whose model file is corrupt
# (a NaN in a valid .npy given to rank 1, not 0) makes mpirun exit non-zero with the file named and no output.
# Run by `make test` (Makefile target test-mpi) with DATAKERNEL_MPI=build/mpi/datakernel, DATAKERNEL=build/datakernel.
set -euo pipefail
mpi_dk=${DATAKERNEL_MPI:?set DATAKERNEL_MPI to a datakernel built with -DDATAKERNEL_MPI=ON}
dk=${DATAKERNEL:?set DATAKERNEL to the default (single-process) datakernel}
command -v mpirun > /dev/null || { echo "FAIL: mpirun not found (Debian: openmpi-bin)" >&2; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# Two cores shared by P ranks: one OpenMP thread per rank (the results do not depend on the thread count).
mpi=(mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS=1)
runs=0

"$dk" simulate --models 5 --n 240 --seed 4 --out "$w/sim" > /dev/null
M=("$w"/sim/model_{1,2,3,4,5}.npy)

# same DIR_A DIR_B WHAT: the same file names, and every file byte-identical
same() {
  [ "$(cd "$1" && ls -A | LC_ALL=C sort)" = "$(cd "$2" && ls -A | LC_ALL=C sort)" ] \
    || fail "$3: different files: $(ls -A "$1" | tr '\n' ' ') vs $(ls -A "$2" | tr '\n' ' ')"
  for f in "$1"/* "$1"/.datakernel-files; do
    cmp -s "$f" "$2/$(basename "$f")" || fail "$3: $(basename "$f") differs"
  done
}

tests=("" "--test omnibus --null pooled --bootstrap 6")
for m in 2 3 5; do
  for t in 0 1; do
    # shellcheck disable=SC2206
    extra=(${tests[$t]})
    args=(compare "${M[@]:0:m}" --k 9 --seed 3 --quiet "${extra[@]}")
    "$dk" "${args[@]}" --out "$w/one_${m}_$t" > /dev/null 2> "$w/one.err" || fail "one process: $(cat "$w/one.err")"
    for p in 2 3; do
      "${mpi[@]}" -np "$p" "$mpi_dk" "${args[@]}" --out "$w/mpi_${m}_${t}_$p" > "$w/mpi.out" 2> "$w/mpi.err" \
        || fail "mpirun -np $p, m = $m, ${tests[$t]:-default test}: exit $?: $(tail -5 "$w/mpi.err")"
      same "$w/one_${m}_$t" "$w/mpi_${m}_${t}_$p" "m = $m, P = $p, ${tests[$t]:-default test}"
      runs=$((runs + 1))
    done
  done
done

# A NaN in the third model's values (valid header: only reading the values finds it). With m = 3 and P = 2,
# rank 0 has model 1 and rank 1 models 2 and 3.
python3 - "${M[2]}" "$w/corrupt.npy" << 'PY'
import sys
import struct
data = bytearray(open(sys.argv[1], "rb").read())
header_end = 10 + int.from_bytes(data[8:10], "little")  # .npy version 1: 2-byte header length at offset 8
header = data[10:header_end].decode()
nan = struct.pack("<d", float("nan")) if "f8" in header else struct.pack("<f", float("nan"))
at = header_end + 10 * len(nan)  # row 0, column 10
data[at : at + len(nan)] = nan
open(sys.argv[2], "wb").write(data)
PY
set +e
"${mpi[@]}" -np 2 "$mpi_dk" compare "${M[0]}" "${M[1]}" "$w/corrupt.npy" --seed 3 --quiet --out "$w/failed" \
  > "$w/failed.out" 2> "$w/failed.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a corrupt model on rank 1: mpirun exited 0"
grep -q "corrupt.npy: row .* contains NaN" "$w/failed.err" || fail "the error does not name the file: $(cat "$w/failed.err")"
grep -q "(MPI rank 1)" "$w/failed.err" || fail "the error does not name the failing rank: $(cat "$w/failed.err")"
[ ! -e "$w/failed" ] || [ -z "$(ls -A "$w/failed")" ] || fail "a failed run left output: $(ls -A "$w/failed")"

echo "mpi: the failing run said: $(grep error "$w/failed.err")"
echo "mpi: $runs runs of mpirun -np 2 and 3 byte-identical to one process; a failing rank 1 leaves no output"
