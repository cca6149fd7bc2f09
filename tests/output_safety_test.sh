#!/usr/bin/env bash
# Output is all or nothing and never mixed (README "Output directory"): checked writes (full disk → exit 3,
# nothing left behind), a lock against concurrent runs, --force removing exactly the earlier run's files,
# an atomic commit that rolls back, stale staging of killed runs cleaned up, and output paths checked first.
# Each `case_ok` is one case; the tmpfs cases are skipped (with a message) where mounting is not possible.
set -euo pipefail
dk=${DATAKERNEL:?set DATAKERNEL to the datakernel binary}
w=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]+"${mounts[@]}"}"; do umount "$m" 2> /dev/null || true; done
  rm -rf "$w"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cases=0
skipped=0
case_ok() { cases=$((cases + 1)); }

# run NAME ARGS...: runs datakernel, keeps its exit code in $rc and stderr in $w/NAME.err
run() {
  local name=$1; shift
  set +e
  "$dk" "$@" > "$w/$name.out" 2> "$w/$name.err"
  rc=$?
  set -e
}
expect_rc() { [ "$rc" -eq "$1" ] || fail "$2: exit $rc, expected $1: $(cat "$w/$3.err")"; }
expect_msg() { grep -qF -- "$1" "$w/$2.err" || fail "$2: '$1' not in: $(cat "$w/$2.err")"; }
# the output directory's listing, hidden files included
listing() { (cd "$1" && ls -A | LC_ALL=C sort | tr '\n' ' '); }
no_leftovers() {  # no staging directory and no lock file left in $1
  if ls -A "$1" | grep -qE '^\.datakernel-(staging|lock)'; then fail "$2: left $(ls -A "$1")"; fi
}

"$dk" simulate --models 3 --n 300 --seed 9 --out "$w/sim" > /dev/null
M=("$w"/sim/model_{1,2,3}.npy)
small=(compare "${M[0]}" "${M[1]}" --test none --quiet)                       # 11 files
big=(compare "${M[@]}" --labels "$w/sim/labels.txt" --save-kernels --quiet)  # + datum_tests, annotations, kernels

# --- --force removes what the earlier run wrote, and nothing else -------------------------------------------
run big1 "${big[@]}" --out "$w/f"
expect_rc 0 "big run" big1
for f in datum_tests.csv annotations.csv kernel_1_model_1.mtx kernel_3_model_3.mtx .datakernel-files; do
  [ -f "$w/f/$f" ] || fail "big run did not write $f"
done
case_ok
echo "mine" > "$w/f/notes.txt"
mkdir "$w/f/plots" && echo "mine" > "$w/f/plots/p.txt"
run small1 "${small[@]}" --force --out "$w/f"
expect_rc 0 "--force run" small1
[ "$(listing "$w/f")" = ".datakernel-files datum_shift.csv latent_2d.csv manifold.csv model_distances.csv model_distances_direction.csv model_distances_knn_jaccard.csv model_distances_linear_cka.csv model_distances_mutual_knn.csv model_distances_normalised_omnibus.csv model_distances_omnibus.csv notes.txt plots report.html summary.json " ] \
  || fail "--force kept files of the earlier run or removed the user's: $(listing "$w/f")"
case_ok
[ "$(cat "$w/f/notes.txt")" = mine ] && [ "$(cat "$w/f/plots/p.txt")" = mine ] || fail "--force changed the user's files"
case_ok
# `datakernel report` then draws only this run: no per-datum test section from the earlier run
run report1 report "$w/f"
expect_rc 0 "report after --force" report1
! grep -q "<section id='tests'>" "$w/f/report.html" || fail "report still draws the earlier run's tests"
case_ok
# The manifest lists exactly the run's files.
[ "$(LC_ALL=C sort "$w/f/.datakernel-files" | tr '\n' ' ')" = "datum_shift.csv latent_2d.csv manifold.csv model_distances.csv model_distances_direction.csv model_distances_knn_jaccard.csv model_distances_linear_cka.csv model_distances_mutual_knn.csv model_distances_normalised_omnibus.csv model_distances_omnibus.csv report.html summary.json " ] \
  || fail "manifest: $(cat "$w/f/.datakernel-files")"
