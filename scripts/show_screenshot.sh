#!/usr/bin/env bash
# The screenshots of `imr show` pages in docs/operations.md and the README:
#   docs/screenshots/show-letter.png      a PDF letter: its values beside page 1 with their boxes
#   docs/screenshots/show-set-aside.png   a text letter set aside (an item's decision unreadable):
#                                         what was read, 'not read' and the value in doubt, marked lines
# Generates the letters with imr.synth (never a real letter: no PHI in the repository), runs
# `imr show` on each and photographs the pages with headless Chromium. Installs nothing; it needs:
#   apt-get update && apt-get install -y chromium     # provides /usr/bin/chromium
#   make setup                                         # the .venv with imr-etl
# Usage: scripts/show_screenshot.sh         (env: SEED=8 LAYOUT=D2 WORK=build/show-screenshot CHROMIUM=/usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=${SEED:-8}
LAYOUT=${LAYOUT:-D2}
WORK=${WORK:-build/show-screenshot}
OUT=docs/screenshots
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
BIN=.venv/bin

[ -x "$CHROMIUM" ] || { echo "show_screenshot: $CHROMIUM not found (apt-get install -y chromium)" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK"

"$BIN/python" - "$WORK" "$SEED" "$LAYOUT" <<'PY'
import sys
from pathlib import Path
from imr.synth import generate_letter
from imr.synth.bad_inputs import unresolved_letter
from imr.synth.pdf_render import PdfOptions, render_pdf
work, seed, layout = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
(work / "letter.pdf").write_bytes(render_pdf(generate_letter(seed, layout=layout), PdfOptions(footer=True)))
(work / "set-aside.txt").write_bytes(unresolved_letter(seed))
PY
shoot() {  # shoot <letter> <png>
  local page
  page=$("$BIN/imr" show "$WORK/$1" --out "$WORK/pages" --ocr off)
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$WORK/chromium" --screenshot="$OUT/$2" \
    --window-size=1400,1000 --virtual-time-budget=5000 "file://$(pwd)/$page" >/dev/null 2>&1
  echo "show_screenshot: $OUT/$2 <- $page"
}
shoot letter.pdf show-letter.png
shoot set-aside.txt show-set-aside.png
