"""Is this error a database outage (down, restarting, full, locked, read-only), which passes by
itself, or a bug? Pages answer an outage with the 503 "try again" page (config.middleware);
background work (the outbox's urgent sends, the sender loop) says so in one line and tries again
later instead of logging a traceback or stopping."""

from django.db import DatabaseError, InterfaceError, OperationalError

# PostgreSQL refuses writes with this SQLSTATE when the database is read-only (a standby after a
# failover, or default_transaction_read_only set for maintenance): it is an outage, not a bug.
READ_ONLY_SQLSTATE = "25006"


def is_database_unavailable(exception: BaseException | None) -> bool:
    """The database is down, restarting, full, locked or read-only: the request may succeed later."""
    if isinstance(exception, (OperationalError, InterfaceError)):
        return True
    return isinstance(exception, DatabaseError) and getattr(exception.__cause__, "sqlstate", None) == READ_ONLY_SQLSTATE


def caused_by_outage(exception: BaseException | None) -> bool:
    """The exception, or one it was raised while handling, is a database outage: Django's session
    store turns a failed save into "session interrupted" (a 400), for one."""
    seen = 0
    while exception is not None and seen < 10:
        if is_database_unavailable(exception):
            return True
        exception, seen = exception.__cause__ or exception.__context__, seen + 1
    return False
