"""One row of a queryset by its primary key, with the SQL built once per connection (issue #18).

The registration form looks up the place and the port the browser sent. Building a queryset's SQL for
`get()` cost several times the CPU of running it: the two look-ups were about a sixth of a registration.
Here the queryset itself is compiled once, with a stand-in for the key, so the look-up means exactly what
the queryset says (its filters and annotations, read as they are at that moment); each call puts the key
in and makes the instance the way Django's queryset does (the same converters, Model.from_db).

The household's page reads its members, its organisation links and its appointments the same way, all rows
with the household's key (`rows_with`): building those three statements was about a fifth of a family's
first view of its page after a draw.

Pass the same queryset object each time (a module constant, or one cached per day): the statement is kept
per queryset object, field and connection.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import FETCH_ONE, Model, QuerySet
from django.db.models.query import RelatedPopulator, get_related_populators
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)
_KEY = -1_738_294_651  # stands for the key in the compiled statement; no real key is negative


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    key_at: int
    compiler: SQLCompiler
    converters: dict
    attnames: list[str]
    fields_at: slice
    annotations: dict[str, int]
    width: int  # columns
    pk_at: int  # where the primary key is among them
    related: list[RelatedPopulator]  # the rows select_related joins in


@lru_cache(maxsize=64)
def _statement(queryset: QuerySet, connection: BaseDatabaseWrapper, field: str = "pk") -> _Statement:
    compiler = queryset.filter(**{field: _KEY}).query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    params = tuple(params)
    if params.count(_KEY) != 1:
        raise ValueError(f"the key's stand-in must appear once among {params}")
    select_fields = compiler.klass_info["select_fields"]
    fields_at = slice(select_fields[0], select_fields[-1] + 1)
    columns = [expression for expression, _, _ in compiler.select]
    return _Statement(
        sql=sql,
        params=params,
        key_at=params.index(_KEY),
        compiler=compiler,
        converters=compiler.get_converters(columns),
        attnames=[column.target.attname for column in columns[fields_at]],
        fields_at=fields_at,
        annotations=dict(compiler.annotation_col_map),
        width=len(columns),
        pk_at=fields_at.start + [column.target for column in columns[fields_at]].index(queryset.model._meta.pk),
        related=get_related_populators(compiler.klass_info, compiler.select, connection.alias, FETCH_ONE),
    )


def by_key(queryset: QuerySet, key: Any, alias: str = "default") -> Model | None:
    """The queryset's row with this primary key, or None if there is none (or the key is not one)."""
    return by_keys([(queryset, key)], alias)[0]


def by_keys(wanted: Sequence[tuple[QuerySet, Any]], alias: str = "default") -> list[Model | None]:
    """For each (queryset, key), its row with that key or None, all read in one statement: one round trip
    for the place and the port of a registration instead of two."""
    connection = connections[alias]
    statements = [_statement(queryset, connection) for queryset, _ in wanted]
    sql = ["SELECT * FROM (SELECT 1 AS one) one"]
    params: list = []
    for i, ((queryset, key), statement) in enumerate(zip(wanted, statements, strict=True)):
        statement_params = list(statement.params)
        statement_params[statement.key_at] = _key(queryset, key, connection)  # None matches no row
        sql.append(f"LEFT JOIN ({statement.sql}) row{i} ON 1 = 1")
        params += statement_params
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        row = cursor.fetchone()
    found: list[Model | None] = []
    start = 1  # after "one"
    for (queryset, _), statement in zip(wanted, statements, strict=True):
        own = row[start : start + statement.width]
        start += statement.width
        if own[statement.pk_at] is None:  # the join found no row
            found.append(None)
            continue
        if statement.converters:
            own = next(iter(statement.compiler.apply_converters([own], statement.converters)))
        found.append(_instance(queryset, statement, own, alias))
    return found


def rows_with(queryset: QuerySet[M], field: str, key: int, alias: str = "default") -> list[M]:
    """The queryset's rows whose `field` is `key` (a household's members), in its order, with the rows its
    select_related joins in; as the queryset would give them, but for the related object the field names."""
    connection = connections[alias]
    statement = _statement(queryset, connection, field)
    params = list(statement.params)
    params[statement.key_at] = key
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    if statement.converters:
        rows = list(statement.compiler.apply_converters(rows, statement.converters))
    return [_instance(queryset, statement, row, alias) for row in rows]


def _instance(queryset: QuerySet[M], statement: _Statement, row: Sequence, alias: str) -> M:
    """The instance Django's queryset makes from the statement's columns (converted): its fields, the rows
    select_related joins in, its annotations."""
    instance = queryset.model.from_db(alias, statement.attnames, row[statement.fields_at])
    for populator in statement.related:
        populator.populate(row, instance)
    for name, at in statement.annotations.items():
        setattr(instance, name, row[at])
    return instance


def _key(queryset: QuerySet, key: Any, connection: BaseDatabaseWrapper) -> int | None:
    """The key as the database takes it, or None if it is not one (whatever a browser sent)."""
    pk = queryset.model._meta.pk
    try:
        value = pk.get_prep_value(pk.to_python(key))
    except Exception:  # noqa: BLE001  (a ValidationError, a ValueError, a TypeError)
        return None
    low, high = connection.ops.integer_field_range(pk.get_internal_type())
    if not isinstance(value, int) or (low is not None and value < low) or (high is not None and value > high):
        return None
    return value
