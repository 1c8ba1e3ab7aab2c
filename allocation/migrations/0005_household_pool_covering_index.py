"""A covering index so the daily draw reads the whole waiting pool from the index alone, already in
priority order (one sequential pass instead of a million table lookups). It lives here, beside the
query that needs it (allocation.pool.POOL_SQL), rather than in the registrations models."""

from django.db import migrations

NAME = "household_allocation_pool"
SQL = {
    "postgresql": f"CREATE INDEX IF NOT EXISTS {NAME} ON registrations_household "
    "(status, preferred_port_id, registered_at, id) INCLUDE (size, reference)",
    "sqlite": f"CREATE INDEX IF NOT EXISTS {NAME} ON registrations_household "
    "(status, preferred_port_id, registered_at, id, size, reference)",
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in SQL:
        schema_editor.execute(SQL[vendor])
    if vendor == "postgresql":
        # Snapshots are ~20 MB of mostly random references: compressing them on write only costs time.
        schema_editor.execute("ALTER TABLE allocation_runinputs ALTER COLUMN snapshot SET STORAGE EXTERNAL")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("allocation", "0004_policy_version_1"), ("registrations", "0003_vulnerability_request")]
    operations = [migrations.RunPython(create, drop)]
