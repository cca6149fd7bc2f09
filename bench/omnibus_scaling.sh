#!/usr/bin/env bash
# Omnibus embedding speed and memory (issue 13 part 3), side by side in one run:
#  1. ours vs graspologic's OmnibusEmbed (sparse input, its default randomized SVD) on the same kNN graphs of a
#     seeded clustered simulation, same d, at m = 2, 5, 10 and n = 10^3, 10^4: medians of 3;
#  2. before/after at n = 10^4: the single-vector Lanczos solver (Spectra, the previous default) against the
#     block solvers, wall and CPU seconds, with the OpenMP wait policy left at its default and set passive;
#  3. ours alone at n = 10^4, m = 2 ... 100 (each in its own process): time, peak RSS, growth exponent in m;
#  4. --dim auto at n = 10^4: the eigenvalues computed and the d chosen.
# Usage: bash bench/omnibus_scaling.sh [BUILD_DIR] > bench/results/omnibus_scaling.txt
# A shorter run on a busy machine: REPEATS=1 SCALING_MS="2 5 10 20" bash bench/omnibus_scaling.sh (the defaults
# are 3 and "2 5 10 20 50 100"). PARTS="1 3" runs only those parts (default "1 2 3 4"); OMNIBUS_NS="1000" the
# sizes of part 1 (default "1000 10000"); SCALING_N the n of part 3 (default 10000).
# Needs BUILD_DIR configured with -DDATAKERNEL_BUILD_BENCHMARKS=ON (target omnibus_bench); makes a Python venv
# with graspologic in bench/.venv-omnibus on first use.
set -euo pipefail
build=${1:-build}
bench="$build/omnibus_bench"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
py=$(bench_python "$here/.venv-omnibus" graspologic "graspologic==3.4.4" numpy scipy)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dim=10
repeats=${REPEATS:-3}
read -r -a ms <<< "${SCALING_MS:-2 5 10 20 50 100}"
parts=" ${PARTS:-1 2 3 4} "
ns=${OMNIBUS_NS:-1000 10000}
scaling_n=${SCALING_N:-10000}
part() { [[ $parts == *" $1 "* ]]; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
walls() { local out=(); while read -r line; do out+=("$(field "$line" wall)"); done <<< "$1"; echo "${out[@]}"; }

echo "# omnibus_scaling.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')),"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset};" \
     "graspologic $("$py" -c 'import graspologic; print(graspologic.__version__)')"
echo "# graphs: exact kNN (default k) of 10 clusters in 32 dimensions seen through a random 64-dim projection per"
echo "# model with model-specific noise (bench/cpp/omnibus_bench.cpp); d = $dim for both."
for n in $ns 10000; do [ -d "$work/g$n" ] || { mkdir -p "$work/g$n"; "$bench" generate "$n" 10 7 "$work/g$n" > /dev/null; }; done

if part 1; then
echo
echo "== 1. ours vs graspologic OmnibusEmbed (sparse), d = $dim, medians of $repeats =="
printf '%-6s %-4s %-10s %-12s %-8s %-9s %-9s %s\n' n m ours_s grasp_s ratio ours_MB grasp_MB "max rel. diff of the top-$dim |eigenvalues|"
for n in $ns; do
  for m in 2 5 10; do
    ours=$("$bench" embed "$work/g$n" "$n" "$m" "$dim" auto "$repeats")
    theirs=$("$py" "$here/graspologic_omnibus.py" "$work/g$n" "$n" "$m" "$dim" "$repeats")
    o=$(median $(walls "$ours")) t=$(median $(walls "$theirs"))
    diff=$(python3 - "$(tail -1 <<< "$ours")" "$(tail -1 <<< "$theirs")" "$dim" <<'PY'
import json, sys
a, b, d = json.loads(sys.argv[1])["values"], json.loads(sys.argv[2])["values"], int(sys.argv[3])
k = min(len(a), len(b), d)
print(f"{max(abs(abs(x) - y) / abs(x) for x, y in zip(a[:k], b[:k])):.1e} (first {k})")
PY
)
    printf '%-6s %-4s %-10s %-12s %-8s %-9s %-9s %s\n' "$n" "$m" "$o" "$t" "$(awk -v a="$t" -v b="$o" 'BEGIN {printf "%.1fx", a / b}')" \
      "$(field "$(tail -1 <<< "$ours")" peak_rss_mb)" "$(field "$(tail -1 <<< "$theirs")" peak_rss_mb)" "$diff"
  done
done
echo "(ours: $(field "$(tail -1 <<< "$ours")" used) at m = 10; graspologic's peak RSS includes its Python imports)"
fi

if part 2; then
echo
echo "== 2. before/after at n = 10000, d = $dim: Lanczos (Spectra, single vector) vs block solvers, one run each =="
printf '%-4s %-9s %-26s %-8s %-8s %-8s %s\n' m wait solver wall_s cpu_s cpu/wall applications
for m in 2 10; do
  for wait in default passive; do
    for solver in lanczos explicit reduced; do
      if [ "$wait" = passive ]; then line=$(OMP_WAIT_POLICY=passive "$bench" embed "$work/g10000" 10000 "$m" "$dim" "$solver" 1)
      else line=$(env -u OMP_WAIT_POLICY "$bench" embed "$work/g10000" 10000 "$m" "$dim" "$solver" 1); fi
      w=$(field "$line" wall) c=$(field "$line" cpu)
      printf '%-4s %-9s %-26s %-8s %-8s %-8s %s\n' "$m" "$wait" "$(field "$line" used)" "$w" "$c" \
        "$(awk -v a="$c" -v b="$w" 'BEGIN {printf "%.2f", a / b}')" "$(field "$line" applications)"
    done
  done
done
fi

if part 3; then
echo
echo "== 3. ours alone at n = $scaling_n, d = $dim, m = ${ms[*]} (one process each) =="
mkdir -p "$work/big"
"$bench" generate "$scaling_n" "${ms[-1]}" 8 "$work/big" > /dev/null
printf '%-5s %-26s %-8s %s\n' m solver wall_s peak_RSS_MB
times=()
for m in "${ms[@]}"; do
  line=$("$bench" embed "$work/big" "$scaling_n" "$m" "$dim" auto 1)
  times+=("$(field "$line" wall)")
  printf '%-5s %-26s %-8s %s\n' "$m" "$(field "$line" used)" "$(field "$line" wall)" "$(field "$line" peak_rss_mb)"
done
python3 - "${ms[*]}" "${times[*]}" <<'PY'
import math, sys
m = [float(v) for v in sys.argv[1].split()]
t = [float(v) for v in sys.argv[2].split()]
def slope(xs, ys):
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)
tail = f", {slope(m[2:], t[2:]):.2f} over m = {m[2]:g}..{m[-1]:g}" if len(m) > 3 else ""
print(f"growth exponent of time in m (least squares on log-log): {slope(m, t):.2f} over m = {m[0]:g}..{m[-1]:g}{tail}")
PY
fi

if part 4; then
echo
echo "== 4. --dim auto at n = 10000 (eigenvalues computed: 16, doubled until d repeats) =="
printf '%-4s %-26s %-8s %-4s %s\n' m solver wall_s d computed
for m in 2 10; do
  line=$("$bench" embed "$work/g10000" 10000 "$m" 0 auto 1)
  printf '%-4s %-26s %-8s %-4s %s\n' "$m" "$(field "$line" used)" "$(field "$line" wall)" "$(field "$line" dim)" "$(field "$line" computed)"
done
fi
