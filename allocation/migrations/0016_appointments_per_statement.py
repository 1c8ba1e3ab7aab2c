"""Appointments raise their household's page_version once per statement, like the household's other parts
(registrations 0016, which says why and defines the function), instead of once per row. The draw writes its
appointments in bulk. 0015's row function has no trigger left on it after this one, so it goes too."""

from django.db import migrations

TABLE = "allocation_appointment"
TRIGGERS = [
    f"""CREATE TRIGGER {TABLE}_page_added AFTER INSERT ON {TABLE}
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cita_household_parts_changed()""",
    f"""CREATE TRIGGER {TABLE}_page_changed AFTER UPDATE ON {TABLE}
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION cita_household_parts_changed()""",
    f"""CREATE TRIGGER {TABLE}_page_removed AFTER DELETE ON {TABLE}
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cita_household_parts_changed()""",
]
# As registrations 0015 made it, for going back.
ROW_FUNCTION = """CREATE FUNCTION cita_household_part_changed() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE registrations_household SET page_version = page_version + 1 WHERE id = OLD.household_id;
      END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.household_id <> OLD.household_id) THEN
        UPDATE registrations_household SET page_version = page_version + 1 WHERE id = NEW.household_id;
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql"""
ROW_TRIGGER = f"""CREATE TRIGGER {TABLE}_page_changed AFTER INSERT OR UPDATE OR DELETE ON {TABLE}
      FOR EACH ROW EXECUTE FUNCTION cita_household_part_changed()"""


def per_statement(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite keeps its row triggers (no statement triggers there)
    schema_editor.execute(f"DROP TRIGGER {TABLE}_page_changed ON {TABLE}", params=None)
    for sql in TRIGGERS:
        schema_editor.execute(sql, params=None)
    schema_editor.execute("DROP FUNCTION cita_household_part_changed()", params=None)


def per_row(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in ("added", "changed", "removed"):
        schema_editor.execute(f"DROP TRIGGER {TABLE}_page_{event} ON {TABLE}", params=None)
    schema_editor.execute(ROW_FUNCTION, params=None)
    schema_editor.execute(ROW_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0015_kept_status_page"),
        ("registrations", "0016_household_parts_per_statement"),
    ]

    operations = [migrations.RunPython(per_statement, per_row)]
