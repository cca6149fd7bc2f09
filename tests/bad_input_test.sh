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
# Input read as the user meant, or refused: CSV/TSV, ids, labels, .mtx, .safetensors, magnitudes.
def csv(rows, sep=","): return "".join(sep.join(repr(v) for v in r) + "\n" for r in rows)
body = csv(rows[1:])
def put(name, text, mode="w"): open(f"{w}/{name}", mode).write(text)
put("bom.csv", ("\ufeff" + csv(rows)).encode("utf-8"), "wb")           # BOM before a numeric first row
put("bom-header.csv", ("\ufeffa,b,c,d\n" + csv(rows)).encode("utf-8"), "wb")
put("header.csv", "a,b,c,d\n" + csv(rows))
put("typo.csv", "0.5,1.5x,2.5,3.5\n" + body)
put("empty-field.csv", "0.5,,2.5,3.5\n" + body)
put("huge.csv", "0.5,1.5,2.5,1e400\n" + body)
put("huge-later.csv", csv(rows[:3]) + "1e39,1,2,3\n" + csv(rows[4:]))
put("quoted.csv", csv(rows[:5]) + '"1,2",3,4,5\n' + csv(rows[6:]))
put("unbalanced.csv", csv(rows[:5]) + '"1,2,3,4\n' + csv(rows[6:]))
put("trailing-comma.csv", "".join(",".join(repr(v) for v in r) + ",\n" for r in rows))
put("ragged.tsv", csv(rows[:8], "\t") + "1\t2\t3\n" + csv(rows[9:], "\t"))
put("quote-inside.csv", csv(rows[:2]) + '1,2",3,4\n' + csv(rows[3:]))
put("columns.csv", ",".join(str(c) for c in range(8)) + "\n" + csv([[v for v in r] * 2 for r in rows]))
put("bom-ids.txt", ("\ufeff" + "".join(f"id{i}\n" for i in range(30))).encode("utf-8"), "wb")
put("cr-ids.txt", "".join(f"id{i}\n" if i != 4 else "id\r4\n" for i in range(30)))
put("ctl-labels.txt", "".join(f"l{i}\n" if i != 6 else "l\x1b[0m\n" for i in range(30)))
put("text-bom.txt", ("\ufeff" + "".join(f"text {i}\n" for i in range(30))).encode("utf-8"), "wb")
put("metrics-quoted.csv", '\ufeffmodel,"acc, top-1"\r\n"good,v2",1\r\ngood2,2\r\nbom,4\r\n'.encode("utf-8"), "wb")
mtx = "%%MatrixMarket matrix coordinate pattern symmetric\n"
ring = [(i, (i + d) % 30) for i in range(30) for d in (1, 2, 3)]
put("junk.mtx", mtx + f"30 30 {len(ring)}\n" + "".join(f"{max(a,b)+1} {min(a,b)+1}{' x' if k == 7 else ''}\n" for k, (a, b) in enumerate(ring)))
part = [(i, i + 1) for i in range(0, 10)]
put("isolated.mtx", mtx + f"30 30 {len(part)}\n" + "".join(f"{b+1} {a+1}\n" for a, b in part))
some = [(i, (i + d) % 27) for i in range(27) for d in (1, 2, 3)]
put("some-isolated.mtx", mtx + f"30 30 {len(some)}\n" + "".join(f"{max(a,b)+1} {min(a,b)+1}\n" for a, b in some))
import json
def safetensors(name, shape):
    header = json.dumps({"e": {"dtype": "F32", "shape": shape, "data_offsets": [0, 480]}}).encode()
    open(f"{w}/{name}", "wb").write(struct.pack("<Q", len(header)) + header + f32(rows))
safetensors("frac.safetensors", [30.9, 4.2])
safetensors("ok.safetensors", [30, 4])
npy(f"{w}/big.npy", "<f4", "(30, 4)", f32([[v * 1e19 for v in r] for r in rows]))
npy(f"{w}/big2.npy", "<f4", "(30, 4)", f32([[v * 1.1e19 + i for v in r] for i, r in enumerate(rows)]))
npy(f"{w}/tiny.npy", "<f4", "(30, 4)", f32([[v * 1e-22 for v in r] for r in rows]))
npy(f"{w}/tiny2.npy", "<f4", "(30, 4)", f32([[v * 1.1e-22 for v in r] for r in rows]))
# A zip bomb: 20,000 x 10,000 float32 zeros (800 MB) deflated to under 1 MB; and files of the wrong kind.
import zipfile
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (20000, 10000), }"
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
with zipfile.ZipFile(f"{w}/bomb.npz", "w", compression=zipfile.ZIP_DEFLATED) as z:
    with z.open("emb.npy", "w", force_zip64=True) as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        chunk = bytes(4 * 10000 * 100)
        for _ in range(200):
            f.write(chunk)
