#!/usr/bin/env bash
# Peak resident memory of each rank of `mpirun -np P datakernel compare` for P = 1, 2, 3, with 3 simulated models
# (n = N, dim 384) given as .csv or as deflated .npz, for one or more builds side by side in one run (e.g. before and
# after a change to the reading stage). Each rank runs under /usr/bin/time (its maximum RSS); OMP_NUM_THREADS=1 per
# rank; every P's output files are compared with P = 1 of the same build (cmp). Two runs per row:
#   reading: the same command with a --metrics file naming no model, which every rank refuses right after the
#     models are read and checked (read_metrics comes last in load_compare_input): the peak of the reading alone;
#   whole run: the comparison itself (its later stages hold every model's kernel and the eigen-solve's blocks).
# Usage: bash bench/reading_memory.sh LABEL=MPI_DATAKERNEL [LABEL=MPI_DATAKERNEL ...] > bench/results/reading_memory.txt
# Sizes and options: N (default 20000), TEST (default none: the reading, kNN and eigen-solve stages; "neighbourhood"
# adds the default per-datum test, whose pairs read their two models on the rank testing them).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 LABEL=build/mpi/datakernel [LABEL=...]" >&2; exit 1; }
n=${N:-20000}
test_kind=${TEST:-none}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS=1)
first_dk=${1#*=}

echo "# reading_memory: peak RSS per rank of mpirun -np P datakernel compare, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
echo "# $(mpirun --version | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
"$first_dk" simulate --models 3 --n "$n" --dims 384 --seed 11 --out "$work/sim" > /dev/null
python3 - "$work" << 'PY'
import ast, struct, sys, zipfile
work = sys.argv[1]
for g in (1, 2, 3):
    path = f"{work}/sim/model_{g}.npy"
    data = open(path, "rb").read()
    end = 10 + int.from_bytes(data[8:10], "little")
    header = ast.literal_eval(data[10:end].decode())
    n, dim = header["shape"]
    values = struct.unpack("<%df" % (n * dim), data[end : end + 4 * n * dim])
    with open(f"{work}/model_{g}.csv", "w") as out:
        for i in range(n):
            out.write(",".join(repr(v) for v in values[i * dim : (i + 1) * dim]) + "\n")
    with zipfile.ZipFile(f"{work}/model_{g}.npz", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(path, "emb.npy")
PY
echo "# inputs: 3 simulated models, n = $n, dim 384: .csv $(du -m "$work/model_1.csv" | cut -f1) MB each," \
  ".npz $(du -m "$work/model_1.npz" | cut -f1) MB each (deflated), values 4·n·384 = $((4 * n * 384 / 1000000)) MB per model"
echo "# datakernel compare model_1 model_2 model_3 --test $test_kind --seed 5 --quiet"
echo
printf 'model,metric\nnone,1\n' > "$work/no_such_model.csv"
printf '%-8s %-6s %-2s %-24s %-24s %8s\n' build format P "reading: MB per rank" "whole run: MB per rank" wall_s
for spec in "$@"; do
  label=${spec%%=*}
  dk=${spec#*=}
  for format in csv npz; do
    for p in 1 2 3; do
      out="$work/out_${label}_${format}_$p"
      # Each rank's refusal is its own exit status, not mpirun's (which would end the other ranks before they
      # report), so the wrapper exits 0; the message says the run stopped where it should.
      "${mpi[@]}" -np "$p" bash -c '/usr/bin/time -f "%M" -o "$0.$OMPI_COMM_WORLD_RANK" "$@"; exit 0' "$work/read_$p" \
        "$dk" compare "$work"/model_{1,2,3}."$format" --metrics "$work/no_such_model.csv" --seed 5 --quiet \
        --out "$work/refused" > /dev/null 2> "$work/err.txt"
      grep -q "no_such_model.csv" "$work/err.txt" || { echo "the reading-only run did not stop at --metrics:" >&2; cat "$work/err.txt" >&2; exit 1; }
      start=$(date +%s.%N)
      "${mpi[@]}" -np "$p" bash -c '/usr/bin/time -f "%M" -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$work/rss_$p" "$dk" compare \
        "$work"/model_{1,2,3}."$format" --test "$test_kind" --seed 5 --quiet --out "$out" > /dev/null 2> "$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
      end=$(date +%s.%N)
      same=""
      if [ "$p" -gt 1 ]; then
        for f in "$work/out_${label}_${format}_1"/*; do
          cmp -s "$f" "$out/$(basename "$f")" || same=" (output differs from P = 1: $(basename "$f"))"
        done
      fi
      rss="" reading=""
      for r in $(seq 0 $((p - 1))); do
        rss+="$(($(tail -1 "$work/rss_$p.$r") / 1024)) "
        reading+="$(($(tail -1 "$work/read_$p.$r") / 1024)) "
      done
      printf '%-8s %-6s %-2s %-24s %-24s %8.1f%s\n' "$label" "$format" "$p" "$reading" "$rss" \
        "$(echo "$end - $start" | bc)" "$same"
      rm -f "$work"/rss_"$p".* "$work"/read_"$p".*
    done
  done
done
echo
echo "# MB per rank: /usr/bin/time %M (maximum resident set) of each rank, rank 0 first, in MiB; wall_s: the whole run"
echo "# (the machine is shared: wall times are not a measurement of the change)"