case_ok
# A finished run leaves no lock file and no staging directory.
no_leftovers "$w/f" "finished run"
case_ok
# Without --force the directory is still refused.
run noforce "${small[@]}" --out "$w/f"
expect_rc 2 "no --force" noforce
expect_msg "already holds files; use --force" noforce
case_ok
# Output of a version without manifests: its files are known by name (summary.json says datakernel).
run legacy1 "${big[@]}" --out "$w/legacy"
rm "$w/legacy/.datakernel-files"
touch "$w/legacy/kept.csv"
run legacy2 "${small[@]}" --force --out "$w/legacy"
expect_rc 0 "--force over legacy output" legacy2
[ "$(listing "$w/legacy")" = ".datakernel-files datum_shift.csv kept.csv latent_2d.csv manifold.csv model_distances.csv model_distances_direction.csv model_distances_knn_jaccard.csv model_distances_linear_cka.csv model_distances_mutual_knn.csv model_distances_normalised_omnibus.csv model_distances_omnibus.csv report.html summary.json " ] \
  || fail "--force over legacy output: $(listing "$w/legacy")"
case_ok
# A directory of someone else's files with a summary.json that is not datakernel's: nothing removed.
mkdir "$w/other" && echo '{"tool": "other"}' > "$w/other/summary.json" && touch "$w/other/datum_tests.csv"
run other "${small[@]}" --force --out "$w/other"
expect_rc 0 "--force over another tool's files" other
[ -f "$w/other/datum_tests.csv" ] || fail "--force removed a file the tool did not write"
case_ok
# A manifest naming a path outside the directory is not followed.
touch "$w/outside.txt"
run evil1 "${small[@]}" --out "$w/evil"
printf '../outside.txt\n/etc/hostname\n' >> "$w/evil/.datakernel-files"
run evil2 "${small[@]}" --force --out "$w/evil"
expect_rc 0 "crafted manifest" evil2
[ -f "$w/outside.txt" ] || fail "a crafted manifest removed a file outside the output directory"
case_ok
# simulate replaces its own earlier files too (5 models, then 2: no model_3..5.npy left)
"$dk" simulate --models 5 --n 50 --seed 1 --out "$w/sim2" > /dev/null
"$dk" simulate --models 2 --n 50 --seed 1 --out "$w/sim2" > /dev/null
[ ! -e "$w/sim2/model_3.npy" ] && [ ! -e "$w/sim2/model_5.npy" ] && [ -f "$w/sim2/model_2.npy" ] \
  || fail "simulate kept the earlier run's files: $(listing "$w/sim2")"
case_ok

# --- locking -------------------------------------------------------------------------------------------------
# A directory locked by a running run: exit 3 at once, a clear message, the holder's files untouched.
run lock0 "${small[@]}" --out "$w/locked"
cp -a "$w/locked" "$w/locked.before"
flock "$w/locked/.datakernel-lock" sleep 30 &
holder=$!
for _ in $(seq 50); do
  flock -n "$w/locked/.datakernel-lock" true 2> /dev/null || break
  sleep 0.1
done
run lock1 "${small[@]}" --force --out "$w/locked"
expect_rc 3 "locked directory" lock1
expect_msg "output directory is locked by another run of datakernel" lock1
case_ok
kill "$holder" 2> /dev/null || true
wait "$holder" 2> /dev/null || true
rm -f "$w/locked/.datakernel-lock"
diff -r "$w/locked" "$w/locked.before" > /dev/null || fail "a locked-out run changed the directory"
case_ok
# simulate respects the lock too.
flock "$w/locked/.datakernel-lock" sleep 30 &
holder=$!
for _ in $(seq 50); do
  flock -n "$w/locked/.datakernel-lock" true 2> /dev/null || break
  sleep 0.1
