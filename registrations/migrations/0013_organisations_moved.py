"""Organisations and the links that let one see a household now belong to registrations (same
tables: staff_organisation, staff_organisationhousehold). State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0012_shared_records_moved"),
        ("staff", "0008_audit_moved_to_shared"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Organisation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("name", models.CharField(max_length=200, unique=True)),
                        ("city", models.CharField(blank=True, max_length=100)),
                    ],
                    options={"db_table": "staff_organisation"},
                ),
                migrations.CreateModel(
                    name="OrganisationHousehold",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("registered", "Registered by this organisation"),
                                    ("shared", "Shared by the household"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "household",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="organisation_links",
                                to="registrations.household",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="household_links",
                                to="registrations.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "staff_organisationhousehold",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("organisation", "household"), name="one_link_per_org_household"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
