"""Is this error a database outage (down, restarting, full, locked, read-only), which passes by
itself, or a bug? Pages answer an outage with the 503 "try again" page (config.middleware);
background work (the outbox's urgent sends, the sender loop) says so in one line and tries again
later instead of logging a traceback or stopping."""

from django.db import DatabaseError, InterfaceError, OperationalError, connections

# PostgreSQL refuses writes with this SQLSTATE when the database is read-only (a standby after a
# failover, or default_transaction_read_only set for maintenance): it is an outage, not a bug.
READ_ONLY_SQLSTATE = "25006"


def is_database_unavailable(exception: BaseException | None) -> bool:
    """The database is down, restarting, full, locked or read-only: the request may succeed later."""
    if isinstance(exception, (OperationalError, InterfaceError, *_driver_outage_errors())):
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


def _driver_outage_errors() -> tuple[type[BaseException], ...]:
    """The database drivers' own OperationalError and InterfaceError (DB-API names), as they come where Django
    does not wrap them: closing a server-side cursor (a form's list of choices read with .iterator() on
    PostgreSQL) on a connection the server dropped raises psycopg's, and was answered 500."""
    modules = {connections[alias].Database for alias in connections}  # type: ignore[attr-defined]  # each backend's
    return tuple(error for module in modules for error in (module.OperationalError, module.InterfaceError))
