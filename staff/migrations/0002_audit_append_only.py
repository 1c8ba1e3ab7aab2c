"""The audit log is append-only: the database itself refuses UPDATE and DELETE on it, so no
code path in the application (or a mistaken admin action) can rewrite history."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER staff_audit_no_update BEFORE UPDATE ON staff_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    "CREATE TRIGGER staff_audit_no_delete BEFORE DELETE ON staff_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
POSTGRESQL = [
    "CREATE FUNCTION staff_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER staff_audit_no_change BEFORE UPDATE OR DELETE ON staff_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION staff_audit_append_only();",
]


def add_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER staff_audit_no_update")
        schema_editor.execute("DROP TRIGGER staff_audit_no_delete")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER staff_audit_no_change ON staff_auditentry")
        schema_editor.execute("DROP FUNCTION staff_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_initial")]
    operations = [migrations.RunPython(add_triggers, remove_triggers)]
