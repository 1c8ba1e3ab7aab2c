#!/usr/bin/env bash
# Runs Cita on SQLite with demo data, served as production serves it (gunicorn, DEBUG off, static
# files compressed by WhiteNoise, the translated 404 and 500 pages); sign-in codes print here.
#   ./scripts/demo.sh            start at http://localhost:8000 (PORT=8080 ./scripts/demo.sh for another port)
#   ./scripts/demo.sh --reset    forget the demo database first and start from fresh demo data
# Stop it with Ctrl+C. The demo database is db.sqlite3 (or SQLITE_PATH) in the project folder.
source "$(dirname "$0")/bootstrap.sh"
export DEBUG=false
export SECURE_COOKIES=false            # plain http on this machine; production runs behind TLS
export SQLITE_PATH=${SQLITE_PATH:-$ROOT/db.sqlite3}
export PYTHONUNBUFFERED=1              # the codes appear as they are sent
PORT=${PORT:-8000}
# The command as one line that works from any folder, in any terminal (it names the database).
demo_code_command() { echo "SQLITE_PATH=$SQLITE_PATH $ROOT/.venv/bin/python $ROOT/manage.py demo_staff_code $1"; }
if [ "${1:-}" = "--reset" ]; then
  rm -f "$SQLITE_PATH" "$SQLITE_PATH-wal" "$SQLITE_PATH-shm"
  echo "Demo database removed: starting from fresh demo data."
fi
.venv/bin/python manage.py migrate -v 0
.venv/bin/python manage.py load_demo
cat <<TEXT

Cita is at http://localhost:$PORT   (stop: Ctrl+C; fresh data: ./scripts/demo.sh --reset)
  Applicant: sign in with +52 868 100 0001 (a demo household); the code prints below.
  NGO staff: http://localhost:$PORT/staff/login  user rosa; operator: olga
             password demo-password-not-for-production; the 6-digit code, in another terminal:
             $(demo_code_command rosa)
  Operator admin (ports, policies, draws): http://localhost:$PORT/operator/
TEXT
exec .venv/bin/gunicorn config.wsgi --bind "0.0.0.0:$PORT" --workers 2 --log-level warning
