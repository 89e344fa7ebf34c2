#!/usr/bin/env bash
# Set up and run the example project: virtualenv, install, migrate, demo users, serve.
# Embedded by default (SQLite, in-memory channel layer); set REDIS_URL to use Redis.
# ADDRESS=host:port changes where it listens (default 127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${VENV:-.venv}"
address="${ADDRESS:-127.0.0.1:8000}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/example.txt
manage=("$venv/bin/python" example_project/manage.py)
"${manage[@]}" migrate --noinput
"${manage[@]}" seed_demo --url "http://${address}/"
exec "${manage[@]}" runserver "$address"
