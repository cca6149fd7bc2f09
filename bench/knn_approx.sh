#!/usr/bin/env bash
# kNN side by side in one run: datakernel's exact search and its HNSW search (library defaults) against FAISS
# IndexFlatIP, FAISS IndexHNSWFlat, FAISS IndexIVFFlat and hnswlib's Python build, cosine, default k, THREADS
# threads; seconds (median of RUNS; one run at n >= 10^5) and recall@k on 1,000 seeded rows; then datakernel's
# HNSW recall on every real model of POPULATION (n = 3,000). Target: approximate at most half of FAISS flat's time
# with recall >= 0.95.
# Usage: bash bench/knn_approx.sh [BUILD_DIR]   SIZES="10000 100000" DIMS="384 768" RUNS=3 THREADS=2
#   REAL=/work/realdata/debian10000/e5.npy (384 dims: its first n rows, and beyond its size rows grown from it by
#   bench/grow_real_rows.py); other dims: 100 Gaussian clusters (as bench/knn_exact.sh); POPULATION=DIR of .npy
#   (default /work/realdata/population3000, skipped when missing).
# Needs BUILD_DIR configured with -DDATAKERNEL_BUILD_BENCHMARKS=ON; makes bench/.venv-knn (faiss-cpu, hnswlib).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=$(cd "${1:-$here/../build}" && pwd)
sizes=${SIZES:-10000 100000}
dims=${DIMS:-384 768}
runs=${RUNS:-3}
threads=${THREADS:-2}
real=${REAL:-/work/realdata/debian10000/e5.npy}
population=${POPULATION:-/work/realdata/population3000}
py=$(bench_python "$here/.venv-knn" "faiss, hnswlib, numpy" numpy faiss-cpu hnswlib)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --build "$build" --target knn_exact_bench knn_hnsw_bench -j2 > /dev/null
coretype=$("$build/datakernel" info | sed -n 's/^OPENBLAS_CORETYPE: //p')
defaults=$("$build/knn_hnsw_bench" "$here/../data/debian/e5.npy" 1 0 0 0 0)
m=$(json_field <(echo "$defaults") 's["m"]') efc=$(json_field <(echo "$defaults") 's["ef_construction"]')

make_data() {  # make_data N D OUT: describes the data on stdout
  if [ "$2" = 384 ] && [ -f "$real" ]; then
    local n0
    n0=$("$py" -c "import numpy as np, sys; print(np.load(sys.argv[1], mmap_mode='r').shape[0])" "$real")
    if [ "$1" -le "$n0" ]; then
      "$py" -c "import numpy as np, sys; np.save(sys.argv[3], np.load(sys.argv[1])[:int(sys.argv[2])])" "$real" "$1" "$3"
      echo "real: first $1 rows of $real"
    else
      "$py" "$here/grow_real_rows.py" "$real" "$1" "$3" 1 > /dev/null
      echo "grown from real: $real + noise (grow_real_rows.py)"
    fi
  else
    "$py" - "$1" "$2" "$3" << 'PY'
import sys
import numpy as np
n, d, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
centres = rng.standard_normal((100, d), dtype=np.float32)
y = centres[rng.integers(0, 100, n)] + 0.7 * rng.standard_normal((n, d), dtype=np.float32)
np.save(path, y.astype(np.float32))
PY
    echo "synthetic: 100 Gaussian clusters, seed 1"
  fi
}

echo "kNN, cosine, default k, $threads threads, OPENBLAS_CORETYPE=${coretype:-unset}; datakernel HNSW defaults M = $m,"
echo "ef_construction = $efc, ef_search = max(2k, 64); FAISS HNSW and hnswlib with the same M / ef values; FAISS IVF"
echo "nlist = 4 sqrt(n), nprobe 16. Seconds: median of $runs runs (1 at n >= 10^5), build + all n queries, recall"
echo "check excluded; recall@k on 1,000 seeded rows against brute force. ratio = seconds / FAISS flat's seconds."
echo
printf '| n | d | data | method | seconds | recall@k | ratio to FAISS flat |\n|---|---|---|---|---|---|---|\n'
for n in $sizes; do
  for d in $dims; do
    data=$work/y.npy
    what=$(make_data "$n" "$d" "$data")
    count=$runs
    [ "$n" -ge 100000 ] && count=1
    declare -A secs=() recall=()
    for r in $(seq "$count"); do
      line=$(OMP_WAIT_POLICY=passive "$build/knn_exact_bench" "$data" "$threads" 1 0)
      secs[exact]+="$(sed -E 's/.*knn ([0-9.]+) s.*/\1/' <<< "$line") "
      recall[exact]=1
      line=$(OMP_WAIT_POLICY=passive "$build/knn_hnsw_bench" "$data" "$threads" 0 0 0 1000)
      secs[hnsw]+="$(json_field <(echo "$line") 's["seconds"]') "
      recall[hnsw]=$(json_field <(echo "$line") 's["recall"]')
      efs=$(json_field <(echo "$line") 's["ef_search"]')
      while read -r out; do
        key=$(json_field <(echo "$out") 's["method"].split(":")[0]')
        secs[$key]+="$(json_field <(echo "$out") 's["seconds"]') "
        recall[$key]=$(json_field <(echo "$out") 's["recall"]')
      done < <(env ${coretype:+OPENBLAS_CORETYPE=$coretype} OMP_NUM_THREADS="$threads" "$py" "$here/knn_compare.py" \
        "$data" "$threads" flat "faiss-hnsw:$m,$efc,$efs" faiss-ivf:16 "hnswlib:$m,$efc,$efs")
    done
    # shellcheck disable=SC2086
    flat=$(median ${secs[flat]})
    for key in exact hnsw flat faiss-hnsw faiss-ivf hnswlib; do
      case $key in
        exact) label="datakernel exact" ;; hnsw) label="datakernel HNSW" ;; flat) label="FAISS IndexFlatIP" ;;
        faiss-hnsw) label="FAISS IndexHNSWFlat" ;; faiss-ivf) label="FAISS IndexIVFFlat" ;; hnswlib) label="hnswlib (Python)" ;;
      esac
      # shellcheck disable=SC2086
      s=$(median ${secs[$key]})
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$d" "$what" "$label" "$s" "${recall[$key]}" \
        "$(awk -v a="$s" -v b="$flat" 'BEGIN {printf "%.2f", a / b}')"
    done
    unset secs recall
  done
done

if [ -d "$population" ]; then
  echo
  echo "datakernel HNSW (defaults) on the real models of $population: recall@k on 1,000 seeded rows"
  echo
  printf '| model | n | d | seconds | recall@k |\n|---|---|---|---|---|\n'
  for f in "$population"/*.npy; do
    line=$(OMP_WAIT_POLICY=passive "$build/knn_hnsw_bench" "$f" "$threads" 0 0 0 1000)
    printf '| %s | %s | %s | %s | %s |\n' "$(basename "$f" .npy)" "$(json_field <(echo "$line") 's["n"]')" \
      "$(json_field <(echo "$line") 's["dim"]')" "$(json_field <(echo "$line") 's["seconds"]')" "$(json_field <(echo "$line") 's["recall"]')"
  done
fi
