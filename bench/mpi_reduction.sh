#!/usr/bin/env bash
# The reduction behind the distributed eigen-solve (docs/distributed.md), three ways side by side under mpirun:
# the chain datakernel uses (ordered_model_sum), a gather of every model's block, and MPI_Allreduce; median wall
# seconds per reduction and whether each gives the same bits as one process (bench/cpp/mpi_reduction_bench.cpp).
# Usage: bash bench/mpi_reduction.sh [BUILD_DIR] > bench/results/mpi_reduction.txt
#   BUILD_DIR: configured with -DDATAKERNEL_MPI=ON -DDATAKERNEL_BUILD_BENCHMARKS=ON (default build).
#   Sizes: NS (default "10000 100000"), B (16 vectors per block), MODELS (6), REPEATS (9).
set -euo pipefail
build=${1:-build}
cmake --build "$build" --target mpi_reduction_bench > /dev/null
mpi=(mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS=1)
echo "# bash bench/mpi_reduction.sh $build   ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(mpirun --version | head -1))"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# one reduction = the sum over MODELS models of blocks of 2·n·b doubles (one application of the reduced omnibus"
echo "# operator to b vectors); the models split over P ranks in contiguous blocks"
for n in ${NS:-10000 100000}; do
  for p in 1 2 3; do
    "${mpi[@]}" -np "$p" "$build/mpi_reduction_bench" "$n" "${B:-16}" "${MODELS:-6}" "${REPEATS:-9}"
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
