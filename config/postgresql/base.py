"""Django's PostgreSQL backend whose connection check, before each request's first query, asks the
socket rather than the server.

Django's CONN_HEALTH_CHECKS sends `SELECT 1` at the start of every request that reuses a connection: a
round trip and about a fifth of the status page's statements. When PostgreSQL restarts or ends a backend,
it tells the client and closes the socket, so an idle connection that was ended has something to read
(the goodbye, or the end of the stream), while a live idle one has nothing at all: one poll() with no
wait tells them apart. A connection found ended is closed and the query opens a new one, so a worker
recovers by itself after a restart without a failed request. A server that vanished without a word (a
network cut) is not seen here; the query then fails, the visitor gets the 503 "try again" page
(config/middleware.py), and Django closes the failed connection at the end of the request.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


def _has_something_to_read(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        pgconn = self.connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
            # Not idle between requests: a transaction left open or failed; do not guess, ask the server.
            return super().is_usable()
        try:
            return not _has_something_to_read(pgconn.socket)
        except (OSError, ValueError):
            return False
