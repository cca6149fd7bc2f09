#!/usr/bin/env bash
# Builds and installs the Python package into a virtual environment (pip install ., from PyPI: scikit-build-core,
# nanobind, numpy, scipy, pytest) and runs its tests, including parity with the CLI in BUILD_DIR.
# Usage: bash scripts/python-tests.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
venv="$build/pyenv"
if ! python3 -c "import venv, ensurepip" 2> /dev/null; then
  echo "python-tests: installing python3-venv" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv > /dev/null
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q . pytest scipy numpy
DATAKERNEL_CLI="$(cd "$build" && pwd)/datakernel" "$venv/bin/python" -m pytest -q python/tests
