#!/usr/bin/env bash
# Set up and run the example project: virtualenv, install, migrate, serve on 127.0.0.1:8000.
# Embedded by default (SQLite, in-memory channel layer); set REDIS_URL to use Redis.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/example.txt
manage=("$venv/bin/python" example_project/manage.py)
"${manage[@]}" migrate --noinput
exec "${manage[@]}" runserver "${ADDRESS:-127.0.0.1:8000}"
