#!/usr/bin/env bash
# Installs the Debian packages datakernel needs to build (and, with --tests, to run its tests: chromium for
# the report's browser test, clang with its runtime for the fuzzers, libc++ for the same-bytes test, OpenMPI for the
# mpirun test). Idempotent: quiet and fast when everything is present; runs `apt-get update`
# once, only when something is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ make python3
  libeigen3-dev libspectra-dev libopenblas-openmp-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev zlib1g-dev libpcg-cpp-dev libhnswlib-dev
  libgtest-dev
)
if [ "${1:-}" = "--tests" ]; then
  packages+=(chromium clang libclang-rt-14-dev libomp-14-dev  # browser test; libFuzzer and sanitizers
             libc++-14-dev libc++abi-14-dev                  # same bytes with libc++ (tests/same_bytes_test.sh)
             time util-linux                                 # peak RSS (GNU time) and flock in the shell tests
             openmpi-bin libopenmpi-dev)                     # mpirun against one process (tests/mpi_test.sh)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo > /dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
