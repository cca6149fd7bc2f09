#!/usr/bin/env bash
# `mpirun -np P datakernel compare` (a build with DATAKERNEL_MPI) writes the same files, byte for byte, as one
# process of the default build, for P = 2 and 3 and m = 2, 3 and 5 models (P > m, P not dividing m), with the
# default per-datum test and with the omnibus test's bootstrap null, and for mixed formats (.npz, .csv, .npy, also
# with --drop-invalid); and a rank whose model file is corrupt (a NaN in a valid .npy, a bad field in a .csv, a
# cut deflate stream in a .npz, each given to rank 1, not 0) makes mpirun exit non-zero with the file and rank 1
# named and no output. Only rank 1 opens such a file: a rank 0 that read it too would fail with its own message.
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

# Every format, each rank reading only its own models' files: a deflated .npz, a .csv and a .npy (m = 3; with
# P = 2 rank 0 reads the .npz, rank 1 the .csv and the .npy; with P = 3 one each). The default test reads a pair's
# two models on the rank testing it, and --measures all has rank 0 read every model for linear CKA, so models
# read elsewhere are read again later; --drop-invalid drops a row that only the .csv (not rank 0's) has NaN in.
python3 - "${M[0]}" "${M[1]}" "$w" << 'PY'
import ast, struct, sys, zipfile
def npy(path):
    data = open(path, "rb").read()
    end = 10 + int.from_bytes(data[8:10], "little")
    header = ast.literal_eval(data[10:end].decode())
    assert header["descr"] == "<f4" and not header["fortran_order"], header
    n, dim = header["shape"]
    return n, dim, struct.unpack("<%df" % (n * dim), data[end : end + 4 * n * dim])
out = sys.argv[3]
with zipfile.ZipFile(out + "/mixed_a.npz", "w", zipfile.ZIP_DEFLATED) as z:  # as numpy.savez_compressed writes it
    z.write(sys.argv[1], "emb.npy")
n, dim, values = npy(sys.argv[2])
rows = [",".join(repr(values[i * dim + c]) for c in range(dim)) for i in range(n)]
open(out + "/mixed_b.csv", "w").write("\n".join(rows) + "\n")
rows[7] = "nan" + rows[7][rows[7].index(","):]
open(out + "/mixed_nan.csv", "w").write("\n".join(rows) + "\n")
# A .csv whose first 99 lines are fine and line 100 is not; a .npz whose member's header inflates but whose data
# further on is corrupt. Only a rank that reads the values finds either.
rows = [",".join(repr(values[i * dim + c]) for c in range(dim)) for i in range(n)]
fields = rows[99].split(",")
fields[1] = "abc"
rows[99] = ",".join(fields)
open(out + "/bad_values.csv", "w").write("\n".join(rows) + "\n")
with zipfile.ZipFile(out + "/bad_values.npz", "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[1], "emb.npy")
data = bytearray(open(out + "/bad_values.npz", "rb").read())
entry = data.rindex(b"PK\x01\x02")  # the member's central directory entry: its compressed size cut to 80 %
size = int.from_bytes(data[entry + 20 : entry + 24], "little")
data[entry + 20 : entry + 24] = int(size * 0.8).to_bytes(4, "little")
open(out + "/bad_values.npz", "wb").write(data)
PY
mixed_sets=("$w/mixed_a.npz $w/mixed_b.csv ${M[2]}" "$w/mixed_a.npz $w/mixed_nan.csv ${M[2]} --drop-invalid")
mixed_labels=("mixed formats (.npz .csv .npy)" "mixed formats (.npz .csv .npy), --drop-invalid")
for s in 0 1; do
  # shellcheck disable=SC2206
  args=(compare ${mixed_sets[$s]} --k 9 --seed 3 --quiet --measures all)
  "$dk" "${args[@]}" --out "$w/one_mixed_$s" > /dev/null 2> "$w/one.err" || fail "one process, ${mixed_labels[$s]}: $(cat "$w/one.err")"
  for p in 2 3; do
    "${mpi[@]}" -np "$p" "$mpi_dk" "${args[@]}" --out "$w/mpi_mixed_${s}_$p" > "$w/mpi.out" 2> "$w/mpi.err" \
      || fail "mpirun -np $p, ${mixed_labels[$s]}: exit $?: $(tail -5 "$w/mpi.err")"
    same "$w/one_mixed_$s" "$w/mpi_mixed_${s}_$p" "${mixed_labels[$s]}, P = $p"
    runs=$((runs + 1))
  done
done

# A non-.npy file failing on rank 1 (m = 3, P = 2: rank 1 reads models 2 and 3): its error is rank 1's, said once
# with the rank, and rank 0, which never reads the file, does not fail with a message of its own.
for bad in bad_values.csv bad_values.npz; do
  set +e
  "${mpi[@]}" -np 2 "$mpi_dk" compare "${M[0]}" "${M[1]}" "$w/$bad" --seed 3 --quiet --out "$w/failed_$bad" \
    > "$w/failed.out" 2> "$w/failed.err"
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "$bad on rank 1: mpirun exited 0"
  case $bad in
    *.csv) expected="$bad: line 100, field 2: 'abc' is not a number (MPI rank 1)" ;;
    *.npz) expected="$bad:emb.npy: corrupt deflate data in .npz member (MPI rank 1)" ;;
  esac
  grep -qF "datakernel: error: $w/$expected" "$w/failed.err" || fail "$bad on rank 1: expected '$expected', got: $(cat "$w/failed.err")"
  [ "$(grep -c "error" "$w/failed.err")" -eq 1 ] || fail "$bad on rank 1: the error was not said once: $(cat "$w/failed.err")"
  [ ! -e "$w/failed_$bad" ] || [ -z "$(ls -A "$w/failed_$bad")" ] || fail "$bad: a failed run left output"
  echo "mpi: $bad on rank 1 said: $(grep error "$w/failed.err")"
done

echo "mpi: $runs runs of mpirun -np 2 and 3 byte-identical to one process (.npy; .npz + .csv + .npy); a file failing on rank 1 (.npy, .csv, .npz) leaves no output"
