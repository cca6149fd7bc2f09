#!/usr/bin/env bash
# mpirun -np P datakernel compare for P = 1, 2, 3 on this machine, side by side in one run: wall seconds per
# stage (rank 0's --timings), and rank 0's bytes sent and received per stage, per vector the eigen-solve's operator
# is applied to, and per bootstrap replicate. Two workloads on seeded simulated models: the default per-datum
# test (pairs spread over the ranks), and the omnibus test with a bootstrap null (replicates spread over the ranks).
# Every P's output files are compared with P = 1 (cmp). OMP_NUM_THREADS=1 per rank: P ranks use P cores.
# Usage: bash bench/mpi_scaling.sh [MPI_BUILD_DIR] > bench/results/mpi_scaling.txt   (default build/mpi: the CLI of `make build-mpi`)
# Sizes: N (default 6000), MODELS (6), BOOTSTRAP (40).
set -euo pipefail
build=${1:-build/mpi}
dk="$build/datakernel"
n=${N:-6000}
models=${MODELS:-6}
bootstrap=${BOOTSTRAP:-40}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS=1)

echo "# mpi_scaling: mpirun -np P datakernel compare, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
echo "# $(mpirun --version | head -1); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared with other work)"
"$dk" simulate --models "$models" --n "$n" --dims 384,256 --seed 11 --out "$work/sim" > /dev/null
inputs=("$work"/sim/model_*.npy)
echo "# inputs: $models simulated models, n = $n, dims 384/256 (float32 .npy)"

run_set() {
  local label=$1; shift
  echo
  echo "## $label: datakernel compare ${inputs[*]##*/} $*"
  printf '%-3s %8s %8s %10s %10s %12s %14s %14s %11s\n' P wall_s knn_s omnibus_s tests_s eig_vectors \
    eig_bytes/vec test_bytes same_as_P1
  for p in 1 2 3; do
    local out="$work/out_${label}_$p" timings="$work/timings_${label}_$p.json"
    local start end
    start=$(date +%s.%N)
    "${mpi[@]}" -np "$p" "$dk" compare "${inputs[@]}" --seed 5 --quiet --timings "$timings" --out "$out" "$@" \
      > "$work/summary_$p.txt" 2> "$work/err_$p.txt"
    end=$(date +%s.%N)
    local same=yes
    if [ "$p" -gt 1 ]; then
      for f in "$work/out_${label}_1"/*; do cmp -s "$f" "$out/$(basename "$f")" || same="NO:$(basename "$f")"; done
    else same=-; fi
    python3 - "$timings" "$p" "$start" "$end" "$same" "$out/summary.json" << 'PY'
import json, sys
t = json.load(open(sys.argv[1])); p = int(sys.argv[2]); wall = float(sys.argv[4]) - float(sys.argv[3])
s = t["stages"]; c = t["communication_of_rank_0"]
vectors = t.get("omnibus_operator_vectors", 0)
eig = c.get("omnibus_embedding", {}); test = c.get("per_datum_tests", {})
eig_bytes = eig.get("sent_bytes", 0) + eig.get("received_bytes", 0)
print(f"{p:<3} {wall:8.1f} {s.get('knn_graphs', 0):8.1f} {s.get('omnibus_embedding', 0):10.1f} "
      f"{s.get('per_datum_tests', 0):10.1f} {vectors:12} {eig_bytes / vectors if vectors else 0:14.0f} "
      f"{test.get('sent_bytes', 0) + test.get('received_bytes', 0):14} {sys.argv[5]:>11}")
PY
  done
}

run_set default
run_set bootstrap --test omnibus --null pooled --bootstrap "$bootstrap"
echo
echo "# eig_bytes/vec: rank 0's bytes sent + received in the eigen-solve per vector the operator was applied to"
echo "# (omnibus_operator_vectors in --timings); test_bytes: rank 0's bytes in the per-datum test stage."
echo "# Formulas (docs/distributed.md): per application of the reduced operator to b vectors, each rank but the last"
echo "# sends 16·n·b bytes down the chain and the last broadcasts 16·n·b bytes; per bootstrap replicate its rank"
echo "# broadcasts 8·n bytes."
