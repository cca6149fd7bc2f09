#!/usr/bin/env bash
# The command line's help, errors, completion and man page (docs/cli.md): defaults and option groups in
# --help, examples, suggestions for mistyped commands and options, `datakernel` alone, short messages with
# the documented prefix and exit 1 for every usage error, a valid bash completion script, the man page.
set -euo pipefail
dk="${DATAKERNEL:?set DATAKERNEL to the datakernel binary}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
checks=0

# run ARGS...: stdout in $work/out, stderr in $work/err, exit status in $rc.
run() {
  set +e
  "$dk" "$@" > "$work/out" 2> "$work/err"
  rc=$?
  set -e
  checks=$((checks + 1))
}

# usage_error FRAGMENT ARGS...: exit 1, every stderr line starts with the prefix, one names FRAGMENT, short.
usage_error() {
  local fragment="$1"
  shift
  run "$@"
  [ "$rc" -eq 1 ] || fail "$*: exit $rc, expected 1 (stderr: $(cat "$work/err"))"
  [ -s "$work/err" ] || fail "$*: no message on stderr"
  if grep -qv '^datakernel: error: ' "$work/err"; then fail "$*: a line without 'datakernel: error: ': $(cat "$work/err")"; fi
  grep -qF -- "$fragment" "$work/err" || fail "$*: '$fragment' not in: $(cat "$work/err")"
  while IFS= read -r line; do
    [ "${#line}" -lt 200 ] || fail "$*: message of ${#line} characters: $line"
  done < "$work/err"
  [ ! -e "$work/o" ] || fail "$*: output written"
}

# --- help: defaults, groups, examples ---
run compare --help
[ "$rc" -eq 0 ] || fail "compare --help: exit $rc"
help="$work/compare-help"
cp "$work/out" "$help"
# the default shown for an option: its description runs until the next line that starts a new entry
default_of() {  # default_of OPTION [HELP_FILE]
  awk -v o="$1" 'index($0, "  " o " ") == 1 { on = 1; print; next } on && /^  [^ ]/ { exit } on && /^$/ { exit } on' \
    "${2:-$help}" | tr '\n' ' ' | tr -s ' ' | grep -oE '\[default: [^]]*\]' | head -1 || true
}
for pair in "--bootstrap:1000" "--alpha:0.05" "--null:empirical" "--correction:bh" "--metric:cosine" "--seed:0" \
            "--k:ceil(2 ln n)" "--test:neighbourhood" "--bootstrap-p:pooled" "--threads:all cores"; do
  option="${pair%%:*}" value="${pair#*:}"
  d="$(default_of "$option")"
  [[ "$d" == "[default: $value"* ]] || fail "compare --help: $option shows '$d', expected default $value"
done
for heading in "Arguments:" "Inputs:" "kNN graph:" "Embedding and model map:" "Per-datum test:" "Output:" \
               "Resources:" "Examples:"; do
  grep -qxF -- "$heading" "$help" || fail "compare --help: no heading '$heading'"
done
grep -qE '^  datakernel compare .*--out ' "$help" || fail "compare --help: no example command"
grep -qE -- '--out DIR +output directory \(required\)' "$help" || fail "compare --help: --out not marked required"
grep -qE -- '--metric cosine\|dot\|euclidean' "$help" || fail "compare --help: --metric choices not shown"
# every line fits 80 columns except an option name longer than its column
awk 'length($0) > 80 { print; bad = 1 } END { exit bad }' "$help" || fail "compare --help: lines over 80 columns"
run --help
[ "$rc" -eq 0 ] || fail "--help: exit $rc"
grep -qF "Exit status:" "$work/out" && grep -qF "Examples:" "$work/out" || fail "--help: no examples or exit status"
for command in compare simulate info report completion manpage; do
  grep -qE "^  $command " "$work/out" || fail "--help: no command $command"
done
run simulate --help
[ "$(default_of --dims "$work/out")" = "[default: 384,256,512,128]" ] || fail "simulate --help: --dims default"
[ "$(default_of --n "$work/out")" = "[default: 2000]" ] || fail "simulate --help: --n default"

# --- datakernel alone: the list of commands, exit 1 ---
run
[ "$rc" -eq 1 ] || fail "no command: exit $rc, expected 1"
for command in compare simulate info report; do
  grep -qE "^  $command " "$work/out" || fail "no command: '$command' not listed: $(cat "$work/out")"
done
[ ! -s "$work/err" ] || fail "no command: stderr: $(cat "$work/err")"

# --- suggestions ---
usage_error "unknown command 'compar'; did you mean 'compare'?" compar a.npy b.npy --out "$work/o"
usage_error "unknown command 'simualte'; did you mean 'simulate'?" simualte
usage_error "unknown command 'frobnicate'; commands: compare, simulate" frobnicate
usage_error "unknown option '--boostrap' for 'datakernel compare'; did you mean '--bootstrap'?" \
  compare --boostrap 5 a.npy b.npy
! grep -qF "is required" "$work/err" || fail "--boostrap: still complains about a required option: $(cat "$work/err")"
usage_error "unknown option '--ot' for 'datakernel compare'; did you mean '--out'?" compare a.npy b.npy --ot "$work/o"
usage_error "did you mean '--seed'?" simulate --sed 3 --out "$work/o"
usage_error "unknown option '--bogus'" compare --bogus
usage_error "did you mean '--bootstrap' or '--bootstrap-p'?" compare a.npy b.npy --boot 3 --out "$work/o"
usage_error "unknown command 'help'; did you mean 'datakernel --help'?" help
usage_error "--null: 'pap' is not one of empirical, analytic" compare a.npy b.npy --null pap --out "$work/o"
usage_error "option '--k' goes after the command" --k 5 compare a.npy b.npy --out "$work/o"
usage_error "--metric: 'cosin' is not one of cosine, dot, euclidean; did you mean 'cosine'?" \
  compare a.npy b.npy --metric cosin --out "$work/o"