done
run lock3 simulate --models 2 --n 50 --out "$w/locked"
expect_rc 3 "simulate into a locked directory" lock3
expect_msg "locked by another run" lock3
case_ok
kill "$holder" 2> /dev/null || true
wait "$holder" 2> /dev/null || true
rm -f "$w/locked/.datakernel-lock"
diff -r "$w/locked" "$w/locked.before" > /dev/null || fail "a locked-out simulate changed the directory"
# A lock file left by a killed run (nobody holds it) does not block.
echo 999999 > "$w/locked/.datakernel-lock"
run lock2 "${small[@]}" --force --out "$w/locked"
expect_rc 0 "stale lock file" lock2
no_leftovers "$w/locked" "stale lock file"
case_ok
# Two runs started at once into the same new directory: exactly one succeeds; the other is refused (locked,
# or already holds files if it started after the first had finished); the directory holds one run's files.
a_files=".datakernel-files datum_shift.csv latent_2d.csv manifold.csv model_distances.csv model_distances_direction.csv model_distances_knn_jaccard.csv model_distances_linear_cka.csv model_distances_mutual_knn.csv model_distances_normalised_omnibus.csv model_distances_omnibus.csv report.html summary.json "
b_files=".datakernel-files annotations.csv datum_shift.csv datum_tests.csv kernel_1_model_1.mtx kernel_2_model_2.mtx kernel_3_model_3.mtx latent_2d.csv manifold.csv model_distances.csv model_distances_direction.csv model_distances_knn_jaccard.csv model_distances_linear_cka.csv model_distances_mutual_knn.csv model_distances_normalised_omnibus.csv model_distances_omnibus.csv report.html summary.json "
for round in 1 2 3; do
  out="$w/race-$round"
  set +e
  "$dk" "${small[@]}" --out "$out" > /dev/null 2> "$w/race-a.err" &
  pa=$!
  "$dk" "${big[@]}" --out "$out" > /dev/null 2> "$w/race-b.err" &
  pb=$!
  wait "$pa"; ra=$?
  wait "$pb"; rb=$?
  set -e
  if [ "$ra" -eq 0 ]; then ok=a; loser=b; rl=$rb; else ok=b; loser=a; rl=$ra; fi
  [ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] && fail "race $round: both runs succeeded"
  [ "$ra" -ne 0 ] && [ "$rb" -ne 0 ] && fail "race $round: both failed: $(cat "$w/race-a.err" "$w/race-b.err")"
  if [ "$rl" -eq 3 ]; then
    grep -qF "is locked by another run of datakernel" "$w/race-$loser.err" || fail "race $round: $(cat "$w/race-$loser.err")"
  else
    [ "$rl" -eq 2 ] && grep -qF "already holds files" "$w/race-$loser.err" || fail "race $round: exit $rl $(cat "$w/race-$loser.err")"
  fi
  expected=$a_files; [ "$ok" = b ] && expected=$b_files
  [ "$(listing "$out")" = "$expected" ] || fail "race $round: mixed output: $(listing "$out") (run $ok succeeded)"
  case_ok
done
# Two --force runs at once into an existing directory: never a mix of the two.
for round in 1 2; do
  out="$w/race-force-$round"
  "$dk" "${small[@]}" --out "$out" > /dev/null
  set +e
  "$dk" "${big[@]}" --force --out "$out" > /dev/null 2>&1 &
  pb=$!
  "$dk" "${small[@]}" --force --out "$out" > /dev/null 2>&1 &
  pa=$!
  wait "$pa"; ra=$?
  wait "$pb"; rb=$?
  set -e
  [ "$(listing "$out")" = "$a_files" ] || [ "$(listing "$out")" = "$b_files" ] || fail "force race $round: mixed output: $(listing "$out")"
  { [ "$ra" -eq 0 ] || [ "$ra" -eq 3 ]; } && { [ "$rb" -eq 0 ] || [ "$rb" -eq 3 ]; } || fail "force race $round: exits $ra $rb"
  case_ok
done

# SIGINT during a --force run over an earlier run: exit 130 and the earlier run exactly as it was.
run int0 "${small[@]}" --out "$w/int"
cp -a "$w/int" "$w/int.before"
"$dk" compare "${M[0]}" "${M[1]}" --test omnibus --null pooled --bootstrap 1000000 --quiet --force --out "$w/int" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -d "$w/int/.datakernel-staging-$pid" ] && break; sleep 0.05; done
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" -eq 130 ] || fail "SIGINT over an earlier run: exit $rc"
diff -r "$w/int" "$w/int.before" > /dev/null || fail "SIGINT changed the earlier run: $(diff -rq "$w/int" "$w/int.before")"
case_ok

