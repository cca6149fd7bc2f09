#!/usr/bin/env bash
# Builds and installs the Python package into a virtual environment (pip install --no-build-isolation ., from PyPI:
# scikit-build-core, nanobind, numpy, scipy, pytest) and runs its tests, including parity with the CLI in BUILD_DIR.
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
# The build requirements (pyproject.toml's [build-system] requires) go into the venv and the package is built
# there without build isolation: an isolated build runs in a new temporary environment each time (nanobind and
# scikit-build-core at new paths), and a second run recompiled the whole library in build-python/ (3 min of CPU);
# from the venv's fixed paths it recompiles only what changed. Same backend, CMake options and build directory.
mapfile -t build_requires < <("$venv/bin/python" -c \
  'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')
"$venv/bin/python" -m pip install -q "${build_requires[@]}" pytest scipy numpy
"$venv/bin/python" -m pip install -q --no-build-isolation .
DATAKERNEL_CLI="$(cd "$build" && pwd)/datakernel" "$venv/bin/python" -m pytest -q python/tests
