#!/usr/bin/env bash
# screenshots.sh [REPORT] [OUT_DIR] [NAME=SELECTOR ...]
#
# PNG screenshots of parts of a datakernel report in headless Chromium (Debian's `chromium`, as the browser test
# tests/report_browser_test.sh drives it), for examples/model_population/RESULTS.md. Rerunnable: after a change
# to the report, `make demo && bash examples/model_population/screenshots.sh` refreshes every PNG.
#   REPORT   default results/demo/report.html (what `make demo` writes)
#   OUT_DIR  default examples/model_population/screenshots
#   NAME[@H]=SELECTOR  one PNG, OUT_DIR/NAME.png, per argument: the page with only the elements matching the CSS
#            SELECTOR (and the path to them) shown, cut to their height, or to H pixels if that is less.
#            Default: the list in DEFAULT_SHOTS below; with ADD=1 in the environment the arguments are shot as
#            well as that list, otherwise instead of it. A selector that matches nothing in this report is skipped
#            with a note (so a list written for a newer report still runs on an older one).
# Each PNG is the page at WIDTH (default 1100) CSS pixels, device scale 1; MAX_HEIGHT (default 1200) caps every
# part. The PNGs of the default list total about 0.5 MB; sizes are printed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
report=$(realpath "${1:-$root/results/demo/report.html}")
out=$(realpath -m "${2:-$here/screenshots}")
shift $(( $# >= 2 ? 2 : $# ))
width=${WIDTH:-1100}
max_height=${MAX_HEIGHT:-1200}
DEFAULT_SHOTS=(
  "model_map=h1, p.meta, body > div.warn, #map-section"
  "distances=#heatmap-section"
  "metrics=#correlations"
  "per_datum_test@800=#tests > div.keep + div.pair-test"
  "cross_pair=#cross-pair"
  "data_plot=#embedding-section"
)
if [ $# -eq 0 ]; then shots=("${DEFAULT_SHOTS[@]}")
elif [ "${ADD:-0}" = 1 ]; then shots=("${DEFAULT_SHOTS[@]}" "$@")
else shots=("$@"); fi

[ -s "$report" ] || { echo "screenshots.sh: no report at $report (run make demo first)" >&2; exit 1; }
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "screenshots.sh: chromium is not installed (scripts/install-deps.sh --tests installs it)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
browser() { timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
  --force-device-scale-factor=1 --user-data-dir="$work/profile" "$@" 2> /dev/null; }

for shot in "${shots[@]}"; do
  name=${shot%%=*}
  selector=${shot#*=}
  cap=$max_height
  if [[ $name == *@* ]]; then cap=${name#*@}; name=${name%@*}; [ "$cap" -le "$max_height" ] || cap=$max_height; fi
  # The page with only the chosen elements and their ancestors shown; its title becomes the shown height (0: none).
  python3 - "$report" "$work/$name.html" "$selector" <<'PY'
import json, sys
page = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
(function () {
  var chosen = Array.prototype.slice.call(document.querySelectorAll(SELECTOR));
  var path = new Set();
  chosen.forEach(function (e) { for (var a = e; a && a !== document.body; a = a.parentElement) path.add(a); });
  (function prune(node) {
    Array.prototype.forEach.call(node.children, function (child) {
      if (chosen.indexOf(child) >= 0 || child.tagName === 'SCRIPT' || child.tagName === 'STYLE') return;
      if (path.has(child)) prune(child); else child.style.display = 'none';
    });
  })(document.body);
  var bottom = 0;
  chosen.forEach(function (e) { bottom = Math.max(bottom, e.getBoundingClientRect().bottom + window.scrollY); });
  document.title = chosen.length ? String(Math.ceil(bottom) + 16) : '0';
})();
</script></body>""".replace("SELECTOR", json.dumps(sys.argv[3]))
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", probe))
PY
  browser --window-size="$width,400" --dump-dom "file://$work/$name.html" > "$work/$name.dom" || true
  height=$(python3 -c 'import re,sys; m=re.search(r"<title>(\d+)</title>", open(sys.argv[1]).read()); print(m.group(1) if m else 0)' "$work/$name.dom")
  if [ "$height" -eq 0 ]; then echo "screenshots.sh: $name: '$selector' matches nothing in this report; skipped"; continue; fi
  [ "$height" -le "$cap" ] || { echo "screenshots.sh: $name: $height px tall, cut to $cap"; height=$cap; }
  rm -f "$out/$name.png"
  browser --window-size="$width,$height" --screenshot="$out/$name.png" "file://$work/$name.html" > /dev/null || true
  [ -s "$out/$name.png" ] || { echo "screenshots.sh: $name: chromium wrote no screenshot" >&2; exit 1; }
  echo "screenshots.sh: $out/$name.png ($width x $height, $(( $(stat -c %s "$out/$name.png") / 1024 )) KiB)"
done
