#!/usr/bin/env bash
# Install what the tests need into .venv, then run the whole suite: ruff, mypy strict, pytest.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/test.txt
"$venv/bin/ruff" check .
"$venv/bin/ruff" format --check .
"$venv/bin/mypy"
"$venv/bin/pytest" "$@"