# --- stale staging of killed runs ------------------------------------------------------------------------------
# A run killed with SIGKILL leaves its staging directory; the next run (with or without --force) cleans it up.
"$dk" compare "${M[0]}" "${M[1]}" --test omnibus --null pooled --bootstrap 1000000 --quiet --out "$w/killed" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -d "$w/killed/.datakernel-staging-$pid" ] && break; sleep 0.05; done
kill -KILL "$pid"
wait "$pid" 2> /dev/null || true
[ -d "$w/killed/.datakernel-staging-$pid" ] || fail "SIGKILL: expected a staging directory to be left"
run stale1 "${small[@]}" --out "$w/killed"
expect_rc 0 "run after a killed run (no --force)" stale1
expect_msg "left by an interrupted run" stale1
no_leftovers "$w/killed" "run after a killed run"
[ "$(listing "$w/killed")" = "$a_files" ] || fail "after a killed run: $(listing "$w/killed")"
case_ok
mkdir -p "$w/killed/.datakernel-staging-77/sub" && touch "$w/killed/.datakernel-staging-77/sub/x"
run stale2 "${small[@]}" --force --out "$w/killed"
expect_rc 0 "--force after a killed run" stale2
no_leftovers "$w/killed" "--force after a killed run"
case_ok
# A run killed half-way through its commit: the next run restores the earlier run's files first.
run mid0 "${big[@]}" --out "$w/mid"
cp -a "$w/mid" "$w/mid.before"
st="$w/mid/.datakernel-staging-4242"
mkdir -p "$st/.previous"
printf 'summary.json\ndatum_shift.csv\nnew.csv\n' > "$st/.datakernel-files"
mv "$w/mid/.datakernel-files" "$w/mid/datum_tests.csv" "$w/mid/summary.json" "$st/.previous/"  # moved aside
echo new > "$w/mid/new.csv"              # moved in already
echo '{"new": 1}' > "$w/mid/summary.json"
echo new > "$st/datum_shift.csv"         # not yet moved
run mid1 "${small[@]}" --out "$w/mid"
expect_rc 2 "after a half-done commit" mid1   # restored: the directory holds the earlier run again
expect_msg "already holds files" mid1
diff -r "$w/mid" "$w/mid.before" > /dev/null || fail "half-done commit not rolled back: $(diff -rq "$w/mid" "$w/mid.before")"
case_ok
# A run killed after its commit, before removing its staging directory: the commit stands.
st="$w/mid/.datakernel-staging-4343"
mkdir -p "$st/.previous" && echo old > "$st/.previous/old.csv"
run mid2 "${small[@]}" --out "$w/mid"
expect_rc 2 "after a finished commit" mid2
diff -r "$w/mid" "$w/mid.before" > /dev/null || fail "finished commit changed: $(diff -rq "$w/mid" "$w/mid.before")"
case_ok

# --- atomic commit: a failure half-way rolls back ----------------------------------------------------------------
# report.html cannot be moved into place (a non-empty directory of the user's has that name): the earlier run's
# files must all be back, unchanged, and nothing of the new run left.
run atom0 "${big[@]}" --out "$w/atom"
rm "$w/atom/report.html" && mkdir "$w/atom/report.html" && touch "$w/atom/report.html/keep"
cp -a "$w/atom" "$w/atom.before"
run atom1 "${small[@]}" --force --out "$w/atom"
expect_rc 3 "commit failure" atom1
expect_msg "report.html: cannot move the results into place" atom1
expect_msg "the directory is as it was before the run" atom1
diff -r "$w/atom" "$w/atom.before" > /dev/null || fail "commit failure left a mix: $(diff -rq "$w/atom" "$w/atom.before")"
no_leftovers "$w/atom" "commit failure"
case_ok

# --- output paths checked before any work --------------------------------------------------------------------------
# --timings in a missing directory: exit 2 before the inputs are even read (the missing input is not reported).
run tim1 compare "${M[0]}" "$w/missing.npy" --quiet --timings "$w/no-dir/t.json" --out "$w/tim1"
expect_rc 2 "--timings in a missing directory" tim1
expect_msg "no-dir/t.json: cannot write file" tim1
! grep -q "missing.npy" "$w/tim1.err" || fail "--timings was checked after reading the inputs"
[ ! -e "$w/tim1" ] || fail "--timings failure left the output directory"
case_ok
mkdir "$w/tdir"
run tim2 "${small[@]}" --timings "$w/tdir" --out "$w/tim2"
expect_rc 2 "--timings is a directory" tim2
expect_msg "tdir: is a directory" tim2
[ ! -e "$w/tim2" ] || fail "--timings failure left the output directory"
case_ok
touch "$w/plain"
run tim3 "${small[@]}" --timings "$w/plain/t.json" --out "$w/tim3"
expect_rc 2 "--timings below a file" tim3
case_ok
# --timings to a full device: every write is checked, exit 3, and the results are not committed either.
run tim4 "${small[@]}" --timings /dev/full --out "$w/tim4"
expect_rc 3 "--timings /dev/full" tim4
expect_msg "/dev/full: write failed (No space left on device)" tim4
[ ! -e "$w/tim4" ] || fail "--timings /dev/full left output: $(listing "$w/tim4")"
case_ok
run tim5 "${small[@]}" --timings "$w/t.json" --out "$w/tim5"
expect_rc 0 "--timings ok" tim5
python3 -c "import json,sys; assert 'stages' in json.load(open(sys.argv[1]))" "$w/t.json" || fail "timings JSON"
case_ok
# --out below a regular file, and an --out that is a file: exit 2 before any work.
run out1 compare "${M[0]}" "$w/missing.npy" --quiet --out "$w/plain/out"
expect_rc 2 "--out below a file" out1
expect_msg "plain/out: cannot create output directory" out1
case_ok
run out2 compare "${M[0]}" "$w/missing.npy" --quiet --out "$w/plain"
expect_rc 2 "--out is a file" out2
expect_msg "plain: output path exists and is not a directory" out2
case_ok
# A failing run (bad input, after the directory was created and locked) leaves nothing.
run out3 compare "${M[0]}" "$w/missing.npy" --quiet --out "$w/out3"
expect_rc 2 "bad input" out3
[ ! -e "$w/out3" ] || fail "a failed run left $(listing "$w/out3")"
case_ok
# ... and in an existing directory (with --force), leaves the earlier run as it was.
cp -a "$w/f" "$w/f.before"
run out4 compare "${M[0]}" "$w/missing.npy" --quiet --force --out "$w/f"
expect_rc 2 "bad input into an earlier run" out4
diff -r "$w/f" "$w/f.before" > /dev/null || fail "a failed run changed the earlier output"
case_ok

