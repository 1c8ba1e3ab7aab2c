"""A covering index so the daily draw reads the whole waiting pool from the index alone, already in
priority order (one sequential pass instead of a million table lookups). It is declared beside the
query that needs it (allocation.pool), and put back after every migrate (allocation.apps)."""

from django.db import migrations

from allocation.pool import POOL_INDEX, POOL_INDEX_SQL


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in POOL_INDEX_SQL:
        schema_editor.execute(POOL_INDEX_SQL[vendor])
    if vendor == "postgresql":
        # Snapshots are ~20 MB of mostly random references: compressing them on write only costs time.
        schema_editor.execute("ALTER TABLE allocation_runinputs ALTER COLUMN snapshot SET STORAGE EXTERNAL")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {POOL_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("allocation", "0004_policy_version_1"), ("registrations", "0003_vulnerability_request")]
    operations = [migrations.RunPython(create, drop)]
