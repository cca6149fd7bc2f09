#!/usr/bin/env bash
# Same bytes with any standard library: builds tests/same_bytes_driver.cpp twice, with g++ + libstdc++ and with
# clang++ -stdlib=libc++, and requires the two to print the same bytes. The driver is compiled directly from
# src/runtime/random.cpp (datakernel's random conversions), src/simulate/generate.cpp (all of `simulate` but
# the k-NN accuracies: labels, moved data, every float of the simulated five-model set's models and of a small
# set),
# src/embed/start_vector.cpp (the eigen-solver's start vector) and src/population/correlation.cpp (Mantel
# permutation p-values). It does not cover the parts that link BLAS, OpenMP or fmt (the kNN search, the
# Lanczos iterations themselves, the writers): those use no random numbers. Skips (exit 77) when clang++ or
# libc++ is missing (scripts/install-deps.sh --tests installs them).
# Environment: SOURCE_DIR (the repository), EIGEN_INCLUDE (Eigen's include directory).
set -euo pipefail
src=${SOURCE_DIR:?SOURCE_DIR not set}
IFS=';' read -ra eigen_include <<< "${EIGEN_INCLUDE:-/usr/include/eigen3}"  # a CMake list
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in g++ clang++; do
  command -v "$tool" > /dev/null || { echo "SKIP: $tool not found (scripts/install-deps.sh --tests)"; exit 77; }
done
printf '#include <vector>\nint main() { return std::vector<int>(1)[0]; }\n' > "$work/probe.cpp"
if ! clang++ -stdlib=libc++ "$work/probe.cpp" -o "$work/probe" 2> "$work/probe.log" || ! "$work/probe"; then
  echo "SKIP: clang++ -stdlib=libc++ does not build a program (libc++-dev missing? scripts/install-deps.sh --tests)"
  cat "$work/probe.log"
  exit 77
fi

sources=("$src/tests/same_bytes_driver.cpp" "$src/src/runtime/random.cpp" "$src/src/simulate/generate.cpp"
         "$src/src/embed/start_vector.cpp" "$src/src/population/correlation.cpp")
# -ffp-contract=off as CMakeLists.txt sets for random.cpp and generate.cpp; -O2 -DNDEBUG as a release build.
flags=(-std=c++20 -O2 -DNDEBUG -ffp-contract=off -I"$src/include" -I"$src/src")
for dir in "${eigen_include[@]}"; do flags+=(-isystem "$dir"); done
g++ "${flags[@]}" "${sources[@]}" -o "$work/gnu"
clang++ -stdlib=libc++ "${flags[@]}" "${sources[@]}" -o "$work/llvm"
"$work/gnu" > "$work/gnu.txt" 2> "$work/gnu.lib"
"$work/llvm" > "$work/llvm.txt" 2> "$work/llvm.lib"
# The driver names on stderr the standard library it was built with: make sure the two builds really differ.
grep -qx "libstdc++" "$work/gnu.lib" || { echo "FAIL: g++ build did not use libstdc++: $(cat "$work/gnu.lib")"; exit 1; }
grep -qx "libc++" "$work/llvm.lib" || { echo "FAIL: clang++ build did not use libc++: $(cat "$work/llvm.lib")"; exit 1; }
[ "$(wc -l < "$work/gnu.txt")" -gt 4000 ] || { echo "FAIL: driver output too short"; exit 1; }
if ! cmp "$work/gnu.txt" "$work/llvm.txt"; then
  echo "FAIL: g++ + libstdc++ and clang++ + libc++ print different bytes:"
  diff "$work/gnu.txt" "$work/llvm.txt" | head -20
  exit 1
fi
echo "same bytes: $(wc -l < "$work/gnu.txt") lines from g++ + libstdc++ and clang++ + libc++"
grep -E "^(eigen start|mantel|demo|small|  model)" "$work/gnu.txt"
