"""The session row, its applicant, and the applicant's household with its place and port, in one statement
built once per process (issue #18).

Every signed-in request reads these. As a queryset with select_related, building the SQL and the five
model instances took two thirds of the CPU of a status page shown from its kept copy. The statement here
is made once from the models' own columns (the encrypted ones deferred), and the rows become model instances
the way Django's queryset makes them: Model.from_db after the same converters (SQLite's dates parsed),
with each instance's related instances cached, so `applicant.household.preferred_port` costs no query.

One page may read its own columns in the same statement (ReadAlong): the status page, which every
waiting household opens after a draw, reads its kept copy there instead of in a second round trip.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from typing import cast

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.expressions import Col

from registrations.models import AccountSession, Applicant, Household, Place
from shared.encryption import EncryptedTextField
from shared.models import Port


@dataclass(frozen=True)
class _Table:
    model: type[Model]
    alias: str
    fields: tuple[Field, ...]

    @cached_property
    def attnames(self) -> tuple[str, ...]:  # made once: every signed-in request passes them to from_db
        return tuple(field.attname for field in self.fields)


def _read_now(model: type[Model]) -> tuple[Field, ...]:
    """Every column but the encrypted ones: those are left deferred, as `.defer()` leaves them, and read by
    the page that shows one (a query then). Most requests show none, and decrypting the sign-in address was
    about a twentieth of a status page shown from its kept copy."""
    return tuple(field for field in model._meta.concrete_fields if not isinstance(field, EncryptedTextField))


TABLES = (
    _Table(AccountSession, "s", _read_now(AccountSession)),
    _Table(Applicant, "a", _read_now(Applicant)),
    _Table(Household, "h", _read_now(Household)),
    _Table(Place, "pl", _read_now(Place)),
    _Table(Port, "po", _read_now(Port)),
)


@dataclass(frozen=True)
class ReadAlong:
    """Columns one page reads in the session's statement, from tables it joins on the household `h` (NULLs
    where the session has none). A page of a higher app registers itself with read_along(): apps depend
    downward, so this module names no table of theirs."""

    url_name: str
    columns: str  # the select list
    joins: str  # joined after the household's; its %s are filled by params
    params: Callable[[BaseDatabaseWrapper], Sequence[object]]  # read at each request, adapted for the connection


PAGES_READ_ALONG: list[ReadAlong] = []


def read_along(page: ReadAlong) -> None:
    """Has the session's statement read this page's columns too on its GET requests (from AppConfig.ready)."""
    if page not in PAGES_READ_ALONG:
        PAGES_READ_ALONG.append(page)


def _column(field: Field | None) -> str:
    if field is None or field.column is None:
        raise TypeError(f"{field} has no column")
    return field.column


@lru_cache(maxsize=64)
def _statement(connection: BaseDatabaseWrapper, along: ReadAlong | None) -> tuple[str, list[list[tuple[list, Col]]]]:
    """The SQL, and for each table and column the converters its value goes through (as in the queryset),
    per connection (each thread has its own, and the converters belong to it) and page read along."""
    quote = connection.ops.quote_name

    def column(table: _Table, field: Field) -> str:
        return f"{table.alias}.{quote(_column(field))}"

    def name(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    session, applicant, household, place, port = TABLES
    columns = ", ".join(column(table, field) for table in TABLES for field in table.fields)
    if along is not None:
        columns += f", {along.columns}"
    sql = (
        f"SELECT {columns} FROM {name(AccountSession)} s"  # noqa: S608  (names from our models)
        f" LEFT JOIN {name(Applicant)} a ON a.{quote(_column(Applicant._meta.pk))} = s.{quote('applicant_id')}"
        f" LEFT JOIN {name(Household)} h ON h.{quote('applicant_id')} = a.{quote(_column(Applicant._meta.pk))}"
        f" LEFT JOIN {name(Place)} pl ON pl.{quote(_column(Place._meta.pk))} = h.{quote('current_place_id')}"
        f" LEFT JOIN {name(Port)} po ON po.{quote(_column(Port._meta.pk))} = h.{quote('preferred_port_id')}"
        f"{along.joins if along is not None else ''}"
        f" WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s"
    )
    converters = []
    for table in TABLES:
        per_column = []
        for field in table.fields:
            col = field.get_col(table.alias)
            per_column.append((connection.ops.get_db_converters(col) + col.get_db_converters(connection), col))
        converters.append(per_column)
    return sql, converters


@dataclass(frozen=True)
class SessionRead:
    row: AccountSession | None  # with its applicant, household, place and port (None where there is none)
    along: tuple | None  # the columns of the page read along, if one was


def read_session(
    session_key: str, now: datetime, alias: str = "default", along: ReadAlong | None = None
) -> SessionRead:
    """The unexpired session row (None if there is none), and the columns of the page read along."""
    connection = connections[alias]
    sql, converters = _statement(connection, along)
    params = [*along.params(connection), session_key] if along is not None else [session_key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, connection.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
    if row is None:
        return SessionRead(None, None)
    made: list[Model | None] = []
    start = 0
    for table, per_column in zip(TABLES, converters, strict=True):
        values = list(row[start : start + len(table.fields)])
        start += len(table.fields)
        if values[table.fields.index(table.model._meta.pk)] is None:  # the join found no row
            made.append(None)
            continue
        for i, (functions, col) in enumerate(per_column):
            for function in functions:
                values[i] = function(values[i], col, connection)
        made.append(table.model.from_db(alias, table.attnames, values))
    session_row, applicant, household, place, port = made
    session_row = cast(AccountSession, session_row)
    session_row._state.fields_cache["applicant"] = applicant
    if applicant is not None:
        applicant._state.fields_cache["household"] = household
    if household is not None:
        household._state.fields_cache.update(applicant=applicant, current_place=place, preferred_port=port)
    return SessionRead(session_row, tuple(row[start:]) if along is not None else None)
