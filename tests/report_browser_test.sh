#!/usr/bin/env bash
# report.html in a real browser (Debian's chromium, headless): no console errors, every SVG plot present and
# non-empty, the sortable table sorts, labels as rendered (getBBox) do not overlap, hovering a table row marks its
# point, the page prints to PDF, and PNG screenshots (screen, and the print stylesheet at A4 width) saved under
# the build directory.
# A deliberately broken page is checked first, so that the console check is known to catch errors.
set -euo pipefail
dk=${DATAKERNEL:?set DATAKERNEL to the datakernel binary}
shots=${SCREENSHOT_DIR:?set SCREENSHOT_DIR}
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "FAIL: chromium is not installed (make test installs it: scripts/install-deps.sh --tests)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

browse() {  # browse OUT_DOM OUT_CONSOLE URL [more flags]
  local dom=$1 console=$2 url=$3; shift 3
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --enable-logging=stderr --v=0 \
    --user-data-dir="$work/profile" "$@" --dump-dom "$url" > "$dom" 2> "$console" || true
}
console_errors() { grep -E ":CONSOLE[:(]" "$1" || true; }

# The console check must catch a failing page.
printf '<!DOCTYPE html><html><body><script>null.f();</script></body></html>\n' > "$work/broken.html"
browse "$work/broken.dom" "$work/broken.log" "file://$work/broken.html"
[ -n "$(console_errors "$work/broken.log")" ] || fail "the console check did not see the error of a broken page"

"$dk" simulate --models 3 --n 400 --seed 5 --out "$work/sim" > /dev/null
awk '{print "datum " NR " <i>text</i> & more"}' "$work/sim/ids.txt" > "$work/text.txt"
"$dk" compare "$work"/sim/model_{1,2,3}.npy --ids "$work/sim/ids.txt" --labels "$work/sim/labels.txt" \
  --text "$work/text.txt" --metrics "$work/sim/metrics.csv" --seed 1 --quiet --out "$work/out" > /dev/null 2>&1
report="$work/out/report.html"
[ -s "$report" ] || fail "no report.html"

browse "$work/report.dom" "$work/report.log" "file://$report"
errors=$(console_errors "$work/report.log")
[ -z "$errors" ] || fail "console messages while rendering the report: $errors"

