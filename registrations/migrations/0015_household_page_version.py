"""Household.page_version, raised by triggers on every change to what the household's status page shows
(issue #18): the household row, its members and its organisation links (its appointments: allocation 0015).
Triggers rather than code, so no path can forget it: bulk updates, the draw's bulk writes, the admin, raw
SQL. The household's own trigger sets the old value plus one, whatever the UPDATE wrote."""

from django.db import migrations, models

PARTS = ["registrations_member", "staff_organisationhousehold"]

POSTGRESQL = [
    """CREATE FUNCTION cita_household_page_changed() RETURNS trigger AS $$
    BEGIN
      NEW.page_version := OLD.page_version + 1;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER household_page_changed BEFORE UPDATE ON registrations_household
      FOR EACH ROW EXECUTE FUNCTION cita_household_page_changed()""",
    # For any table with a household_id (allocation 0015 adds appointments).
    """CREATE FUNCTION cita_household_part_changed() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE registrations_household SET page_version = page_version + 1 WHERE id = OLD.household_id;
      END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.household_id <> OLD.household_id) THEN
        UPDATE registrations_household SET page_version = page_version + 1 WHERE id = NEW.household_id;
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
]
POSTGRESQL_PART = [
    """CREATE TRIGGER {table}_page_changed AFTER INSERT OR UPDATE OR DELETE ON {table}
      FOR EACH ROW EXECUTE FUNCTION cita_household_part_changed()"""
]
POSTGRESQL_UNDO = [
    "DROP TRIGGER household_page_changed ON registrations_household",
    "DROP FUNCTION cita_household_page_changed()",
    "DROP FUNCTION cita_household_part_changed()",
]
POSTGRESQL_PART_UNDO = ["DROP TRIGGER {table}_page_changed ON {table}"]

# SQLite: AFTER triggers write the row again (recursive triggers are off, so the household's own trigger
# does not fire itself); OLD.page_version + 1 undoes a stale value written by save().
SQLITE = [
    """CREATE TRIGGER household_page_changed AFTER UPDATE ON registrations_household FOR EACH ROW
    BEGIN UPDATE registrations_household SET page_version = OLD.page_version + 1 WHERE id = NEW.id; END"""
]
SQLITE_PART = [
    """CREATE TRIGGER {table}_page_added AFTER INSERT ON {table} FOR EACH ROW
    BEGIN UPDATE registrations_household SET page_version = page_version + 1 WHERE id = NEW.household_id; END""",
    """CREATE TRIGGER {table}_page_changed AFTER UPDATE ON {table} FOR EACH ROW
    BEGIN UPDATE registrations_household SET page_version = page_version + 1
      WHERE id IN (OLD.household_id, NEW.household_id); END""",
    """CREATE TRIGGER {table}_page_removed AFTER DELETE ON {table} FOR EACH ROW
    BEGIN UPDATE registrations_household SET page_version = page_version + 1 WHERE id = OLD.household_id; END""",
]
SQLITE_UNDO = ["DROP TRIGGER household_page_changed"]
SQLITE_PART_UNDO = ["DROP TRIGGER {table}_page_added", "DROP TRIGGER {table}_page_changed", "DROP TRIGGER {table}_page_removed"]

SQL = {  # vendor: (own, for each part, undo own, undo each part)
    "postgresql": (POSTGRESQL, POSTGRESQL_PART, POSTGRESQL_UNDO, POSTGRESQL_PART_UNDO),
    "sqlite": (SQLITE, SQLITE_PART, SQLITE_UNDO, SQLITE_PART_UNDO),
}


def add(apps, schema_editor) -> None:
    own, part, _undo, _undo_part = SQL[schema_editor.connection.vendor]
    for statement in own + [sql.format(table=table) for table in PARTS for sql in part]:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor) -> None:
    _own, _part, undo, undo_part = SQL[schema_editor.connection.vendor]
    for statement in [sql.format(table=table) for table in PARTS for sql in undo_part] + undo:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("registrations", "0014_account_sessions")]

    operations = [
        migrations.AddField(
            model_name="household",
            name="page_version",
            field=models.PositiveBigIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(add, remove),
    ]
