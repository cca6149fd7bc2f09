#!/usr/bin/env bash
# Every row of the README's "Bad input" table: the input, the message (a fragment) and the exit code.
set -euo pipefail
dk=${DATAKERNEL:?set DATAKERNEL to the datakernel binary}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rows=0

# expect CODE "MESSAGE FRAGMENT" ARGS...   (runs `datakernel compare ARGS --quiet --out $w/out-N`)
expect() {
  local code=$1 fragment=$2; shift 2
  rows=$((rows + 1))
  local out="$w/out-$rows"
  set +e
  "$dk" compare "$@" --quiet --out "$out" > "$w/stdout" 2> "$w/stderr"
  local rc=$?
  set -e
  [ "$rc" -eq "$code" ] || fail "row $rows ($fragment): exit $rc, expected $code: $(cat "$w/stderr")"
  grep -qF -- "$fragment" "$w/stderr" || fail "row $rows: '$fragment' not in: $(cat "$w/stderr")"
  if [ "$code" -ne 0 ]; then [ ! -e "$out" ] || fail "row $rows left output behind"; fi
}

python3 - "$w" <<'PY'
import struct, sys
w = sys.argv[1]
def npy(path, descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    open(path, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload)
rows = [[((i * 7 + c * 3) % 11) + 0.5 + 0.013 * i * (c + 1) for c in range(4)] for i in range(30)]
def f32(rows): return b"".join(struct.pack("<%df" % len(r), *r) for r in rows)
npy(f"{w}/good.npy", "<f4", "(30, 4)", f32(rows))
npy(f"{w}/good2.npy", "<f4", "(30, 4)", f32([[v * 1.1 + (i % 3) for v in r] for i, r in enumerate(rows)]))
npy(f"{w}/short.npy", "<f4", "(25, 4)", f32(rows[:25]))
nan = [r[:] for r in rows]; nan[7][2] = float("nan")
npy(f"{w}/nan.npy", "<f4", "(30, 4)", f32(nan))
inf = [r[:] for r in rows]; inf[3][0] = float("inf")
npy(f"{w}/inf.npy", "<f4", "(30, 4)", f32(inf))
zero = [r[:] for r in rows]; zero[5] = [0.0] * 4
npy(f"{w}/zero.npy", "<f4", "(30, 4)", f32(zero))
dup = [r[:] for r in rows]; dup[9] = dup[2][:]
npy(f"{w}/dup.npy", "<f4", "(30, 4)", f32(dup))
npy(f"{w}/nodims.npy", "<f4", "(30, 0)", b"")
npy(f"{w}/ints.npy", "<i4", "(30, 4)", b"\0" * 480)
data = open(f"{w}/good.npy", "rb").read()
open(f"{w}/cut.npy", "wb").write(data[:-10])
open(f"{w}/ids.txt", "w").write("".join(f"id{i}\n" for i in range(29)))
open(f"{w}/dup-ids.txt", "w").write("".join(f"id{i % 29}\n" for i in range(30)))
open(f"{w}/metrics.csv", "w").write("model,acc\ngood,1\ngood2,2\nghost,3\n")
PY
G="$w/good.npy"
G2="$w/good2.npy"
expect 2 "nan.npy: row 7 (0-based) contains NaN at column 2" "$G" "$w/nan.npy" --k 5
expect 2 "inf.npy: row 3 (0-based) contains Inf at column 0" "$G" "$w/inf.npy" --k 5
expect 0 "--drop-invalid removed 1 data from all models" "$G" "$w/nan.npy" --k 5 --drop-invalid --test none
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert s['n'] == 29 and s['dropped_data'] == ['7'], s" "$w/out-$rows/summary.json"
expect 2 "zero.npy: row 5 (0-based) is all zeros; cosine similarity is undefined" "$G" "$w/zero.npy" --k 5
expect 0 "dup.npy: 1 rows repeat an earlier row exactly (e.g. rows 2 and 9)" "$G" "$w/dup.npy" --k 5 --test none
expect 2 "k = 30 must be smaller than the number of data n = 30" "$G" "$G2" --k 30
expect 2 "nodims.npy: empty array" "$G" "$w/nodims.npy" --k 5
expect 2 "compare needs at least 2 models, got 1" "$G" --k 5
expect 2 "short.npy: has 25 rows but" "$G" "$w/short.npy" --k 5
expect 2 "ids.txt: has 29 ids but the models have n = 30" "$G" "$G2" --k 5 --ids "$w/ids.txt"
expect 2 "dup-ids.txt: duplicate id 'id0' on line 30" "$G" "$G2" --k 5 --ids "$w/dup-ids.txt"
expect 2 "metrics.csv: line 4 names unknown model 'ghost'" "$G" "$G2" "$w/good.npy" --names good,good2,third --k 5 --metrics "$w/metrics.csv"
expect 2 "cut.npy: truncated data" "$G" "$w/cut.npy" --k 5
expect 2 "ints.npy: unsupported dtype '<i4'" "$G" "$w/ints.npy" --k 5
expect 2 "missing.npy: cannot open file" "$G" "$w/missing.npy" --k 5
touch "$w/a-file"
rows=$((rows + 1))
set +e
"$dk" compare "$G" "$G2" --k 5 --test none --quiet --out "$w/a-file/out" > /dev/null 2> "$w/stderr"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -qF "a-file/out: cannot create output directory" "$w/stderr" || fail "unwritable output: $rc $(cat "$w/stderr")"
mkdir -p "$w/full" && touch "$w/full/old.txt"
rows=$((rows + 1))
set +e
"$dk" compare "$G" "$G2" --k 5 --test none --quiet --out "$w/full" > /dev/null 2> "$w/stderr"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -qF "full: output directory already holds files; use --force" "$w/stderr" || fail "existing output: $rc"
expect 3 "not enough memory: this run needs about" "$G" "$G2" --k 5 --memory-limit 1K
rows=$((rows + 1))
set +e
"$dk" compare "$G" "$G2" --no-such-option > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "usage error: exit $rc, expected 1"
echo "bad input table: $rows rows checked"
