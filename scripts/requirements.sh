#!/usr/bin/env bash
# Regenerates requirements.txt (production) and requirements-dev.txt (tests and tools) from the
# loose .in files, with hashes. Versions already in the .txt files are kept unless the .in file
# no longer allows them; `scripts/requirements.sh --upgrade` takes the newest each range allows.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/pip-compile ] || .venv/bin/pip install -q --disable-pip-version-check "pip-tools~=7.6"
compile() {
  .venv/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-find-links \
    --no-emit-index-url "$@"
}
compile "$@" -o requirements.txt requirements.in
compile "$@" -o requirements-dev.txt requirements-dev.in
echo "Now: .venv/bin/pip install -r requirements-dev.txt"
