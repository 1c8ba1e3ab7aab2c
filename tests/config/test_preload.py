"""gunicorn --preload (docs/deployment.md) imports config.wsgi once, in its master, and forks every worker from
it. The master builds the queue counts once and closes its database connection before any fork (one open
across a fork breaks SQLite: "disk I/O error" in the workers) and starts no thread; each worker is forked with
the counts, ready; a worker forked long after (replaced after --max-requests) drops counts older than they
may be and builds its own. What the master loaded is frozen out of the garbage collector's walks. Checked
in a fresh Python process that does what gunicorn's master does: import, then fork."""

import os
import subprocess
import sys
from pathlib import Path

MASTER = """
import gc, math, os, threading, time
import config.wsgi
from django.db import connections
from allocation import waits

queue = waits.QUEUE_DAYS
found = []
if queue.built_at == -math.inf:
    found.append("no counts in the master")
if queue.refreshing or any(thread.name == "queue-days" for thread in threading.enumerate()):
    found.append("a thread in the master")
if any(connection.connection for connection in connections.all(initialized_only=True)):
    found.append("a database connection in the master")
if gc.get_freeze_count() < 50_000:  # Django, the apps and their catalogues
    found.append("what the master loaded left for the workers' collector to walk")


def worker_has_counts() -> bool:
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.write(write_end, b"built" if queue.built_at > -math.inf and not queue.refreshing else b"none")
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    return os.read(read_end, 10) == b"built"


if not worker_has_counts():
    found.append("a worker forked at once without the counts")
queue.built_at = time.monotonic() - queue.max_age - 1
if worker_has_counts():
    found.append("a worker forked later with counts too old")
print(found)
"""


def test_the_master_builds_the_queue_counts_once_and_forks_them_to_its_workers(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    env.pop("DATABASE_URL", None)
    migrate = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
    subprocess.run(migrate, cwd=root, env=env, capture_output=True, timeout=120, check=True)
    done = subprocess.run(
        [sys.executable, "-c", MASTER], cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
