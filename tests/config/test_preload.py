"""gunicorn --preload (docs/deployment.md) imports config.wsgi once, in its master, and forks every worker from
it. The master must start no thread and open no database connection (one open across a fork breaks SQLite:
"disk I/O error" in the workers), and each worker must start building its queue counts as it is forked."""

import os
import threading
import warnings

from django.db import connections

from allocation import waits


def test_each_forked_worker_starts_its_queue_counts_and_the_master_does_not(monkeypatch):
    import config.wsgi  # noqa: F401  (what gunicorn's master imports)

    assert not waits.QUEUE_DAYS.refreshing
    assert not any(thread.name == "queue-days" for thread in threading.enumerate())
    assert not any(connection.connection for connection in connections.all(initialized_only=True))

    monkeypatch.setattr(waits.QUEUE_DAYS, "refresh_in_background", lambda: os.write(write_end, b"started"))
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the test runner has threads; the child only exits
        child = os.fork()
    if child == 0:
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    assert os.read(read_end, 100) == b"started"
    os.close(read_end)
