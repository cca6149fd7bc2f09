#!/usr/bin/env bash
# kNN side by side in one run: datakernel's exact, clustered and HNSW searches (library defaults) against FAISS
# IndexFlatIP (and whatever else PY_METHODS names, see knn_compare.py), cosine, default k, THREADS threads; seconds
# (median of RUNS; RUNS_LARGE at n >= 10^5) and recall@k on 1,000 seeded rows; then datakernel's clustered search
# (defaults) on every file of RECALL_MODELS: recall@k and seconds. Target: approximate at most half of FAISS flat's
# time with recall >= 0.95.
# Usage: bash bench/knn_approx.sh [BUILD_DIR]
#   SETS="N:FILE ..."   the first N rows of each FILE; FILE = grown:SOURCE for N rows grown from the real rows of
#                       SOURCE by bench/grow_real_rows.py (seed 1), gauss:D for 100 Gaussian clusters in D dims
#                       (seed 1). Default: 10^4 and 10^5 rows grown from the bundled e5 embeddings (data/debian/e5.npy)
#   RUNS=3 RUNS_LARGE=1 THREADS=2 PY_METHODS="flat faiss-ivf:16" SKIP_HNSW_FROM=0 (no HNSW from this n; 0 = never)
#   RECALL_MODELS="FILE ..." (default: the bundled real models, data/debian and data/demo; missing files skipped)
#   VENV=bench/.venv-knn (numpy, faiss-cpu and, when PY_METHODS names it, hnswlib from PyPI on first use)
# Needs BUILD_DIR configured with -DDATAKERNEL_BUILD_BENCHMARKS=ON.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=$(cd "${1:-$here/../build}" && pwd)
root=$(dirname "$here")
sets=${SETS:-10000:grown:$root/data/debian/e5.npy 100000:grown:$root/data/debian/e5.npy}
runs=${RUNS:-3}
runs_large=${RUNS_LARGE:-1}
threads=${THREADS:-2}
py_methods=${PY_METHODS:-flat faiss-ivf:16}
skip_hnsw_from=${SKIP_HNSW_FROM:-0}
recall_models=${RECALL_MODELS:-$(ls "$root"/data/debian/{e5,wordllama256}.npy "$root"/data/demo/*.npy 2> /dev/null || true)}
if [[ $py_methods == *hnswlib* ]]; then
  py=$(bench_python "${VENV:-$here/.venv-knn}" "faiss, numpy, hnswlib" numpy faiss-cpu hnswlib)
else
  py=$(bench_python "${VENV:-$here/.venv-knn}" "faiss, numpy" numpy faiss-cpu)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --build "$build" --target knn_exact_bench knn_hnsw_bench knn_clustered_bench -j2 > /dev/null
coretype=$(openblas_coretype "$build/datakernel")
hnsw=$("$build/knn_hnsw_bench" "$here/../data/debian/e5.npy" 1 0 0 0 0)
clustered=$("$build/knn_clustered_bench" "$here/../data/debian/e5.npy" 1 0 0 0 0 0)
field() { json_field <(echo "$1") "s[\"$2\"]"; }

echo "kNN, cosine, default k, $threads threads, OPENBLAS_CORETYPE=${coretype:-unset}, one process after another on"
echo "the same data. datakernel clustered defaults: round($(field "$clustered" clusters_per_root_n) sqrt(n)) cells, $(field "$clustered" probes) probes"
echo "$(field "$clustered" probe_lists), $(field "$clustered" iterations) Lloyd iterations on $(field "$clustered" sample_per_cluster) rows per cell; HNSW M = $(field "$hnsw" m),"
echo "ef_construction = $(field "$hnsw" ef_construction), ef_search = max(2k, 64); FAISS IVF nlist = 4 sqrt(n)."
echo "Seconds: median of $runs runs ($runs_large at n >= 10^5), everything from the normalised rows to all n lists"
echo "(k-means or index build included), recall check excluded; recall@k on 1,000 seeded rows against exact search."
echo "ratio = seconds / FAISS flat's seconds."
echo
printf '| n | d | data | method | seconds | runs | recall@k | ratio to FAISS flat |\n|---|---|---|---|---|---|---|---|\n'
for set in $sets; do
  n=${set%%:*} file=${set#*:}
  data=$work/y.npy
  if [[ $file == gauss:* ]]; then
    "$py" - "$n" "${file#gauss:}" "$data" << 'PY'
import sys
import numpy as np
n, d, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
centres = rng.standard_normal((100, d), dtype=np.float32)
y = centres[rng.integers(0, 100, n)] + 0.7 * rng.standard_normal((n, d), dtype=np.float32)
np.save(path, y.astype(np.float32))
PY
    file="100 Gaussian clusters (seed 1)"
  elif [[ $file == grown:* ]]; then
    [ -f "${file#grown:}" ] || { echo "| $n | | ${file#grown:} missing | | | | | |"; continue; }
    "$py" "$here/grow_real_rows.py" "${file#grown:}" "$n" "$data" 1 > /dev/null
    file="$n rows grown from the real rows of ${file#grown:"$root"/}"
  else
    [ -f "$file" ] || { echo "| $n | | $file missing | | | | | |"; continue; }
    "$py" -c "import numpy as np, sys; np.save(sys.argv[3], np.load(sys.argv[1], mmap_mode='r')[:int(sys.argv[2])])" \
      "$file" "$n" "$data"
    file="first $n rows of $file"
  fi
  d=$("$py" -c "import numpy as np, sys; print(np.load(sys.argv[1], mmap_mode='r').shape[1])" "$data")
  count=$runs
  [ "$n" -ge 100000 ] && count=$runs_large
  keys="exact clustered"
  { [ "$skip_hnsw_from" = 0 ] || [ "$n" -lt "$skip_hnsw_from" ]; } && keys="$keys hnsw"
  declare -A secs=() recall=()
  for _ in $(seq "$count"); do
    line=$(OMP_WAIT_POLICY=passive "$build/knn_exact_bench" "$data" "$threads" 1 0)
    secs[exact]+="$(sed -E 's/.*knn ([0-9.]+) s.*/\1/' <<< "$line") "
    recall[exact]=1
    line=$(OMP_WAIT_POLICY=passive "$build/knn_clustered_bench" "$data" "$threads" 0 0 0 0 1000)
    secs[clustered]+="$(field "$line" seconds) "
    recall[clustered]=$(field "$line" recall)
    if [[ $keys == *hnsw* ]]; then
      line=$(OMP_WAIT_POLICY=passive "$build/knn_hnsw_bench" "$data" "$threads" 0 0 0 1000)
      secs[hnsw]+="$(field "$line" seconds) "
      recall[hnsw]=$(field "$line" recall)
    fi
    # shellcheck disable=SC2086
    while read -r out; do
      key=$(json_field <(echo "$out") 's["method"].split(":")[0]')
      secs[$key]+="$(field "$out" seconds) "
      recall[$key]=$(field "$out" recall)
    done < <(env ${coretype:+OPENBLAS_CORETYPE=$coretype} OMP_NUM_THREADS="$threads" "$py" "$here/knn_compare.py" \
      "$data" "$threads" $py_methods)
  done
  # shellcheck disable=SC2086
  flat=$(median ${secs[flat]})
  for key in $keys $(for m in $py_methods; do echo "${m%%:*}"; done); do
    case $key in
      exact) label="datakernel exact" ;; clustered) label="datakernel clustered" ;; hnsw) label="datakernel HNSW" ;;
      flat) label="FAISS IndexFlatIP" ;; faiss-hnsw) label="FAISS IndexHNSWFlat" ;;
      faiss-ivf) label="FAISS IndexIVFFlat (nprobe 16)" ;; hnswlib) label="hnswlib (Python)" ;; *) label=$key ;;
    esac
    # shellcheck disable=SC2086
    s=$(median ${secs[$key]})
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$d" "$file" "$label" "$s" \
      "$(wc -w <<< "${secs[$key]}")" "${recall[$key]}" "$(awk -v a="$s" -v b="$flat" 'BEGIN {printf "%.3f", a / b}')"
  done
  unset secs recall
done

if [ -n "$recall_models" ]; then
  echo
  echo "datakernel clustered (defaults) on real models: recall@k on 1,000 seeded rows, seconds of the search"
  echo
  printf '| model | n | d | k | cells | seconds | recall@k |\n|---|---|---|---|---|---|---|\n'
  for f in $recall_models; do
    line=$(OMP_WAIT_POLICY=passive "$build/knn_clustered_bench" "$f" "$threads" 0 0 0 0 1000)
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${f#"$root"/}" "$(field "$line" n)" "$(field "$line" dim)" \
      "$(field "$line" k)" "$(field "$line" clusters)" "$(field "$line" seconds)" "$(field "$line" recall)"
  done
fi
