#!/usr/bin/env bash
# Creates ./.venv and installs ShopFlow into it (with the test tools when called with `dev`).
# Re-running is cheap: nothing is reinstalled unless pyproject.toml changed (or the pinned axe-core version).
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "ShopFlow needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv

spec="."
[ "$extras" = "dev" ] && spec=".[dev]"
stamp=".venv/.shopflow-installed-$(sha256sum pyproject.toml | cut -c1-16)-${extras:-run}"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
  touch "$stamp"
fi

# The browser tests check every dashboard page with axe-core (accessibility rules), injected from this local copy:
# nothing is fetched while the tests run. Kept in the virtualenv, beside the other test tools, so the tests find it
# through the interpreter that runs them (sys.prefix).
AXE_CORE_VERSION="4.14.1"
if [ "$extras" = "dev" ]; then
  axe_dir=".venv/npm"
  if ! grep -qs "\"version\": \"$AXE_CORE_VERSION\"" "$axe_dir/node_modules/axe-core/package.json"; then
    command -v npm >/dev/null || { echo "the browser tests need npm (apt-get install npm) for axe-core" >&2; exit 1; }
    npm install --prefix "$axe_dir" --no-save --no-audit --no-fund --silent "axe-core@$AXE_CORE_VERSION"
  fi
fi
