# Sourced by scripts/demo.sh and scripts/test.sh: finds Python 3.12+, makes .venv, installs
# requirements and the Debian packages Cita needs. Safe to run again; it skips what is done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3 /root/.pyenv/versions/3.13*/bin/python /root/.pyenv/versions/3.12*/bin/python \
                   /usr/bin/python3.13 /usr/bin/python3.12 /usr/local/bin/python3.13 /usr/local/bin/python3.12; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

apt_install() {
  # Installs Debian packages that are missing; needs root (as on CI) or sudo.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  PYTHON=$(find_python) || { echo "Cita needs Python 3.12 or newer (Django 6). Install it, for example with pyenv, and run this again." >&2; exit 1; }
  echo "Making .venv with $PYTHON"
  rm -rf .venv
  "$PYTHON" -m venv .venv
fi
# The demo and production need requirements.txt only; scripts/test.sh asks for requirements-dev.txt
# (the same versions plus pytest, Playwright, ruff and mypy) through CITA_REQUIREMENTS.
REQUIREMENTS=${CITA_REQUIREMENTS:-requirements.txt}
if ! cmp -s "$REQUIREMENTS" ".venv/.installed-$REQUIREMENTS" 2>/dev/null; then
  .venv/bin/pip install -q --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" ".venv/.installed-$REQUIREMENTS"
fi
command -v msgfmt >/dev/null 2>&1 || apt_install gettext

install_gateway_tools() {
  # The gateway tests: Kannel (bearerbox, smsbox) and its fake operator fakesmsc, from Debian.
  apt_install kannel kannel-extras
}

install_browser_tools() {
  # Browser tests and page budgets: Debian's Chromium (Playwright's own download does not work
  # here, so never `playwright install`) and axe-core from npm at the version (and hash) in
  # tests/browser/package-lock.json, kept out of git under .venv/node.
  [ -x /usr/bin/chromium ] || apt_install chromium
  if ! cmp -s tests/browser/package-lock.json .venv/node/package-lock.json 2>/dev/null \
    || [ ! -f .venv/node/node_modules/axe-core/axe.min.js ]; then
    command -v npm >/dev/null 2>&1 || apt_install npm
    mkdir -p .venv/node
    cp tests/browser/package.json tests/browser/package-lock.json .venv/node/
    npm ci --prefix .venv/node --no-audit --no-fund --silent
  fi
}
# Inside the test command (CITA_SERVED_FILES_BUILT, set by scripts/test.sh after it built them once), the
# demo test's demo.sh must not rewrite them while the other stages read them: collectstatic replaces
# files, and a server scanning the folder that moment fails with "No such file or directory".
if [ -z "${CITA_SERVED_FILES_BUILT:-}" ]; then
  .venv/bin/python manage.py compilemessages --ignore=.venv -v 0
  .venv/bin/python manage.py collectstatic --noinput -v 0
fi
