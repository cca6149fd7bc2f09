#!/usr/bin/env bash
# Exact kNN against FAISS IndexFlatIP, side by side in one run (issue 13), and the SGEMM rate of every BLAS
# Debian offers on this machine, written to bench/results/knn_exact.txt.
# Usage: bash bench/knn_exact.sh [BUILD_DIR]
#   SIZES="10000 100000" DIMS="384 768" RUNS=3 RUNS_LARGE=1 (runs at n >= 10^5) THREADS=2 (defaults); BLAS_ONLY=1 measures the BLAS rates only,
#   KNN_ONLY=1 the kNN comparison only.
# Needs: a configured build (benchmarks are switched on here), network for the first run (faiss-cpu and numpy from
# PyPI into bench/.venv-knn; Debian's OpenBLAS pthread and BLIS packages unpacked into bench/.blas-variants with
# `apt-get download`, nothing installed system-wide).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib.sh"
build=$(cd "${1:-$root/build}" && pwd)
sizes=${SIZES:-10000 100000}
dims=${DIMS:-384 768}
runs=${RUNS:-3}
runs_large=${RUNS_LARGE:-1}  # n >= 10^5: one run each (the machine is shared; FAISS alone takes minutes there)
threads=${THREADS:-2}
out=$here/results/knn_exact.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake -S "$root" -B "$build" -DDATAKERNEL_BUILD_BENCHMARKS=ON > /dev/null
cmake --build "$build" --target knn_exact_bench sgemm_rate -j2 > /dev/null