# Click the 'statistic' header of the first table twice; the page records the orders in its title.
python3 - "$report" "$work/sorted.html" <<'PY'
import sys
html = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
var table = document.querySelector('#tests table.sortable');
var headers = Array.prototype.map.call(table.querySelectorAll('th'), function (h) { return h.textContent; });
var column = headers.indexOf('statistic');
function order() { return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return parseFloat(r.cells[column].getAttribute('data-value')); }); }
var th = table.querySelectorAll('th')[column];
th.click(); var up = order(); th.click(); var down = order();
document.title = JSON.stringify({up: up, down: down});
</script></body>"""
open(sys.argv[2], "w", encoding="utf-8").write(html.replace("</body>", probe))
PY
browse "$work/sorted.dom" "$work/sorted.log" "file://$work/sorted.html"
[ -z "$(console_errors "$work/sorted.log")" ] || fail "console errors while sorting: $(console_errors "$work/sorted.log")"

python3 - "$work/report.dom" "$work/sorted.dom" <<'PY'
import html.parser, json, re, sys

class Svgs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs, self.depth = [], 0
    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svgs.append({"id": dict(attrs).get("id", ""), "shapes": 0})
            self.depth += 1
        elif self.depth and tag in ("circle", "rect", "line", "polyline", "path"):
            self.svgs[-1]["shapes"] += 1
    def handle_endtag(self, tag):
        if tag == "svg":
            self.depth -= 1

dom = open(sys.argv[1], encoding="utf-8").read()
parser = Svgs()
parser.feed(dom)
ids = [s["id"] for s in parser.svgs]
# model map, heatmap, scree, 1 correlation plot, 3 p-value CDFs, the 2-D embedding by q and by label
assert len(parser.svgs) == 9, ids
for required in ("model-map", "heatmap", "scree", "embedding", "embedding-labels"):
    assert required in ids, (required, ids)
empty = [s for s in parser.svgs if s["shapes"] < 2]
assert not empty, f"empty plots: {empty}"
assert dom.count("<table class=\"sortable\">") == 3, "tables"
assert "&lt;i&gt;text&lt;/i&gt;" in dom, "user text must be escaped"
# the population measures against the metric: a row per measure and the statement of the best one
assert 'id="measure-table"' in dom, "no measure table"
assert dom.count("<tr data-measure=") == 6, dom.count("<tr data-measure=")
assert re.search(r"is tracked best by <b>(omnibus|direction|normalised_omnibus|knn_jaccard|mutual_knn|linear_cka)</b>", dom), "no best-measure line"
title = re.search(r"<title>(.*?)</title>", open(sys.argv[2], encoding="utf-8").read(), re.S).group(1)
orders = json.loads(html.unescape(title))
assert orders["up"] == sorted(orders["up"]) and orders["down"] == sorted(orders["down"], reverse=True), orders
assert len(orders["up"]) == 25
print(f"report in chromium: {len(parser.svgs)} plots, shapes per plot {[s['shapes'] for s in parser.svgs]}, sorting works")
PY

# Rendered labels: the boxes the browser measured for the map and pair labels must not intersect (1 px slack);
# hovering a table row marks its point in the data plot.
python3 - "$report" "$work/layout.html" <<'PY'
import sys
html = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
var result = {overlaps: [], labels: 0, marked: false};
document.querySelectorAll('svg').forEach(function (svg) {
  var boxes = Array.prototype.map.call(svg.querySelectorAll('text.map-label, text.pair-label'), function (t) {
    var b = t.getBBox(); return {x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height, text: t.textContent};
  });
  result.labels += boxes.length;
  for (var i = 0; i < boxes.length; ++i)
    for (var j = i + 1; j < boxes.length; ++j) {
      var a = boxes[i], b = boxes[j];
      if (a.x0 < b.x1 - 1 && b.x0 < a.x1 - 1 && a.y0 < b.y1 - 1 && b.y0 < a.y1 - 1) result.overlaps.push([a.text, b.text]);
    }
});
var row = document.querySelector('#tests tr[data-datum]');
row.dispatchEvent(new MouseEvent('mouseenter'));
var point = document.getElementById('d-' + row.getAttribute('data-datum'));
result.marked = !!point && point.classList.contains('hl');
document.title = JSON.stringify(result);
</script></body>"""
open(sys.argv[2], "w", encoding="utf-8").write(html.replace("</body>", probe))
PY
browse "$work/layout.dom" "$work/layout.log" "file://$work/layout.html"
[ -z "$(console_errors "$work/layout.log")" ] || fail "console errors in the layout probe: $(console_errors "$work/layout.log")"
python3 - "$work/layout.dom" <<'PY'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
result = json.loads(html.unescape(re.search(r"<title>(.*?)</title>", dom, re.S).group(1)))
assert result["labels"] == 6, result  # 3 model names, 3 pair labels
assert not result["overlaps"], result
assert result["marked"], "hovering a table row did not mark its point"
print(f"labels in chromium: {result['labels']} rendered, none overlapping; hovering a row marks its point")
PY

mkdir -p "$shots"
# Print: the page prints to a PDF.
rm -f "$shots/report_print.pdf"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" \
  --no-pdf-header-footer --print-to-pdf="$shots/report_print.pdf" "file://$report" > /dev/null 2>&1 || true
[ -s "$shots/report_print.pdf" ] || fail "printing to PDF failed"
head -c 5 "$shots/report_print.pdf" | grep -q '%PDF-' || fail "report_print.pdf is not a PDF"
# The print stylesheet applied on screen at A4 width (96 dpi), for a look at the print layout.
sed 's/@media print{/@media all{/' "$report" > "$work/print.html"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars --user-data-dir="$work/profile" \
  --window-size=794,7000 --screenshot="$shots/report_print_layout.png" "file://$work/print.html" > /dev/null 2>&1 || true
[ -s "$shots/report_print_layout.png" ] || fail "no print-layout screenshot"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars --user-data-dir="$work/profile" \
  --window-size=1200,7000 --screenshot="$shots/report_screenshot.png" "file://$report" > /dev/null 2>&1 || true
[ -s "$shots/report_screenshot.png" ] || fail "no screenshot"
echo "report browser test: all checks passed; screenshots $shots/report_screenshot.png, $shots/report_print_layout.png; $shots/report_print.pdf"
