#!/usr/bin/env bash
# End to end through the CLI: simulate -> compare; the model with moved data must be the farthest in D;
# bad inputs exit non-zero with a message naming the problem and leave no output directory.
set -euo pipefail
dk=${DATAKERNEL:?set DATAKERNEL to the datakernel binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$dk" simulate --models 4 --n 1500 --noise 0.4,0.4,0.4,0.4 --seed 3 --out "$work/sim" > /dev/null
sed -e s/model_1/A/ -e s/model_2/B/ -e s/model_3/C/ -e s/model_4/MOVED/ "$work/sim/metrics.csv" > "$work/metrics.csv"
"$dk" compare "$work"/sim/model_{1,2,3,4}.npy --names A,B,C,MOVED --ids "$work/sim/ids.txt" \
  --metrics "$work/metrics.csv" --k 12 --seed 1 --test none --quiet --out "$work/out" > "$work/stdout.txt"
for f in summary.json model_distances.csv manifold.csv datum_shift.csv; do
  [ -s "$work/out/$f" ] || fail "missing $f"
done
[ -z "$(ls -A "$work/out" | grep -v -E '^(\.datakernel-files|summary.json|model_distances.csv|model_distances_(omnibus|direction|normalised_omnibus|knn_jaccard|mutual_knn|linear_cka).csv|manifold.csv|datum_shift.csv|latent_2d.csv|report.html)$')" ] \
  || fail "unexpected files in output: $(ls -A "$work/out")"
grep -q "model distances" "$work/stdout.txt" || fail "summary not printed"

python3 - "$work" <<'PY'
import csv, json, sys
work = sys.argv[1]
s = json.load(open(f"{work}/out/summary.json"))
assert s["n"] == 1500 and s["models"] == ["A", "B", "C", "MOVED"], s["models"]
assert s["k"] == 12 and s["metric"] == "cosine"
d = s["model_distances"]
assert len(d) == 4 and all(len(r) == 4 for r in d)
assert len(s["eigenvalues"]) >= s["dim"] + 1
assert len(s["manifold"]) == 4 and len(s["manifold"][0]) == 2
assert "correlations" in s and s["correlations"][0]["metric"] == "knn_accuracy"
# the moved model is the farthest: its mean distance to the others is the largest,
# and every pair that involves it is farther than every pair that does not
means = [sum(r) / 3 for r in d]
assert max(range(4), key=lambda g: means[g]) == 3, means
assert min(d[3][:3]) > max(d[0][1], d[0][2], d[1][2]), d
rows = list(csv.DictReader(open(f"{work}/out/datum_shift.csv")))
assert len(rows) == 1500 * 6, len(rows)
assert rows[0]["id"].startswith("datum_")
# the moved data dominate the top of the shift ranking for pairs involving MOVED: chance would put 5% of them
# there; this simulated set (seed 3) gives 0.68. Seeds 1-8 give 0.64-0.75 (and 0.65-0.80 for seeds 1-6 with the
# simulator's former std:: distributions, where seed 3 happened to give the best, 0.80, the former threshold).
moved = {int(x) for x in open(f"{work}/sim/moved.txt")}
top = [int(r["datum"]) for r in rows if r["model_a"] == "A" and r["model_b"] == "MOVED" and int(r["rank"]) <= len(moved)]
recall = len(moved & set(top)) / len(moved)
assert recall >= 0.65, recall
print(f"end-to-end ok: mean distances {[round(m, 4) for m in means]}, moved recall in top shifts {recall:.2f}")
PY

# Per-datum test on the moved model against the first: datum_tests.csv and "tests" in summary.json.
"$dk" compare "$work"/sim/model_1.npy "$work"/sim/model_4.npy --names base,moved --k 12 --seed 2 \
  --alpha 0.05 --quiet --out "$work/test-out" > "$work/test-stdout.txt" 2> "$work/test-stderr.txt"
grep -q "per-datum test base vs moved" "$work/test-stdout.txt" || fail "test summary not printed"
python3 - "$work" <<'PY'
import csv, json, sys
work = sys.argv[1]
s = json.load(open(f"{work}/test-out/summary.json"))
t = s["tests"][0]
assert (t["model_a"], t["model_b"], t["statistic"], t["null"], t["bootstrap"], t["alpha"], t["correction"]) == \
    ("base", "moved", "neighbourhood", "empirical", 0, 0.05, "bh"), t
assert t["smallest_attainable_p"] == 0 and not t["empirical_null"]["degenerate"], t
rows = list(csv.DictReader(open(f"{work}/test-out/datum_tests.csv")))
assert len(rows) == 1500 and list(rows[0]) == ["datum", "id", "model_a", "model_b", "statistic", "p_value", "q_value",
                                              "rejected", "jaccard", "rank_change"]
assert all(0 <= float(r["jaccard"]) <= 1 and 0 <= float(r["rank_change"]) <= 1 for r in rows)
moved = {int(x) for x in open(f"{work}/sim/moved.txt")}
rejected = {int(r["datum"]) for r in rows if r["rejected"] == "true"}
assert t["n_rejected"] == len(rejected)
recall = len(rejected & moved) / len(moved)
fdp = len(rejected - moved) / max(1, len(rejected))
ranked = sorted(rows, key=lambda r: (float(r["q_value"]), -float(r["statistic"])))
precision = sum(int(r["datum"]) in moved for r in ranked[:len(moved)]) / len(moved)
# Two different random projections of overlapping clusters: the empirical null is conservative here (power is
# checked in the unit tests and bench/); the ranking must still put the moved data first.
assert recall >= 0.4 and fdp <= 0.1 and precision >= 0.8, (recall, fdp, precision)
print(f"per-datum test ok: {len(rejected)} rejected, recall {recall:.2f}, FDP {fdp:.2f}, precision {precision:.2f}")
PY
# A bootstrap null with too few replicates for BH: the advice comes before the run.
"$dk" compare "$work"/sim/model_1.npy "$work"/sim/model_4.npy --names base,moved --k 12 --seed 2 --test omnibus \
  --null pooled --bootstrap 1000 --bootstrap-p count --quiet --out "$work/boot-out" > /dev/null 2> "$work/boot-stderr.txt"
grep -q "BH at alpha = 0.05 rejects only if at least 30 of the 1500" "$work/boot-stderr.txt" \
  || fail "bootstrap-size advice missing: $(cat "$work/boot-stderr.txt")"
# The neighbourhood statistic has only the empirical null.
set +e
"$dk" compare "$work"/sim/model_1.npy "$work"/sim/model_4.npy --null pooled --quiet --out "$work/bad-null" 2> "$work/bad-null.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "needs --test omnibus" "$work/bad-null.txt" && [ ! -e "$work/bad-null" ] \
  || fail "--null pooled with the neighbourhood statistic: rc $rc, $(cat "$work/bad-null.txt")"

# Bad inputs: exit code 2, message naming the problem, no output directory.
expect_error() {  # expect_error "fragment" args...
  local fragment=$1; shift
  local out="$work/bad-out"
  set +e
  "$dk" compare "$@" --quiet --out "$out" 2> "$work/err.txt" > /dev/null
  local rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "expected exit 2 for '$fragment', got $rc: $(cat "$work/err.txt")"
  grep -q -- "$fragment" "$work/err.txt" || fail "expected '$fragment' in: $(cat "$work/err.txt")"
  [ ! -e "$out" ] || fail "output directory left behind for '$fragment'"
}
"$dk" simulate --models 2 --n 100 --seed 4 --out "$work/small" > /dev/null
expect_error "every model must embed the same data" "$work"/sim/model_1.npy "$work"/small/model_1.npy
expect_error "must be smaller than the number of data" "$work"/small/model_{1,2}.npy --k 100
expect_error "at least 2 models" "$work"/small/model_1.npy
expect_error "nothing.npy: cannot open" "$work"/small/model_1.npy "$work"/nothing.npy
expect_error "ids.txt: has 1500 ids" "$work"/small/model_{1,2}.npy --ids "$work/sim/ids.txt"
printf 'model,acc\nX,1\n' > "$work/m.csv"
expect_error "unknown model 'X'" "$work"/sim/model_{1,2,3}.npy --metrics "$work/m.csv"
printf '1,2\n3,nan\n4,5\n' > "$work/nan.csv"
printf '1,2\n3,4\n4,5\n' > "$work/ok.csv"
expect_error "nan.csv: row 1 (0-based) contains NaN" "$work/ok.csv" "$work/nan.csv" --k 1
printf '1,2\n0,0\n4,5\n' > "$work/zero.csv"
expect_error "zero.csv: row 1 (0-based) is all zeros" "$work/ok.csv" "$work/zero.csv" --k 1
expect_error "--dim must be" "$work"/small/model_{1,2}.npy --dim abc
expect_error "--reference 'zzz' is not one of the model names" "$work"/small/model_{1,2}.npy --reference zzz

# A usage error exits 1.
set +e
"$dk" compare --bogus > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "usage error should exit 1, got $rc"

# Precomputed kernels (.mtx) are accepted as models.
python3 - "$work" <<'PY'
import random, sys
work = sys.argv[1]
random.seed(0)
n = 120
for name in ("g1", "g2"):
    edges = set()
    for i in range(n):
        for j in range(i):
            if (i % 3 == j % 3 and random.random() < 0.3) or random.random() < 0.03:
                edges.add((i + 1, j + 1))
    with open(f"{work}/{name}.mtx", "w") as f:
        f.write("%%MatrixMarket matrix coordinate pattern symmetric\n")
        f.write(f"{n} {n} {len(edges)}\n")
        for i, j in sorted(edges):
            f.write(f"{i} {j}\n")
PY
"$dk" compare "$work/g1.mtx" "$work/g2.mtx" --dim 3 --quiet --out "$work/mtx-out" > /dev/null 2> "$work/mtx-err.txt"
python3 -c "
import json,sys
s=json.load(open(sys.argv[1]))
assert s['dim']==3 and s['inputs'][0]['kind']=='graph', s
assert s['tests'][0]['statistic']=='omnibus' and s['tests'][0]['null']=='empirical', s['tests']
assert any('tested with the omnibus statistic' in w for w in s['warnings']), s['warnings']" "$work/mtx-out/summary.json"
grep -q "tested with the omnibus statistic" "$work/mtx-err.txt" || fail "graph fallback not said: $(cat "$work/mtx-err.txt")"
# --knn hnsw: approximate lists, their recall measured and written; exact search says recall 1.
"$dk" compare "$work"/sim/model_1.npy "$work"/sim/model_2.npy --knn hnsw --test none --quiet --out "$work/hnsw-out" \
  > /dev/null 2> "$work/hnsw-err.txt" || fail "--knn hnsw: $(cat "$work/hnsw-err.txt")"
python3 -c "
import json,sys
s=json.load(open(sys.argv[1]))
assert s['knn']['method']=='hnsw' and 0.95 <= s['knn']['recall'] <= 1 and s['knn']['recall_rows']==1000, s['knn']
assert all(m['knn_method']=='hnsw' for m in s['inputs']), s['inputs']
e=json.load(open(sys.argv[2]))
assert e['knn']['method']=='auto' and e['knn']['recall']==1 and e['inputs'][0]['knn_method']=='exact', e['knn']
" "$work/hnsw-out/summary.json" "$work/out/summary.json" || fail "knn recall not in summary.json"
# --knn clustered: the same record.
"$dk" compare "$work"/sim/model_1.npy "$work"/sim/model_2.npy --knn clustered --test none --quiet \
  --out "$work/clustered-out" > /dev/null 2> "$work/clustered-err.txt" || fail "--knn clustered: $(cat "$work/clustered-err.txt")"
python3 -c "
import json,sys
s=json.load(open(sys.argv[1]))
assert s['knn']['method']=='clustered' and 0.95 <= s['knn']['recall'] <= 1 and s['knn']['recall_rows']==1000, s['knn']
assert all(m['knn_method']=='clustered' for m in s['inputs']), s['inputs']
" "$work/clustered-out/summary.json" || fail "clustered knn recall not in summary.json"
echo "cli end-to-end: all checks passed"
