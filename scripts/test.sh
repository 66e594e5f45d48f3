#!/usr/bin/env bash
# Sets up ShopFlow with its test tools and runs every check: lint, format, types, import layers, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# setup.sh dev installs axe-core (the browser tests' accessibility rules) with npm.
if ! command -v npm >/dev/null; then
  echo "== installing npm for axe-core"
  apt-get update -qq && apt-get install -y -qq npm
fi
bash scripts/setup.sh dev

export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff check";   ruff check src tests bench
echo "== ruff format";  ruff format --check src tests bench
echo "== mypy";         mypy
echo "== import layers"; lint-imports
# The dashboard's browser tests drive Debian's Chromium (Playwright never downloads a browser here).
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium for the browser tests"
  apt-get update -qq && apt-get install -y -qq chromium
fi
# Three workers on two cores: one analyses video while the others run the tests that mostly wait (tests/conftest.py).
echo "== pytest";       pytest -n "${SHOPFLOW_TEST_WORKERS:-3}" --dist loadfile "$@"
