"""New rows written by an INSERT whose SQL is built once per model, row count and database (issue #18).

Django builds an insert's SQL anew for every `save()` and `bulk_create()`: for a registration of 4, the
busiest write after an announcement, building the household's and the members' statements cost about
a twelfth of its CPU. Here the statement is made once, from the model's fields, and each call prepares
the values exactly as Django's insert does (`pre_save` fills auto_now fields, `get_db_prep_save`
encrypts and converts), so a field added to the model is written with no change here.

What `save()` does besides inserting is the caller's to do: these rows get no save() override and no
signals (as with bulk_create). Values must be plain values, not expressions.

Given the fields of a unique constraint and the fields to overwrite, a row that would break the constraint
overwrites the row it meets instead (bulk_create's update_conflicts): the household's page keeps its copy
so, at each family's first view after a draw.
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import cast

from django.db import connections
from django.db.models import Field, Model
from django.db.models.constants import OnConflict


@lru_cache(maxsize=64)
def _statement(
    model: type[Model], rows: int, alias: str, unique_fields: tuple[str, ...], update_fields: tuple[str, ...]
) -> tuple[str, list[Field], bool]:
    connection = connections[alias]
    meta = model._meta
    returning = meta.pk.db_returning  # an automatic key: the database makes it and says which
    fields = [field for field in meta.local_concrete_fields if not (field.primary_key and returning)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Only the model's own table and column names, quoted, go into the text; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)}"  # noqa: S608
    if unique_fields:
        column = {field.name: cast(str, field.column) for field in fields}
        overwritten, unique = [column[name] for name in update_fields], [column[name] for name in unique_fields]
        sql += " " + connection.ops.on_conflict_suffix_sql(fields, OnConflict.UPDATE, overwritten, unique)
    if returning:
        sql += f" RETURNING {quote(cast(str, meta.pk.column))}"
    return sql, fields, returning


def insert_rows(
    objs: Sequence[Model],
    alias: str = "default",
    unique_fields: tuple[str, ...] = (),
    update_fields: tuple[str, ...] = (),
) -> None:
    """Insert new instances of one model in one statement; each gets its primary key (with unique_fields,
    the key of the row it overwrote where it met one).

    Raises IntegrityError as Django's insert does (a unique index refusing a row, say)."""
    if not objs:
        return
    if bool(unique_fields) != bool(update_fields):
        raise TypeError("insert_rows takes both unique_fields and update_fields, or neither")
    model = type(objs[0])
    connection = connections[alias]
    sql, fields, returning = _statement(model, len(objs), alias, unique_fields, update_fields)
    params = []
    for obj in objs:
        if type(obj) is not model:
            raise TypeError("insert_rows takes instances of one model")
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"{field.name}: insert_rows takes plain values, not expressions")
            params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            for obj, (key,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = key
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
