#!/usr/bin/env bash
# Screenshots of a real ingest run in the Prefect UI, saved as docs/screenshots/*.png.
#
# Starts `imr server` on a spare port with its own data folder, ingests a copy of samples/inbox
# (it holds a DMHC look-alike and an image-only PDF, which are quarantined, and a duplicate)
# and reruns that batch,
# then photographs the flow run page, its Artifacts tab, the two keyed artifacts and the
# Artifacts page with headless Chromium (scripts/screenshot_tab.py clicks the run page's tabs).
# Installs nothing; it needs:
#   apt-get update && apt-get install -y chromium     # provides /usr/bin/chromium
#   make setup                                         # the .venv with imr-etl
# Usage: scripts/screenshots.sh            (env: PORT=4310 WORK=build/screenshots CHROMIUM=/usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-4310}
WORK=${WORK:-build/screenshots}
OUT=docs/screenshots
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
BIN=.venv/bin
URL="http://127.0.0.1:${PORT}"

[ -x "$CHROMIUM" ] || { echo "screenshots: $CHROMIUM not found (apt-get install -y chromium)" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK/inbox" "$OUT"
cp -R samples/inbox/. "$WORK/inbox/"
WORK=$(cd "$WORK" && pwd)

export IMR_DATA_DIR="$WORK/data" IMR_STABLE_SECONDS=0 IMR_SERVER_PORT="$PORT"
export PREFECT_API_URL="$URL/api" PREFECT_HOME="$WORK/prefect-client"
export PREFECT_SERVER_ANALYTICS_ENABLED=false PREFECT_LOGGING_EXTRA_LOGGERS=imr

"$BIN/imr" server >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "$URL/api/health" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 1
done
curl -fsS "$URL/api/health" >/dev/null

# exits 1 when the run fails (quarantine threshold): the screenshots are still wanted
"$BIN/imr" ingest --inbox "$WORK/inbox" --json >"$WORK/ingest.json" || echo "screenshots: the ingest run failed" >&2
# a rerun of that batch (its rejected files are rejected again) adds a second version to the
# history of the keyed artifacts
BATCH_ID=$("$BIN/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["batch_id"])' "$WORK/ingest.json" \
  2>/dev/null || true)
[ -z "$BATCH_ID" ] || "$BIN/imr" rerun "$BATCH_ID" >/dev/null || echo "screenshots: the rerun failed" >&2

read -r RUN_ID SUMMARY_ID TABLE_ID < <("$BIN/python" - "$URL/api" <<'PY'
import sys, httpx
api = sys.argv[1]
query = {"flows": {"name": {"any_": ["ingest"]}}, "sort": "START_TIME_DESC", "limit": 1}
run = httpx.post(f"{api}/flow_runs/filter", json=query).json()[0]
arts = httpx.post(f"{api}/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}).json()
ids = {a["key"]: a["id"] for a in arts}
print(run["id"], ids.get("imr-ingest-summary", "-"), ids.get("imr-dq-expectations", "-"))
PY
)
echo "screenshots: flow run $RUN_ID"

shoot() {  # shoot <path> <file> [height]
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$WORK/chromium" --screenshot="$OUT/$2" --window-size="1400,${3:-1000}" \
    --virtual-time-budget=10000 "$URL/$1" >/dev/null 2>&1
  echo "screenshots: $OUT/$2 <- $URL/$1"
}
# the flow run page ignores ?tab=..., so its tabs are clicked through the DevTools protocol
tab() {  # tab <path> <tab-id> <file> [height]
  "$BIN/python" scripts/screenshot_tab.py "$URL/$1" "$OUT/$3" --tab "$2" --size "1400x${4:-1000}" --chromium "$CHROMIUM"
}
tab "runs/flow-run/$RUN_ID" logs flow-run.png
tab "runs/flow-run/$RUN_ID" artifacts flow-run-artifacts.png 1200
[ "$SUMMARY_ID" = "-" ] || shoot "artifacts/artifact/$SUMMARY_ID" artifact-summary.png 1300
[ "$TABLE_ID" = "-" ] || shoot "artifacts/artifact/$TABLE_ID" artifact-expectations.png 1300
shoot "artifacts" artifacts.png
shoot "runs" runs.png
shoot "artifacts/key/imr-ingest-summary" artifact-summary-history.png
