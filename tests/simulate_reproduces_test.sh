#!/usr/bin/env bash
# `datakernel simulate` writes the same bytes as when these checksums were taken: the five-model set
#   datakernel simulate --models 5 --n 2000 --dims 96,64,128,48,80 --noise 0.3,0.6,0.9,1.2,0.3 --seed 1
# (the bundled demo until it was replaced by real embeddings; bench/intervention_study.sh and the docs' numbers
# on "the simulated five-model set" use it). The checksums are those of the files that were committed as
# data/demo/ then. If the simulator or datakernel's random streams (src/runtime/random.hpp) change on purpose,
# take new ones with this command and rerun the benchmarks that quote it.
set -euo pipefail
dk=${DATAKERNEL:?DATAKERNEL not set}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$dk" simulate --models 5 --n 2000 --dims 96,64,128,48,80 --noise 0.3,0.6,0.9,1.2,0.3 --seed 1 --out "$work/sim" > /dev/null
cd "$work/sim"
sha256sum --check --strict --quiet <<'SUMS' || { echo "FAIL: datakernel simulate no longer writes the recorded bytes"; exit 1; }
31f79e926d917c554441da0751b61ddcf2275c7feca5c99ef2403cb73ede5194  ids.txt
8f2997747816c375f8b1b5e606f0915d7e10f152a0268199cbdd9e3c6111a8e3  labels.txt
068a8e86222d89b41c77ad5c687c2de167dd5ac169d51ad7ab25921a6cb59ea8  manifest.json
7aa230bb2ebd53266863bd1ff5d925ac95784a1009e8315b43f9ee81d2a35973  metrics.csv
6819bfb422545f02e632c92c49e346bf3a878a1e5c63f63fe755c9c7c492b42f  model_1.npy
cfe5318ca3137d6156520fd05cf0ea09d733d9496600be86df11b1768485db76  model_2.npy
2fbdce9c68c224de08f60146a0eb57eb95bb07883408c66551687a386bb56f77  model_3.npy
fd5c35218fc2bb7703f3ba318173ac6ffe96f297feace3bd50cfc9391a3d9ab7  model_4.npy
dd6c3adcc4ae42bff9af31d4fa73d6a5cf6081e06ad4f7db37bdd6a09e803bf0  model_5.npy
730d3e06873b95c5c5642cd9394bfe199d22f6498cacf8c7c38f35373633e1fe  moved.txt
SUMS
[ "$(ls | wc -l)" -eq 10 ] || { echo "FAIL: simulate wrote $(ls | wc -l) files, expected 10"; exit 1; }
echo "datakernel simulate reproduces the recorded five-model set byte for byte (10 files)"
