"""Rate counters, resend keys and the outbox copy now belong to the shared app (same tables);
a household's port is shared.Port (same table, same column). State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0011_one_form_per_phone"),
        ("shared", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="household",
                    name="preferred_port",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="households", to="shared.port"
                    ),
                ),
                migrations.DeleteModel(name="IdempotencyKey"),
                migrations.DeleteModel(name="OutboundMessage"),
                migrations.DeleteModel(name="RateCounter"),
            ],
            database_operations=[],
        ),
    ]
