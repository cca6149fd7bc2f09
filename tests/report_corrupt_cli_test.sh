#!/usr/bin/env bash
# `datakernel report DIR` on corrupt output files: exit 2, one `datakernel: error: FILE: ...` line, the old
# report.html left as it was (no crash, abort or partial report). The library-level table is in report_test.cpp.
set -euo pipefail
dk=${DATAKERNEL:?set DATAKERNEL to the datakernel binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$dk" simulate --models 2 --n 60 --seed 1 --out "$work/sim" > /dev/null
"$dk" compare "$work"/sim/model_{1,2}.npy --names a,b --k 6 --quiet --out "$work/pristine" > /dev/null
"$dk" report "$work/pristine" > /dev/null || fail "pristine directory did not render"

# expect NAME MESSAGE PYTHON-EDIT: copies the pristine directory, applies the edit (d = directory), runs report.
expect() {
  local name=$1 message=$2 edit=$3 dir="$work/$1"
  cp -r "$work/pristine" "$dir"
  python3 - "$dir" <<PY
import csv, io, json, sys
d = sys.argv[1]
def rows(f):
    return list(csv.reader(open(f"{d}/{f}")))
def put(f, table):
    with open(f"{d}/{f}", "w", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(table)
def summary():
    return json.load(open(f"{d}/summary.json"))
def put_summary(s):
    json.dump(s, open(f"{d}/summary.json", "w"))
$edit
PY
  local rc=0
  "$dk" report "$dir" > "$work/out.txt" 2> "$work/err.txt" || rc=$?
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, expected 2 ($(cat "$work/err.txt"))"
  grep -qF -- "$message" "$work/err.txt" || fail "$name: message '$(cat "$work/err.txt")' lacks '$message'"
  grep -q "^datakernel: error: " "$work/err.txt" || fail "$name: not a datakernel error: $(cat "$work/err.txt")"
  cmp -s "$dir/report.html" "$work/pristine/report.html" || fail "$name: report.html changed"
}

expect datum_negative "latent_2d.csv: line 3: datum -1 is outside [0, n) for n = 60" \
  't = rows("latent_2d.csv"); t[2][0] = "-1"; put("latent_2d.csv", t)'
expect datum_huge "latent_2d.csv: line 3: datum 4000000000000 is outside" \
  't = rows("latent_2d.csv"); t[2][0] = "4000000000000"; put("latent_2d.csv", t)'
expect datum_nan "latent_2d.csv: line 3: datum 'nan' is not an integer" \
  't = rows("latent_2d.csv"); t[2][0] = "nan"; put("latent_2d.csv", t)'
expect z1_nan "latent_2d.csv: line 4: z1 'nan' is not a finite number" \
  't = rows("latent_2d.csv"); t[3][3] = "nan"; put("latent_2d.csv", t)'
expect latent_truncated "latent_2d.csv: has 119 rows, expected n × models = 60 × 2 = 120" \
  't = rows("latent_2d.csv"); put("latent_2d.csv", t[:-1])'
expect tests_p_value "datum_tests.csv: line 5: p_value 7 is outside [0, 1]" \
  't = rows("datum_tests.csv"); t[4][5] = "7"; put("datum_tests.csv", t)'
expect summary_missing_key "summary.json: missing key 'test_config'" \
  's = summary(); del s["test_config"]; put_summary(s)'
expect summary_wrong_type "summary.json: 'n' must be an integer, got string" \
  's = summary(); s["n"] = "60"; put_summary(s)'
expect summary_nested_wrong_type "summary.json: 'tests[0].p_value_cdf[2]' must be an array, got an integer" \
  's = summary(); s["tests"][0]["p_value_cdf"][2] = 1; put_summary(s)'
expect summary_malformed "summary.json: malformed JSON" \
  'open(f"{d}/summary.json", "w").write("{\"n\": ")'
echo "report_corrupt_cli: 10 corrupt directories rejected with exit 2"
