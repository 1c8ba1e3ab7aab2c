"""gunicorn --preload (docs/deployment.md) imports config.wsgi once, in its master, and forks every worker from
it. The master must start no thread and open no database connection (one open across a fork breaks SQLite:
"disk I/O error" in the workers), and each worker must start building its queue counts as it is forked.
Checked in a fresh Python process that does what gunicorn's master does: import, then fork."""

import os
import subprocess
import sys
from pathlib import Path

MASTER = """
import os, threading
import config.wsgi
from django.db import connections
from allocation import waits

found = []
if waits.QUEUE_DAYS.refreshing or any(thread.name == "queue-days" for thread in threading.enumerate()):
    found.append("a thread in the master")
if any(connection.connection for connection in connections.all(initialized_only=True)):
    found.append("a database connection in the master")
read_end, write_end = os.pipe()
waits.QUEUE_DAYS.refresh_in_background = lambda: os.write(write_end, b"started")
child = os.fork()
if child == 0:
    os._exit(0)
os.close(write_end)
os.waitpid(child, 0)
print(found, os.read(read_end, 100).decode() or "not started in the worker")
"""


def test_each_forked_worker_starts_its_queue_counts_and_the_master_does_not(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", MASTER], cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "[] started", done.stdout + done.stderr
