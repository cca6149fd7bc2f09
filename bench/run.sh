#!/usr/bin/env bash
# The benchmark suite (issue 13 part 5): each section side by side in one run, kept in its own file and gathered
# into one report:
#   knn        datakernel exact, clustered and HNSW kNN vs FAISS flat / HNSW / IVF and hnswlib (bench/knn_approx.sh)
#   omnibus    the omnibus embedding vs graspologic's OmnibusEmbed (bench/omnibus_scaling.sh part 1)
#   e2e        end to end, one pair from embeddings (kNN graphs, embedding, per-datum test with the paper's null)
#              vs the authors' pipeline style (bench/authors_pipeline.py: scikit-learn graphs + graspologic)
#   scaling-n  `datakernel compare` at default settings, m = 3 models of 384 dims, n over sizes (bench/scaling.sh n)
#   scaling-m  the same with m models of 128 dims at one n, one pair tested (bench/scaling.sh m); both with time, peak RSS and
#              growth exponents
# Usage: bash bench/run.sh [--quick] [--only "knn e2e ..."] [--out FILE] [BUILD_DIR]
#   full (default): kNN n = 10^4, 10^5 x d = 384, 768; omnibus m = 2, 5, 10 x n = 10^3, 10^4 (medians of 3);
#     e2e n = 1000, B = 100 (medians of 3); scaling n = 10^3 .. 10^6; scaling m = 2 .. 100 at n = 10^5. 75 min on an
#     idle 2-core AMD EPYC (Zen 4), hours on a loaded machine.
#   --quick: kNN n = 10^4, d = 384 (1 run); omnibus n = 10^3; e2e B = 20 (1 run); scaling n = 10^3, 3 x 10^3, 10^4;
#     scaling m = 2, 5, 10 at n = 10^4 (minutes, not hours).
#   --only: run a subset of the sections.
# Each section run writes bench/results/suite/MODE/SECTION.md (MODE full or quick), stamped with its own date, commit,
# machine and load: every ratio in it compares runs of that one section run. The report (--out; default
# bench/RESULTS.md in full mode, bench/RESULTS-quick.md in quick mode) is then gathered from the section files of
# that mode, so the sections of a full suite can be run one at a time (`--only`); a section never run is listed with
# the command that runs it. SECTIONS_DIR=DIR keeps the section files in DIR instead (a trial run).
# Data: the kNN section's real rows are the bundled e5 embeddings (data/debian/e5.npy, 3,000 texts) grown to 10^4 and
# 10^5 rows by bench/grow_real_rows.py; the rest are seeded simulations (`datakernel simulate`, omnibus_bench).
#   KNN_SETS ("N:FILE ..." or N:gauss:D or N:grown:FILE, see bench/knn_approx.sh) overrides the kNN section's data.
# Needs BUILD_DIR (default build) configured with -DDATAKERNEL_BUILD_BENCHMARKS=ON; makes the Python venvs it uses
# (bench/.venv-knn: faiss-cpu, hnswlib; bench/.venv-omnibus: graspologic) from PyPI on first use.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib.sh"
all_sections="knn omnibus e2e scaling-n scaling-m"
quick=0 only=$all_sections out='' build=$root/build
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --only) only=$2; shift ;;
    --out) out=$2; shift ;;
    -*) echo "bench/run.sh: unknown option '$1'" >&2; exit 2 ;;
    *) build=$1 ;;
  esac
  shift
done
build=$(cd "$build" && pwd)
dk=$build/datakernel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --build "$build" --target datakernel knn_exact_bench knn_hnsw_bench knn_clustered_bench omnibus_bench -j2 > /dev/null
mode=full
[ "$quick" = 1 ] && mode=quick
for s in $only; do
  [[ " $all_sections " == *" $s "* ]] || { echo "bench/run.sh: unknown section '$s' (sections: $all_sections)" >&2; exit 2; }
done
if [ -z "$out" ]; then
  out=$here/RESULTS.md
  [ "$quick" = 1 ] && out=$here/RESULTS-quick.md
fi
sections_dir=${SECTIONS_DIR:-$here/results/suite/$mode}
mkdir -p "$sections_dir"
selected() { [[ " $only " == *" $1 "* ]]; }
quick_flag=
if [ "$quick" = 1 ]; then quick_flag=" --quick"; fi

section_knn() {
  local e5=$root/data/debian/e5.npy
  if [ "$quick" = 1 ]; then SETS=${KNN_SETS:-10000:grown:$e5} RUNS=1 bash "$here/knn_approx.sh" "$build"
  else
    SETS=${KNN_SETS:-10000:grown:$e5 10000:gauss:768 100000:grown:$e5 100000:gauss:768} \
      RUNS=3 PY_METHODS="flat faiss-ivf:16 faiss-hnsw:16,100,64 hnswlib:16,100,64" bash "$here/knn_approx.sh" "$build"
  fi
}

section_omnibus() {
  local ns="1000 10000" repeats=3
  [ "$quick" = 1 ] && ns=1000 repeats=1
  echo '```'
  OMP_WAIT_POLICY=passive PARTS=1 OMNIBUS_NS=$ns REPEATS=$repeats bash "$here/omnibus_scaling.sh" "$build"
  echo '```'
}