open(f"{w}/text.npz", "wb").write(b"hello, this is not a zip archive\n" * 1000)
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
# CSV/TSV: one strict RFC 4180 parser; --header auto|yes|no (auto refuses a first line it cannot classify).
expect 2 "typo.csv: line 1, field 2: '1.5x' is not a number but other fields of this first line are numbers" "$G" "$w/typo.csv" --k 5
expect 2 "empty-field.csv: line 1, field 2: field is empty" "$G" "$w/empty-field.csv" --k 5
expect 2 "huge.csv: line 1, field 4: '1e400' is out of the float32 range" "$G" "$w/huge.csv" --k 5
expect 2 "huge-later.csv: line 4, field 1: '1e39' is out of the float32 range" "$G" "$w/huge-later.csv" --k 5
expect 2 "quoted.csv: line 6, field 1: '1,2' is not a number" "$G" "$w/quoted.csv" --k 5
expect 2 "unbalanced.csv: line 6, field 1: unbalanced quote" "$G" "$w/unbalanced.csv" --k 5
expect 2 "trailing-comma.csv: line 1, field 5: field is empty" "$G" "$w/trailing-comma.csv" --k 5
expect 2 "trailing-comma.csv: line 1, field 5: empty field" "$G" "$w/trailing-comma.csv" --k 5 --header no
expect 2 "ragged.tsv: line 9 has 3 fields, expected 4 (as on line 1)" "$G" "$w/ragged.tsv" --k 5
expect 2 "quote-inside.csv: line 3, field 2: quote inside an unquoted field" "$G" "$w/quote-inside.csv" --k 5
expect 2 "header.csv: line 1, field 1: 'a' is not a number (--header no: the first line is data)" "$G" "$w/header.csv" --k 5 --header no
expect 2 "columns.csv: line 1 reads 0,...,7: column numbers (a header) or data?" "$G" "$w/columns.csv" --k 5
expect 0 "" "$w/bom.csv" "$G2" --k 5 --test none --header no
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert s['n'] == 30, s['n']" "$w/out-$rows/summary.json"
expect 0 "" "$w/bom-header.csv" "$G2" --k 5 --test none
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert s['n'] == 30, s['n']" "$w/out-$rows/summary.json"
expect 0 "" "$w/header.csv" "$G2" --k 5 --test none --header yes
# --header auto says what it decided (a progress note: not under --quiet)
rows=$((rows + 1))
"$dk" compare "$w/header.csv" "$w/bom.csv" --k 5 --test none --out "$w/notes" > /dev/null 2> "$w/stderr" || fail "header notes: $(cat "$w/stderr")"
grep -qF "header.csv: --header auto: line 1 read as a header" "$w/stderr" || fail "no header note: $(cat "$w/stderr")"
grep -qF "bom.csv: --header auto: line 1 read as data" "$w/stderr" || fail "no data note: $(cat "$w/stderr")"
rows=$((rows + 1))
set +e; "$dk" compare "$G" "$G2" --header maybe --out "$w/hm" > /dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 1 ] || fail "--header maybe: exit $rc, expected 1"
# ids, labels, text and metrics files: BOM dropped, control characters refused up front with file and line
expect 0 "" "$G" "$G2" --k 5 --test none --ids "$w/bom-ids.txt" --text "$w/text-bom.txt"
grep -q '^0,id0,' "$w/out-$rows/datum_shift.csv" || fail "BOM kept in the first id: $(sed -n 2p "$w/out-$rows/datum_shift.csv")"
expect 2 "cr-ids.txt: line 5 contains a carriage return (\\r) at byte 3" "$G" "$G2" --k 5 --ids "$w/cr-ids.txt"
expect 2 "ctl-labels.txt: line 7 contains the control character 0x1B" "$G" "$G2" --k 5 --labels "$w/ctl-labels.txt"
expect 2 "--names contains a line feed (\\n) at byte 4" "$G" "$G2" --k 5 --names "a,b
c"
expect 2 "--names: line 1, field 1: unbalanced quote" "$G" "$G2" --k 5 --names '"a,b'
expect 0 "" "$G" "$G2" --k 5 --test none --names '"a,1",b'
grep -qF '"a,1"' "$w/out-$rows/model_distances.csv" || fail "quoted name: $(head -1 "$w/out-$rows/model_distances.csv")"
cp "$G2" "$w/new
line.npy"
expect 2 "model name 2 contains a line feed" "$G" "$w/new
line.npy" --k 5
cp "$G" "$w/good,v2.npy"
expect 0 "" "$w/good,v2.npy" "$G2" "$w/bom.csv" --k 5 --test none --metrics "$w/metrics-quoted.csv"
grep -qF '"acc, top-1"' "$w/out-$rows/summary.json" || fail "quoted metric name not read: $(grep -A3 correlations "$w/out-$rows/summary.json")"
# Matrix Market and safetensors
expect 2 "junk.mtx: line 10: unexpected text after the entry" "$w/junk.mtx" "$G" --k 5
expect 2 "isolated.mtx: 19 of n = 30 data have no neighbour" "$w/isolated.mtx" "$G" --k 5
expect 0 "some-isolated.mtx: 3 of n = 30 data have no neighbour in this kernel" "$w/some-isolated.mtx" "$G" --k 5 --test none
expect 2 "frac.safetensors:e: 'shape' must hold non-negative integers, got [30.9,4.2]" "$w/frac.safetensors" "$G" --k 5
expect 0 "" "$w/ok.safetensors" "$G" --k 5 --test none
# --seed out of range: refused, not wrapped or clamped to 2^64 - 1
for seed in -1 18446744073709551616 99999999999999999999999 0x10 1e3; do
  rows=$((rows + 1))
  set +e; "$dk" compare "$G" "$G2" --seed "$seed" --k 5 --test none --quiet --out "$w/seed" > /dev/null 2> "$w/stderr"; rc=$?; set -e
  [ "$rc" -eq 1 ] || fail "--seed $seed: exit $rc, expected 1"
  grep -qF "must be an integer from 0 to 18446744073709551615" "$w/stderr" || [ "$seed" = 1e3 ] || fail "--seed $seed: $(cat "$w/stderr")"
  [ ! -e "$w/seed" ] || fail "--seed $seed left output"
