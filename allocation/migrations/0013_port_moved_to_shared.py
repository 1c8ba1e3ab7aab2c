"""Ports now belong to the shared app (same table, same rows): appointments and capacity changes
point at shared.Port. State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0012_verbose_names"),
        ("shared", "0001_initial"),
        ("registrations", "0012_shared_records_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="appointment",
                    name="port",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="shared.port",
                        verbose_name="port",
                    ),
                ),
                migrations.AlterField(
                    model_name="capacityoverride",
                    name="port",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="capacity_overrides",
                        to="shared.port",
                        verbose_name="port",
                    ),
                ),
                migrations.DeleteModel(name="Port"),
            ],
            database_operations=[],
        ),
    ]
