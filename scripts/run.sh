#!/usr/bin/env bash
# Sets up ShopFlow and runs it on embedded defaults: SQLite and files under ./data, and, on a fresh install,
# a demo store whose camera plays the bundled sample video in a loop. Open http://localhost:8001/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "ShopFlow: open http://localhost:${API_PORT:-8001}/ (API docs at /docs). Ctrl+C stops it."
exec .venv/bin/shopflow serve "$@"
