#!/usr/bin/env bash
# The bundled demo (data/demo/) is exactly what its documented command writes (README "Layout",
# data/demo/manifest.json): runs it into a temporary directory and compares every file byte for byte. If the
# simulator or datakernel's random streams (datakernel/runtime/random.hpp) change on purpose, regenerate
# data/demo/ with this command.
set -euo pipefail
dk=${DATAKERNEL:?DATAKERNEL not set}
demo=${DEMO_DIR:?DEMO_DIR not set}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$dk" simulate --models 5 --n 2000 --dims 96,64,128,48,80 --noise 0.3,0.6,0.9,1.2,0.3 --seed 1 --out "$work/demo" > /dev/null
diff <(cd "$demo" && ls) <(cd "$work/demo" && ls) || { echo "FAIL: data/demo/ and the simulated set have different files"; exit 1; }
status=0
for f in "$demo"/*; do
  cmp "$f" "$work/demo/$(basename "$f")" || status=1
done
[ $status -eq 0 ] || { echo "FAIL: data/demo/ is not what its documented simulate command writes"; exit 1; }
echo "data/demo/ reproduced byte for byte ($(ls "$demo" | wc -l) files)"
