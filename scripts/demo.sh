#!/usr/bin/env bash
# Runs Cita on SQLite with demo data at http://localhost:8000 (sign-in codes print here).
source "$(dirname "$0")/bootstrap.sh"
export DEBUG=${DEBUG:-true}
.venv/bin/python manage.py migrate -v 0
.venv/bin/python manage.py load_demo
echo "Cita is at http://localhost:${PORT:-8000}  (operator pages: /operator/, user 'operator', password 'demo-operator-password')"
exec .venv/bin/python manage.py runserver "0.0.0.0:${PORT:-8000}"