venv=$here/.venv-knn
if ! "$venv/bin/python" -c "import faiss, numpy" 2> /dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy faiss-cpu
fi
py=$venv/bin/python
site=$("$py" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")

arch=/usr/lib/$(gcc -print-multiarch)
variants=$here/.blas-variants
if [ ! -d "$variants/usr" ]; then
  mkdir -p "$variants/debs"
  (cd "$variants/debs" && apt-get download -q libopenblas0-pthread libblis4-openmp libblis4-pthread 2> /dev/null)
  for deb in "$variants"/debs/*.deb; do dpkg -x "$deb" "$variants"; done
fi
vroot=$variants$arch

# The kernel datakernel runs (its CLI and the benchmark driver fix a mis-detection, README "BLAS"); FAISS's bundled
# OpenBLAS gets the same setting, so that both run their best kernels.
coretype=$(openblas_coretype "$build/datakernel")

exec > >(tee "$out") 2>&1
echo "# Exact kNN vs FAISS IndexFlatIP and SGEMM rates, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# command: bash bench/knn_exact.sh ${1:-build}   (SIZES='$sizes' DIMS='$dims' RUNS=$runs THREADS=$threads)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB;" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
echo "datakernel $(git -C "$root" rev-parse --short HEAD); $("$build/datakernel" info | grep -i -E 'blas|kernel' | head -2 | tr '\n' ' ')"
echo "faiss $("$py" -c 'import faiss; print(faiss.__version__)'), numpy $("$py" -c 'import numpy; print(numpy.__version__)')"
echo

if [ -z "${KNN_ONLY:-}" ]; then
echo "## SGEMM rate, C = A·Bᵀ, A and B 4096 × depth (best of 5; 'tiles': $threads threads each running single-threaded"
echo "## SGEMM on 512 × 512 × depth tiles, as datakernel's exact kNN does; 'one-call': one product with the library's"
echo "## own $threads threads, as FAISS does)"
rate() {  # LABEL LIBRARY [ENV...]
  local label=$1 lib=$2
  shift 2
  for depth in $dims; do
    printf '%-44s %s\n' "$label" "$(env "$@" OMP_NUM_THREADS="$threads" "$build/sgemm_rate" "$lib" "$depth" "$threads" 512 5)"
  done
}
rate "Debian OpenBLAS 0.3.21 openmp, as detected" "$arch/openblas-openmp/libopenblas.so.0"
rate "  same, OPENBLAS_CORETYPE=SkylakeX" "$arch/openblas-openmp/libopenblas.so.0" OPENBLAS_CORETYPE=SkylakeX
rate "  same, OPENBLAS_CORETYPE=Haswell" "$arch/openblas-openmp/libopenblas.so.0" OPENBLAS_CORETYPE=Haswell
rate "Debian OpenBLAS 0.3.21 pthread" "$vroot/openblas-pthread/libopenblas.so.0"
rate "  same, OPENBLAS_CORETYPE=SkylakeX" "$vroot/openblas-pthread/libopenblas.so.0" OPENBLAS_CORETYPE=SkylakeX
rate "Debian BLIS 0.9.0 openmp" "$vroot/blis-openmp/libblis.so.4" BLIS_NUM_THREADS="$threads"
rate "Debian BLIS 0.9.0 pthread" "$vroot/blis-pthread/libblis.so.4" BLIS_NUM_THREADS="$threads"
rate "numpy's bundled OpenBLAS (reference)" "$(ls "$site"/numpy.libs/libscipy_openblas64_*.so)"
rate "faiss-cpu's bundled OpenBLAS, as detected" "$(ls "$site"/faiss_cpu.libs/libopenblaso*.so)" \
  LD_LIBRARY_PATH="$site/faiss_cpu.libs"
[ -n "$coretype" ] && rate "  same, OPENBLAS_CORETYPE=$coretype" "$(ls "$site"/faiss_cpu.libs/libopenblaso*.so)" \
  LD_LIBRARY_PATH="$site/faiss_cpu.libs" OPENBLAS_CORETYPE="$coretype"
for depth in $dims; do
  OPENBLAS_NUM_THREADS=$threads "$py" - "$depth" << 'EOF'
import sys, time
import numpy as np
d = int(sys.argv[1]); rng = np.random.default_rng(0)
a = rng.standard_normal((4096, d), dtype=np.float32); b = rng.standard_normal((4096, d), dtype=np.float32)
a @ b.T
best = min((lambda t: (a @ b.T, time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(5))
print(f"{'numpy a @ b.T (same library, through numpy)':44s} depth={d}  one-call {2 * 4096 * 4096 * d / best / 1e9:.0f} GFLOP/s")
EOF
done
fi
if [ -n "${BLAS_ONLY:-}" ]; then exit 0; fi
echo

echo "## Exact kNN, cosine, default k, $threads threads: datakernel (knn_search, method exact) and FAISS IndexFlatIP"
echo "## (normalize_L2 + add + search k+1, self dropped; OPENBLAS_CORETYPE=${coretype:-unset}, as datakernel) on the"
echo "## same data; median of $runs runs, alternating ($runs_large at n >= 10^5). The first run of datakernel at"
echo "## n < 10^5 also times its tiles' GEMMs alone (same schedule, no selection): the GEMM / selection split."
echo "## Data: 100 Gaussian clusters, seed 1, float32. 'computed' GFLOP/s counts the flops each one performs:"
echo "## datakernel computes the tiles of Y Yᵀ on and above the diagonal (about n² d), FAISS all of it (2 n² d)."
for n in $sizes; do
  for d in $dims; do
    data=$work/y_${n}_$d.npy
    "$py" - "$n" "$d" "$data" << 'EOF'
import sys
import numpy as np
n, d, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
centres = rng.standard_normal((100, d), dtype=np.float32)
y = centres[rng.integers(0, 100, n)] + 0.7 * rng.standard_normal((n, d), dtype=np.float32)
np.save(path, y.astype(np.float32))
EOF
    ours=() theirs=() split=""
    count=$runs
    if [ "$n" -ge 100000 ]; then count=$runs_large; fi
    for r in $(seq "$count"); do
      line=$("$build/knn_exact_bench" "$data" "$threads" 1 "$([ "$r" = 1 ] && [ "$n" -lt 100000 ] && echo 1 || echo 0)")
      ours+=("$(sed -E 's/.*knn ([0-9.]+) s.*/\1/' <<< "$line")")
      if [ "$r" = 1 ] && [ "$n" -lt 100000 ]; then split=$(sed -E 's/.*\((gemm alone [^)]*)\).*/\1/' <<< "$line"); fi
      theirs+=("$(env ${coretype:+OPENBLAS_CORETYPE=$coretype} OMP_NUM_THREADS="$threads" "$py" - "$data" "$threads" << 'EOF'
import sys, time
import faiss, numpy as np
y = np.load(sys.argv[1]); faiss.omp_set_num_threads(int(sys.argv[2]))
n = y.shape[0]; k = min(max(int(np.ceil(2 * np.log(n))), 8), 64)  # datakernel's default_k
t = time.perf_counter()
x = y.copy(); faiss.normalize_L2(x)
index = faiss.IndexFlatIP(x.shape[1]); index.add(x)
index.search(x, k + 1)
print(f"{time.perf_counter() - t:.3f}")
EOF
)")
    done
    mo=$(median "${ours[@]}") mf=$(median "${theirs[@]}")
    block=$("$build/knn_exact_bench" --block)
    awk -v n="$n" -v d="$d" -v o="$mo" -v f="$mf" -v b="$block" -v parts="$split" -v ro="${ours[*]}" -v rf="${theirs[*]}" 'BEGIN {
      dk = 0; for (r0 = 0; r0 < n; r0 += b) for (c0 = r0; c0 < n; c0 += b) dk += 2 * (n - r0 < b ? n - r0 : b) * (n - c0 < b ? n - c0 : b) * d
      printf "n=%-6d d=%-3d datakernel %8.3f s  FAISS %8.3f s  ratio ours/FAISS %.2f  computed GFLOP/s: datakernel %.0f, FAISS %.0f\n", n, d, o, f, o / f, dk / o / 1e9, 2 * n * n * d / f / 1e9
      printf "        runs (s): datakernel %s | FAISS %s | %s\n", ro, rf, (parts == "" ? "" : "first run of datakernel: " parts) }'
  done
done
if [ -z "${KNN_ONLY:-}" ]; then
  # The target of issue 13: the exact search's rate (flops it computes per second) at >= 70% of the best SGEMM rate
  # measured above, whatever the library, kernel or call shape.
  sleep 1  # the tee behind stdout writes what it reads at once; a moment for it before the file is read back
  best=$(grep -oE '(one-call|tiles-512) [0-9]+ GFLOP/s' "$out" | awk '$2 > b {b = $2} END {print b}')
  echo
  echo "## The exact search's computed rate as a share of the best SGEMM rate above ($best GFLOP/s):"
  grep -E '^n=.*computed GFLOP/s' "$out" | sed -E 's/^n=([0-9]+) +d=([0-9]+).*datakernel ([0-9]+), FAISS.*/\1 \2 \3/' |
    awk -v b="$best" '{printf "n=%-6d d=%-3d %3d GFLOP/s = %.0f%%\n", $1, $2, $3, 100 * $3 / b}'
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
