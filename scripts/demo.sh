#!/usr/bin/env bash
# Runs Cita on SQLite with demo data at http://localhost:8000 (sign-in codes print here).
source "$(dirname "$0")/bootstrap.sh"
export DEBUG=${DEBUG:-true}
.venv/bin/python manage.py migrate -v 0
.venv/bin/python manage.py load_demo
cat <<TEXT

Cita is at http://localhost:${PORT:-8000}
  Applicant: sign in with +52 868 100 0001 (a demo household); the code prints below.
  NGO staff:  http://localhost:${PORT:-8000}/staff/  user rosa, operator: olga
              password demo-password-not-for-production, code: .venv/bin/python manage.py demo_staff_code rosa
  Operator admin (ports, policies, draws): http://localhost:${PORT:-8000}/operator/
TEXT
exec .venv/bin/python manage.py runserver "0.0.0.0:${PORT:-8000}"
