#!/usr/bin/env bash
# Lighthouse on the dashboard's overview (signed in, demo camera playing), with Debian's Chromium.
# Scores go to bench/out/lighthouse/ (JSON and HTML) and a summary line is printed for docs/benchmarks.md.
# Needs: /usr/bin/chromium, node/npm (lighthouse 12.2.3 is the last that runs on Node 20).
# Runs Lighthouse's mobile emulation (its default: a mid-range phone, 4x CPU slowdown, throttled 4G) and its desktop
# preset on the same signed-in page, one after the other; PRESETS="desktop" runs one of them.
set -euo pipefail
cd "$(dirname "$0")/.."
out="bench/out/lighthouse"
mkdir -p "$out"
[ -x "$out/node_modules/.bin/lighthouse" ] || npm install --silent --no-audit --no-fund -E lighthouse@12.2.3 --prefix "$out" >/dev/null

port="${PORT:-8790}"
data="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
DATA_DIR="$data" YOLO_IMGSZ=320 DATABASE_URL="" .venv/bin/python -m shopflow.cli serve --demo --host 127.0.0.1 --port "$port" >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 1; done

headers="$(.venv/bin/python bench/lighthouse_login.py "http://127.0.0.1:$port" "$data")"
sleep 5  # let the demo camera count for a moment, like an owner who opens the page during the day
for preset in ${PRESETS:-mobile desktop}; do
  flags=()
  [ "$preset" = desktop ] && flags=(--preset=desktop)
  CHROME_PATH=/usr/bin/chromium "$out/node_modules/.bin/lighthouse" "http://127.0.0.1:$port/" "${flags[@]}" \
    --quiet --output=json --output=html --output-path="$out/overview-$preset" \
    --only-categories=performance,accessibility,best-practices \
    --extra-headers="$headers" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"

  .venv/bin/python - "$out/overview-$preset.report.json" "$preset" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(sys.argv[2])
scores = {key: round(100 * cat["score"]) for key, cat in report["categories"].items()}
audits = report["audits"]
print(
    f"performance {scores['performance']}, accessibility {scores['accessibility']}, "
    f"best practices {scores['best-practices']}; FCP {audits['first-contentful-paint']['displayValue']}, "
    f"LCP {audits['largest-contentful-paint']['displayValue']}, TBT {audits['total-blocking-time']['displayValue']}, "
    f"CLS {audits['cumulative-layout-shift']['displayValue']}"
)
for key, cat in report["categories"].items():
    for ref in cat["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1 and key != "performance":
            print(f"  {key}: {ref['id']} ({audit['score']}): {audit['title']}")
# What costs performance, largest first (Lighthouse's estimated savings).
opportunities = [
    audit for audit in audits.values()
    if audit.get("details", {}).get("type") == "opportunity" and audit.get("numericValue")
]
for audit in sorted(opportunities, key=lambda audit: -audit["numericValue"])[:5]:
    print(f"  performance: {audit['id']}: {audit.get('displayValue', '')}")
PY
done
