#!/usr/bin/env bash
# The benchmark, in one command: bash bench/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/test.txt -r bench/requirements.txt
exec "$venv/bin/python" -m bench.run "$@"