done
expect 0 "" "$G" "$G2" --seed 18446744073709551615 --k 5 --test none
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert s['seed'] == 2**64 - 1, s['seed']" "$w/out-$rows/summary.json"
# --metric dot|euclidean at extreme magnitudes: refused (float32 scores would overflow / underflow)
expect 2 "big.npy: values too large for --metric dot" "$w/big.npy" "$w/big2.npy" --k 5 --metric dot
expect 2 "big.npy: values too large for --metric euclidean" "$w/big.npy" "$w/big2.npy" --k 5 --metric euclidean
expect 2 "tiny.npy: values too small for --metric dot" "$w/tiny.npy" "$w/tiny2.npy" --k 5 --metric dot
expect 2 "tiny.npy: values too small for --metric euclidean" "$w/tiny.npy" "$w/tiny2.npy" --k 5 --metric euclidean
expect 0 "" "$w/big.npy" "$w/tiny.npy" --k 5 --test none --metric cosine
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
# Memory is checked from the headers before anything is inflated: the bomb is refused at once, in little memory.
rows=$((rows + 1))
set +e
/usr/bin/time -f "%M" -o "$w/rss" "$dk" compare "$w/bomb.npz" "$w/bomb.npz" --memory-limit 200M --quiet --out "$w/bomb-out" \
  > /dev/null 2> "$w/stderr"
rc=$?
set -e
[ "$rc" -eq 3 ] && grep -qF "not enough memory" "$w/stderr" || fail "zip bomb: exit $rc: $(cat "$w/stderr")"
[ "$(tail -1 "$w/rss")" -lt 102400 ] || fail "zip bomb: peak RSS $(tail -1 "$w/rss") KiB (the member was inflated)"
[ ! -e "$w/bomb-out" ] || fail "zip bomb left output behind"
expect 2 "text.npz: not a .npz file (no zip signature at the start)" "$w/text.npz" "$G" --k 5
rows=$((rows + 1))
set +e
"$dk" compare "$G" "$G2" --no-such-option > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "usage error: exit $rc, expected 1"
echo "bad input table: $rows rows checked"
