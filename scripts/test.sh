#!/usr/bin/env bash
# Runs the whole test suite twice: on SQLite, then on a real PostgreSQL server that this
# script starts in a temporary directory and stops afterwards. The browser tests (headless
# Chromium on Regular 2G, offline drafts, no-JavaScript, axe-core) and the page budgets run once,
# on SQLite. CITA_SKIP_BROWSER=1 leaves them out. The gateway tests (a real Kannel with fakesmsc,
# and an SMTP server) run once, on SQLite; the Debian packages kannel and kannel-extras are
# installed when missing. Last, the load test, fault drills and cheap benchmarks run for a few
# seconds each (tests/scripts), side by side, with wrk installed when missing.
export CITA_REQUIREMENTS=requirements-dev.txt   # production's versions, plus the test tools
source "$(dirname "$0")/bootstrap.sh"
export DEBUG=false

echo "== Lint (ruff: security S and Django DJ rules, imports, format)"
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null

echo "== Types (mypy with django-stubs: config and the apps)"
.venv/bin/mypy

echo "== Tests on SQLite"
.venv/bin/python -m pytest -q -p no:randomly -m "not browser" "$@"

if [ -z "${CITA_SKIP_BROWSER:-}" ]; then
  install_browser_tools
  echo "== Browser tests (headless Chromium, SQLite)"
  .venv/bin/python -m pytest -q -p no:randomly -m browser tests/browser
  echo "== Page budgets (Regular 2G)"
  .venv/bin/python scripts/page_budget.py
fi

install_gateway_tools
echo "== Gateway tests (Kannel bearerbox, smsbox and fakesmsc; SMTP; SQLite)"
.venv/bin/python -m pytest -q -p no:randomly -m gateway tests/gateway

echo "== Tests on PostgreSQL"
source scripts/postgres.sh
start_postgres
.venv/bin/python -m pytest -q -m "not browser" "$@"

echo "== Load and fault scripts, briefly (each with its own gunicorn and PostgreSQL; wrk for the rush)"
apt_install wrk
.venv/bin/python -m pytest -q -p no:randomly -m scripts tests/scripts
