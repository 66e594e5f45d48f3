#!/usr/bin/env bash
# Sets up ShopFlow and runs it on embedded defaults: a demo camera playing the bundled sample video.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/shopflow analyze src/shopflow/assets/vtest.avi \
  --line "crossing:0.40,0.98,0.40,0.28" --zone "plaza:0.45,0.35;0.95,0.35;0.95,0.80;0.45,0.80" \
  --fps 5 --json data/demo-report.json "$@"
