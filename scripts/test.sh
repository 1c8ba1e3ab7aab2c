#!/usr/bin/env bash
# Runs the whole test suite twice: on SQLite, then on a real PostgreSQL server that this
# script starts in a temporary directory and stops afterwards.
source "$(dirname "$0")/bootstrap.sh"
export DEBUG=false

echo "== Tests on SQLite"
.venv/bin/python -m pytest -q -p no:randomly "$@"

echo "== Tests on PostgreSQL"
source scripts/postgres.sh
start_postgres
.venv/bin/python -m pytest -q "$@"
