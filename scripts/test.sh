#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run it.
#   - Debian packages: PostgreSQL server binaries (the suite starts its own throwaway cluster)
#     and Chromium (the browser tests), installed with apt when missing and run as root;
#   - a virtual environment .venv with kirkpatrick and its test extra: a plain, non-editable install,
#     so the installed wheel is what the CLI tests and tests/test_install.py run. The dependencies are
#     installed once and again only when setup.cfg changes; the package itself is reinstalled each run;
#   - the checks: ruff (lint and format), mypy --strict, import-linter's layer contracts;
#   - pytest, with any arguments given to this script (CI=true also runs PostgreSQL and browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]}; install them (sudo apt-get install ${need[*]}) and run again" >&2
    exit 1
  fi
fi

stamp=.venv/.kirkpatrick-deps
wanted=$(sha256sum setup.cfg pyproject.toml | sha256sum | cut -c1-16)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  echo "== virtual environment .venv (dependencies as before; reinstalling kirkpatrick)"
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation --force-reinstall .
else
  echo "== virtual environment .venv"
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q '.[test]'
  echo "$wanted" > "$stamp"
fi

echo "== checks: ruff, mypy --strict, import-linter"
.venv/bin/ruff check kirkpatrick tests bench scripts
.venv/bin/ruff format --check kirkpatrick tests bench scripts
.venv/bin/mypy
.venv/bin/lint-imports

echo "== tests"
exec .venv/bin/python -m pytest "$@"
