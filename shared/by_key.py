"""One row of a queryset by its primary key, with the SQL built once per connection (issue #18).

The registration form looks up the place and the port the browser sent. Building a queryset's SQL for
`get()` cost several times the CPU of running it: the two look-ups were about a sixth of a registration.
Here the queryset itself is compiled once, with a stand-in for the key, so the look-up means exactly what
the queryset says (its filters and annotations, read as they are at that moment); each call puts the key
in and makes the instance the way Django's queryset does (the same converters, Model.from_db).

Pass the same queryset object each time (a module constant, or one cached per day): the statement is kept
per queryset object and connection.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

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


@lru_cache(maxsize=32)
def _statement(queryset: QuerySet, connection: BaseDatabaseWrapper) -> _Statement:
    compiler = queryset.filter(pk=_KEY).query.get_compiler(connection=connection)
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
    )


def by_key(queryset: QuerySet, key: Any, alias: str = "default") -> Model | None:
    """The queryset's row with this primary key, or None if there is none (or the key is not one)."""
    connection = connections[alias]
    pk = queryset.model._meta.pk
    try:
        value = pk.get_prep_value(pk.to_python(key))
    except Exception:  # noqa: BLE001  (whatever a browser sent: a ValidationError, a ValueError, a TypeError)
        return None
    low, high = connection.ops.integer_field_range(pk.get_internal_type())
    if not isinstance(value, int) or (low is not None and value < low) or (high is not None and value > high):
        return None
    statement = _statement(queryset, connection)
    params = list(statement.params)
    params[statement.key_at] = value
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    if statement.converters:
        row = next(iter(statement.compiler.apply_converters([row], statement.converters)))
    instance = queryset.model.from_db(alias, statement.attnames, row[statement.fields_at])
    for name, at in statement.annotations.items():
        setattr(instance, name, row[at])
    return instance
