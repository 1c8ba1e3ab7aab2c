"""The audit log now belongs to the shared app (same table, same append-only triggers). State only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0007_authenticator_app_names"),
        ("shared", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