# --- short value errors (no type ranges) ---
usage_error "--k: 'abc' is not a positive integer" compare a.npy b.npy --k abc --out "$work/o"
usage_error "--k: '0' is not a positive integer" compare a.npy b.npy --k 0 --out "$work/o"
usage_error "--k: '99999999999' is too large" compare a.npy b.npy --k 99999999999 --out "$work/o"
usage_error "--bootstrap: '-5' is not a positive integer" compare a.npy b.npy --bootstrap -5 --out "$work/o"
usage_error "--threads: '-3' is not a non-negative integer" compare a.npy b.npy --threads -3 --out "$work/o"
usage_error "--alpha: '2' is not a number from 0 to 1" compare a.npy b.npy --alpha 2 --out "$work/o"
usage_error "--elbows: 'x' is not an integer from 1 to 5" compare a.npy b.npy --elbows x --out "$work/o"
usage_error "--seed: must be an integer from 0 to 18446744073709551615" compare a.npy b.npy --seed -1 --out "$work/o"
usage_error "--n: '5' is not an integer from 10 to 100000000" simulate --n 5 --out "$work/o"
usage_error "--dims: 'x' is not an integer" simulate --dims 3,x --out "$work/o"
usage_error "--k needs a value" compare a.npy b.npy --out "$work/o" --k
usage_error "--out is required" compare a.npy b.npy
usage_error "unexpected argument 'extra' for 'datakernel info'" info extra
usage_error "completion" completion zsh

# --- bash completion ---
run completion bash
[ "$rc" -eq 0 ] || fail "completion bash: exit $rc"
cp "$work/out" "$work/completion.bash"
bash -n "$work/completion.bash" || fail "completion script is not valid bash"
# complete_words WORDS...: COMPREPLY for the last word, one per line.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _datakernel; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$work/completion.bash" "$@"
}
[ "$(complete_words datakernel compare --boo)" = "--bootstrap
--bootstrap-p" ] || fail "completion of 'compare --boo': $(complete_words datakernel compare --boo)"
[ "$(complete_words datakernel compare --bootstrap-)" = "--bootstrap-p" ] || fail "completion of --bootstrap-"
[ "$(complete_words datakernel comp)" = "compare
completion" ] || fail "completion of 'comp': $(complete_words datakernel comp)"
[ "$(complete_words datakernel compare a.npy --metric e)" = "euclidean" ] || fail "completion of --metric e"
[ "$(complete_words datakernel simulate --s)" = "--separation
--seed" ] || fail "completion of 'simulate --s': $(complete_words datakernel simulate --s)"
mkdir -p "$work/files" && touch "$work/files/model_a.npy"
[ "$(complete_words datakernel compare "$work/files/mod")" = "$work/files/model_a.npy" ] || fail "input file completion"
[ -z "$(complete_words datakernel compare a.npy --k "")" ] || fail "--k value completion should be empty"
[ "$(complete_words datakernel compare --quiet "$work/files/mod")" = "$work/files/model_a.npy" ] \
  || fail "input file completion after a flag"
[ "$(complete_words datakernel compare a.npy --out "$work/fi")" = "$work/files" ] || fail "--out: directories"
[ "$(complete_words datakernel completion b)" = "bash" ] || fail "completion of 'completion b'"
[ "$(complete_words datakernel compare a.npy --metric = d)" = "dot" ] || fail "completion of --metric=d"
checks=$((checks + 11))

# the copies the build writes next to the binary (installed by cmake --install) are the same
share="$(dirname "$dk")/share"
if [ -d "$share" ]; then
  cmp -s "$share/datakernel.bash" "$work/completion.bash" || fail "$share/datakernel.bash differs from completion bash"
  "$dk" manpage | cmp -s "$share/datakernel.1" - || fail "$share/datakernel.1 differs from manpage"
  checks=$((checks + 1))
fi

# --- man page ---
run manpage
[ "$rc" -eq 0 ] || fail "manpage: exit $rc"
grep -q '^\.TH DATAKERNEL 1' "$work/out" || fail "manpage: no .TH"
for option in bootstrap alpha null correction metric seed out k names memory-limit; do
  option_roff="$(printf '%s' "$option" | sed 's/-/\\-/g')"
  grep -qF -- "\\fB\\-\\-$option_roff\\fR" "$work/out" || fail "manpage: no --$option"
done
grep -qF "[default: 1000]" "$work/out" || fail "manpage: no defaults"
if command -v groff > /dev/null; then
  groff -man -Tutf8 -ww -z "$work/out" 2> "$work/groff-err" || fail "manpage: groff failed"
  [ ! -s "$work/groff-err" ] || fail "manpage: groff warnings: $(cat "$work/groff-err")"
  checks=$((checks + 1))
fi
if command -v help2man > /dev/null; then
  help2man --no-info --version-string=test "$dk" > "$work/help2man.1" 2> /dev/null || fail "help2man failed"
  grep -qF "compare" "$work/help2man.1" || fail "help2man page without the commands"
  checks=$((checks + 1))
fi

echo "cli help test: $checks checks passed"
