"""Organisations and their household links moved to registrations (same tables); staff profiles
and help tickets point at registrations.Organisation. State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0008_audit_moved_to_shared"),
        ("registrations", "0013_organisations_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="staffprofile",
                    name="organisation",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="registrations.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="helpticket",
                    name="organisation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="registrations.organisation",
                    ),
                ),
                migrations.DeleteModel(name="OrganisationHousehold"),
                migrations.DeleteModel(name="Organisation"),
            ],
            database_operations=[],
        ),
    ]
