#!/usr/bin/env bash
# The installed package works from a separate project: `cmake --install` of this build into a temporary prefix,
# then tests/package_consumer (find_package(datakernel CONFIG), datakernel::datakernel, only the umbrella header)
# is configured, built and run against it. Also checks that no internal header was installed and that the
# installed CLI runs. Environment: BUILD_DIR (this build), SOURCE_DIR (the repository).
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
cmake --install "$BUILD_DIR" --prefix "$prefix" > "$work/install.log" || { cat "$work/install.log"; exit 1; }

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$prefix/include/datakernel/datakernel.hpp" ] || fail "umbrella header not installed"
[ -f "$prefix/lib/cmake/datakernel/datakernelConfig.cmake" ] || ls "$prefix"/lib*/cmake/datakernel/datakernelConfig.cmake > /dev/null \
  || fail "no CMake package config installed"
for internal in io/csv.hpp io/file_bytes.hpp runtime/random.hpp inference/rdpg_sampler.hpp embed/eigensolve.hpp; do
  [ ! -e "$prefix/include/datakernel/$internal" ] || fail "internal header $internal was installed"
done
# Every installed header compiles on its own (includes only what is installed).
for header in $(cd "$prefix/include" && find datakernel -name '*.hpp' | sort); do
  printf '#include <%s>\n' "$header" > "$work/one.cpp"
  c++ -std=c++20 -fsyntax-only -I"$prefix/include" -isystem /usr/include/eigen3 "$work/one.cpp" \
    || fail "$header does not compile alone against the installed headers"
done
"$prefix/bin/datakernel" --version > /dev/null || fail "installed CLI does not run"

cmake -S "$SOURCE_DIR/tests/package_consumer" -B "$work/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "find_package failed"; }
cmake --build "$work/consumer" > "$work/build.log" 2>&1 || { cat "$work/build.log"; fail "consumer did not build"; }
"$work/consumer/consumer" || fail "consumer's comparison did not find the moved data"
echo "package install: OK"
