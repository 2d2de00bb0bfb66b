#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run it.
#   - Debian packages: PostgreSQL server binaries (the suite starts its own throwaway cluster)
#     and Chromium (the report's browser test), installed with apt when missing and run as root;
#   - a virtual environment .venv with kirkpatrick and its test extra (a plain, non-editable install,
#     so the installed wheel is what the CLI tests run);
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

echo "== virtual environment .venv"
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q '.[test]'

echo "== the installed package runs the demo from another folder"
demo_dir=$(mktemp -d)
(cd "$demo_dir" && "$OLDPWD/.venv/bin/kirkpatrick" demo --out demo >/dev/null)
rm -rf "$demo_dir"

echo "== checks: ruff, mypy --strict, import-linter"
.venv/bin/ruff check kirkpatrick tests bench scripts
.venv/bin/ruff format --check kirkpatrick tests bench scripts
.venv/bin/mypy
.venv/bin/lint-imports

echo "== tests"
exec .venv/bin/python -m pytest "$@"
