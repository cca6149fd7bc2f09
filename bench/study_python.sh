#!/usr/bin/env bash
# Prints the path of a Python with numpy for the study scripts (bench/.venv-study, made on first use from PyPI).
set -euo pipefail
venv="$(cd "$(dirname "$0")" && pwd)/.venv-study"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import numpy" 2> /dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy
fi
echo "$venv/bin/python"
