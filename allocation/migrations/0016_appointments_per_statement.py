"""Appointments raise their household's page_version once per statement, like the household's other parts
(registrations 0016, which says why and defines the function and the triggers), instead of once per row. The
draw writes its appointments in bulk. 0015's row function has no trigger left on it after this one, so it goes
too."""

from importlib import import_module

from django.db import migrations

TABLE = "allocation_appointment"
PARTS = import_module("registrations.migrations.0016_household_parts_per_statement")
# For going back: the row function as registrations 0015 made it (its third statement).
ROW_FUNCTION = import_module("registrations.migrations.0015_household_page_version").POSTGRESQL[2]


def per_statement(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite keeps its row triggers (no statement triggers there)
    schema_editor.execute(f"DROP TRIGGER {TABLE}_page_changed ON {TABLE}", params=None)
    for sql in PARTS.TRIGGERS:
        schema_editor.execute(sql.format(table=TABLE), params=None)
    schema_editor.execute("DROP FUNCTION cita_household_part_changed()", params=None)


def per_row(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in PARTS.DROP_TRIGGERS:
        schema_editor.execute(sql.format(table=TABLE), params=None)
    schema_editor.execute(ROW_FUNCTION, params=None)
    schema_editor.execute(PARTS.ROW_TRIGGER.format(table=TABLE), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0015_kept_status_page"),
        ("registrations", "0016_household_parts_per_statement"),
    ]

    operations = [migrations.RunPython(per_statement, per_row)]