# --- a full disk (tmpfs) -------------------------------------------------------------------------------------------
mount_small() {  # mount_small DIR SIZE: a small tmpfs, or return 1
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1" 2> /dev/null || return 1
  mounts+=("$1")
}
if mount_small "$w/tiny" 64k; then
  run full1 "${small[@]}" --out "$w/tiny/out"
  expect_rc 3 "disk full" full1
  expect_msg "write failed (No space left on device)" full1
  [ -z "$(ls -A "$w/tiny")" ] || fail "disk full left $(ls -A "$w/tiny")"
  case_ok
  run full2 simulate --models 3 --n 2000 --out "$w/tiny/sim"
  expect_rc 3 "simulate, disk full" full2
  expect_msg "No space left on device" full2
  [ -z "$(ls -A "$w/tiny")" ] || fail "simulate on a full disk left $(ls -A "$w/tiny")"
  case_ok
  mkdir "$w/tiny/existing" && echo mine > "$w/tiny/existing/mine.txt"
  run full3 "${small[@]}" --force --out "$w/tiny/existing"
  expect_rc 3 "disk full, existing directory" full3
  [ "$(listing "$w/tiny/existing")" = "mine.txt " ] || fail "disk full changed the directory: $(listing "$w/tiny/existing")"
  case_ok
  run full4 "${big[@]}" --out "$w/tiny/kernels"   # the kernels (.mtx) are written first
  expect_rc 3 "disk full, --save-kernels" full4
  expect_msg "No space left on device" full4
  [ "$(listing "$w/tiny")" = "existing " ] || fail "disk full with --save-kernels left $(listing "$w/tiny")"
  case_ok
else
  echo "output_safety: skipping the full-disk cases (cannot mount a tmpfs here)"
  skipped=$((skipped + 4))
fi
if mount_small "$w/half" 1m; then
  run half1 "${small[@]}" --out "$w/half/out"
  expect_rc 0 "run on a small disk" half1
  cp -a "$w/half/out" "$w/half-before"
  # Leave about 40 KiB free: the big run (hundreds of KiB) cannot be written; the earlier run stays whole.
  avail=$(df -k --output=avail "$w/half" | tail -1)
  dd if=/dev/zero of="$w/half/filler" bs=1k count=$((avail - 40)) 2> /dev/null || true
  run half2 "${big[@]}" --force --out "$w/half/out"
  expect_rc 3 "disk full over an earlier run" half2
  expect_msg "No space left on device" half2
  diff -r "$w/half/out" "$w/half-before" > /dev/null || fail "disk full changed the earlier run: $(diff -rq "$w/half/out" "$w/half-before")"
  no_leftovers "$w/half/out" "disk full over an earlier run"
  case_ok
  # `datakernel report` on a full disk: exit 3, report.html unchanged, no temporary file left.
  dd if=/dev/zero of="$w/half/filler2" bs=1k count=1000 2> /dev/null || true
  run half3 report "$w/half/out"
  expect_rc 3 "report, disk full" half3
  expect_msg "report.html: write failed (No space left on device)" half3
  diff -r "$w/half/out" "$w/half-before" > /dev/null || fail "report on a full disk changed the directory"
  case_ok
else
  skipped=$((skipped + 2))
fi
echo "output safety: $cases cases passed, $skipped skipped"