section_e2e() {
  local b=100 runs=3 py
  [ "$quick" = 1 ] && b=20 runs=1
  py=$(bench_python "$here/.venv-omnibus" graspologic "graspologic==3.4.4" numpy scipy)
  "$dk" simulate --models 2 --n 1000 --dims 384,384 --noise 0.3,0.3 --seed 12 --out "$work/e2e" > /dev/null
  "$dk" compare "$work"/e2e/model_{1,2}.npy --test none --quiet --out "$work/e2e_dim" > /dev/null 2>&1
  local dim k ours=() theirs=() tests=()
  dim=$(json_field "$work/e2e_dim/summary.json" 's["dim"]')
  k=$(json_field "$work/e2e_dim/summary.json" 's["k"]')
  for r in $(seq "$runs"); do
    rm -rf "$work/e2e_out"
    local start=$EPOCHREALTIME
    "$dk" compare "$work"/e2e/model_{1,2}.npy --dim "$dim" --test omnibus --null paper --bootstrap "$b" \
      --bootstrap-p count --seed "$r" --quiet --out "$work/e2e_out" > /dev/null 2>&1
    ours+=("$(printf '%.3f' "$(echo "$EPOCHREALTIME - $start" | bc)")")
    local line
    line=$("$py" "$here/authors_pipeline.py" "$work"/e2e/model_{1,2}.npy --k "$k" --dim "$dim" --bootstrap "$b" \
      --seed "$r" --out "$work/authors.csv")
    theirs+=("$(json_field <(echo "$line") 's["seconds"]')")
    tests+=("$(json_field <(echo "$line") 's["test_seconds"]')")
  done
  local mo mt
  mo=$(median "${ours[@]}") mt=$(median "${theirs[@]}")
  echo "One pair, n = 1000, 384 dims (datakernel simulate --models 2 --n 1000 --seed 12), k = $k, d = $dim, per-datum"
  echo "test with the paper's null and B = $b, from the .npy files to the p-values; median of $runs run(s)."
  echo
  echo "| pipeline | seconds (runs) | ratio |"
  echo "|---|---|---|"
  echo "| datakernel compare | $mo (${ours[*]}) | 1 |"
  echo "| authors' style: scikit-learn kNN + graspologic (test alone: ${tests[*]} s) | $mt (${theirs[*]}) | $(awk -v a="$mt" -v b="$mo" 'BEGIN {printf "%.0fx slower", a / b}') |"
  echo
  echo "p-values of the last run, ours vs theirs (two-sample KS):"
  echo '```'
  "$py" "$here/ks_two_sample.py" "$work/e2e_out/datum_tests.csv" "$work/authors.csv"
  echo '```'
}

section_scaling_n() {
  local sizes="1000 10000 100000 1000000"
  [ "$quick" = 1 ] && sizes="1000 3000 10000"
  echo '```'
  bash "$here/scaling.sh" "$build" n "$sizes"
  echo '```'
}

section_scaling_m() {
  local n=100000 counts="2 5 10 20 50 100"
  [ "$quick" = 1 ] && n=10000 counts="2 5 10"
  echo '```'
  SCALING_N=$n bash "$here/scaling.sh" "$build" m "$counts"
  echo '```'
}

declare -A titles=([knn]="kNN: exact and approximate vs FAISS and hnswlib" [omnibus]="Omnibus embedding vs graspologic"
  [e2e]="End to end vs the authors' pipeline style" [scaling-n]="Scaling in n (m = 3, d = 384, default settings)"
  [scaling-m]="Scaling in m (d = 128, default settings, one pair tested: --test-pair model_1,model_2)")
# One section: its output, stamped, replaces bench/results/suite/MODE/SECTION.md only when the section succeeded.
run_section() {
  local s=$1 started load t0 version
  started=$(date -u '+%Y-%m-%d %H:%M UTC') load=$(cut -d' ' -f1-3 /proc/loadavg) t0=$EPOCHREALTIME
  echo "bench/run.sh: section $s ($mode mode), started $started" >&2
  "section_${s//-/_}" > "$work/$s.md" 2> "$work/$s.err" || { echo "bench/run.sh: section $s failed:" >&2; tail -20 "$work/$s.err" >&2; exit 1; }
  # The code measured: the commit, and whether the sources or the bench scripts differ from it (the measurements
  # under bench/results and the reports are outputs, not code).
  version=$(git -C "$root" rev-parse --short HEAD)
  git -C "$root" diff --quiet HEAD -- src include cli bench ':!bench/results' ':!bench/RESULTS*.md' 2> /dev/null ||
    version+=" (with uncommitted changes)"
  {
    echo "Run by \`${KNN_SETS:+KNN_SETS=\"$KNN_SETS\" }bash bench/run.sh$quick_flag --only $s\` ($mode mode), $started," \
      "$(printf '%.0f' "$(echo "$EPOCHREALTIME - $t0" | bc)") s; every ratio below compares runs of this one section run."
    echo
    echo "- machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB memory;" \
      "load average at start $load, at end $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: wall times are inflated by other jobs)"
    echo "- datakernel $version; $("$dk" info | sed -n '2,5p' | paste -sd';' | sed 's/;/; /g')"
    echo
    cat "$work/$s.md"
  } > "$work/$s.stamped"
  mv "$work/$s.stamped" "$sections_dir/$s.md"
}

for s in $all_sections; do
  selected "$s" && run_section "$s"
done

{
  echo "# Benchmark results ($mode mode)"
  echo
  echo "Gathered by \`bash bench/run.sh$quick_flag\` from the section files in \`${sections_dir#"$root"/}/\`, each written by"
  echo "one run of its section (\`--only SECTION\` runs one): the ratios of a section compare runs of that one section run."
  for s in $all_sections; do
    echo
    echo "## ${titles[$s]}"
    echo
    if [ -f "$sections_dir/$s.md" ]; then cat "$sections_dir/$s.md"
    else echo "Not run yet in $mode mode: \`bash bench/run.sh$quick_flag --only $s\`"; fi
  done
} > "$out"
echo "bench/run.sh: wrote $out"
