#!/usr/bin/env bash
# The joint eigen-solve with every searched eigenpair held to 1e-10 and with only the kept ones (the default),
# side by side on each set of .npy embeddings given (one set per argument: a directory, its *.npy files in name
# order, or a quoted list of files) -> bench/results/omnibus_tolerance.txt. Needs -DDATAKERNEL_BUILD_BENCHMARKS=ON.
#   bash bench/omnibus_tolerance.sh BUILD_DIR SET [SET ...]        GRAPH_CACHE=DIR keeps the kNN graphs
set -euo pipefail
build=$1
shift
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
# The benchmark does not re-execute itself as the CLI does (README "BLAS"): pass the CLI's choice on.
core=$("$build/datakernel" info 2>/dev/null | awk -F': *' '/OPENBLAS_CORETYPE/ {print $2}' | head -1)
[ -n "$core" ] && export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-$core}
for set in "$@"; do
  if [ -d "$set" ]; then files=$(ls "$set"/*.npy | sort -V); else files=$set; fi
  echo "# $set"
  # shellcheck disable=SC2086
  /usr/bin/time -f "# (%e s for both lines; %P CPU)" "$build/omnibus_block_bench" 1:0,1:1e-4 $files 2>&1
done
