#!/usr/bin/env bash
# Runs the whole test suite twice: on SQLite, and on a real PostgreSQL server that this script
# starts in a temporary directory and stops afterwards. The browser tests (headless Chromium on
# Regular 2G, offline drafts, no-JavaScript, axe-core) and the page budgets run once, on SQLite.
# CITA_SKIP_BROWSER=1 leaves them out. The gateway tests (a real Kannel with fakesmsc, and an SMTP
# server) run once, on SQLite. Last, the load test, fault drills and benchmarks run for a few seconds
# each (tests/scripts), side by side. Debian packages it needs (Chromium, npm, Kannel, PostgreSQL,
# wrk) are installed first when missing.
#
# The suites run in one process each, so on a machine with two cores or more some stages run side
# by side: the browser stage (mostly waiting on the throttled network) and the PostgreSQL suite
# beside lint, types, the SQLite suite and the gateway tests; then the scripts (whose drills check
# timings, so not beside the browser and gateway stages) beside what is left of PostgreSQL's. Each stage is
# isolated (its own database, ports and temporary folders). A stage run beside others writes to a
# file, printed whole when it ends, so no two stages' output mix. Every stage runs even when an
# earlier one failed; the script fails if any did, and names them last. CITA_ONE_AT_A_TIME=1 runs
# the stages one after another (a one-core machine, or to time each stage).
export CITA_REQUIREMENTS=requirements-dev.txt   # production's versions, plus the test tools
source "$(dirname "$0")/bootstrap.sh"
export DEBUG=false
# bootstrap.sh compiled the catalogues and collected the static files: the scripts serving this
# checkout must not write them again while a page-budget or browser server reads them.
export CITA_SERVED_FILES_BUILT=1

LOGS=$(mktemp -d /tmp/cita-test.XXXXXX)
declare -A PIDS=()
FAILED=()
set -m   # each stage beside others in its own process group, so an interrupted run stops them all
trap 'for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done; rm -rf "$LOGS"' EXIT

stage() {  # name, command...: a stage in the foreground, its output as it comes
  local name=$1 status=0
  shift
  "$@" || status=$?
  [ $status -eq 0 ] || { echo "!! $name failed (exit $status)"; FAILED+=("$name"); }
}

beside() {  # name, command...: start a stage beside the others, its output kept in a file
  [ -z "${CITA_ONE_AT_A_TIME:-}" ] || { stage "$@"; return; }
  local name=$1
  shift
  ( "$@" ) >"$LOGS/$name.log" 2>&1 &
  PIDS[$name]=$!
}

finish() {  # name: wait for a stage started with `beside`, then print its output whole
  [ -z "${CITA_ONE_AT_A_TIME:-}" ] || return 0
  local name=$1 status=0
  wait "${PIDS[$name]}" || status=$?
  unset "PIDS[$name]"
  cat "$LOGS/$name.log"
  [ $status -eq 0 ] || { echo "!! $name failed (exit $status)"; FAILED+=("$name"); }
}

lint() {
  echo "== Lint (ruff: security S and Django DJ rules, imports, format)"
  .venv/bin/ruff check . && .venv/bin/ruff format --check . >/dev/null
}

types() {
  echo "== Types (mypy with django-stubs: config and the apps)"
  .venv/bin/mypy
}

sqlite_suite() {
  echo "== Tests on SQLite"
  .venv/bin/python -m pytest -q -p no:randomly -m "not browser" "$@"
}

browser() {
  echo "== Browser tests (headless Chromium, SQLite)"
  .venv/bin/python -m pytest -q -p no:randomly -m browser tests/browser \
    && echo "== Page budgets (Regular 2G)" && .venv/bin/python scripts/page_budget.py
}

gateway() {
  echo "== Gateway tests (Kannel bearerbox, smsbox and fakesmsc; SMTP; SQLite)"
  .venv/bin/python -m pytest -q -p no:randomly -m gateway tests/gateway
}

postgres_suite() {
  echo "== Tests on PostgreSQL"
  source scripts/postgres.sh && start_postgres && trap 'stop_postgres; exit 143' TERM \
    && .venv/bin/python -m pytest -q -m "not browser" "$@"
}

scripts_briefly() {
  echo "== Load and fault scripts, briefly (each with its own gunicorn and PostgreSQL; wrk for the rush)"
  .venv/bin/python -m pytest -q -p no:randomly -m scripts tests/scripts
}

# Installs first, one at a time (apt and npm do not like company).
[ -n "${CITA_SKIP_BROWSER:-}" ] || install_browser_tools
install_gateway_tools
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
apt_install wrk

started=$SECONDS
[ -n "${CITA_SKIP_BROWSER:-}" ] || beside browser browser
beside postgres postgres_suite "$@"
stage lint lint
stage types types
stage sqlite sqlite_suite "$@"
stage gateway gateway
[ -n "${CITA_SKIP_BROWSER:-}" ] || finish browser
beside scripts scripts_briefly
finish postgres
finish scripts

echo "== $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s for the stages"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "FAILED: ${FAILED[*]}"
  exit 1
fi
