# shellcheck shell=bash
# Shared helpers for the bench scripts; source it: `. "$(dirname "$0")/lib.sh"`.
#   bench_python VENV MODULES PACKAGE...  the path of VENV's python, the venv made (or completed) from PyPI when
#                                         it cannot import MODULES (comma-separated)
#   median X...                           the median of the numbers given
#   json_field FILE EXPR                  EXPR evaluated in Python with s = the JSON object in FILE
#   openblas_coretype DATAKERNEL          the OPENBLAS_CORETYPE datakernel sets (its `info`), empty when it sets none
here=${here:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

bench_python() {
  local venv=$1 modules=$2
  shift 2
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import $modules" 2> /dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "$@" >&2
  fi
  echo "$venv/bin/python"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

json_field() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

openblas_coretype() { "$1" info | sed -n 's/^OPENBLAS_CORETYPE: //p' | grep -v '^(unset)$' || true; }
