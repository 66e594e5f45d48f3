#!/usr/bin/env bash
# Sets up ShopFlow with its test tools and runs every check: lint, format, types, import layers, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev

export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff check";   ruff check src tests bench
echo "== ruff format";  ruff format --check src tests bench
echo "== mypy";         mypy
echo "== import layers"; lint-imports
echo "== pytest";       pytest "$@"
