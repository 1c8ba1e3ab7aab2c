"""The kept status pages, and appointments raising their household's page_version like the household's
other parts (registrations 0015, which defines the PostgreSQL trigger function)."""


import django.db.models.deletion
from django.db import migrations, models


POSTGRESQL = [
    """CREATE TRIGGER allocation_appointment_page_changed AFTER INSERT OR UPDATE OR DELETE ON allocation_appointment
      FOR EACH ROW EXECUTE FUNCTION cita_household_part_changed()"""
]
POSTGRESQL_UNDO = ["DROP TRIGGER allocation_appointment_page_changed ON allocation_appointment"]
SQLITE = [
    """CREATE TRIGGER allocation_appointment_page_added AFTER INSERT ON allocation_appointment FOR EACH ROW
    BEGIN UPDATE registrations_household SET page_version = page_version + 1 WHERE id = NEW.household_id; END""",
    """CREATE TRIGGER allocation_appointment_page_changed AFTER UPDATE ON allocation_appointment FOR EACH ROW
    BEGIN UPDATE registrations_household SET page_version = page_version + 1
      WHERE id IN (OLD.household_id, NEW.household_id); END""",
    """CREATE TRIGGER allocation_appointment_page_removed AFTER DELETE ON allocation_appointment FOR EACH ROW
    BEGIN UPDATE registrations_household SET page_version = page_version + 1 WHERE id = OLD.household_id; END""",
]
SQLITE_UNDO = [
    "DROP TRIGGER allocation_appointment_page_added",
    "DROP TRIGGER allocation_appointment_page_changed",
    "DROP TRIGGER allocation_appointment_page_removed",
]
SQL = {"postgresql": (POSTGRESQL, POSTGRESQL_UNDO), "sqlite": (SQLITE, SQLITE_UNDO)}


def add(apps, schema_editor) -> None:
    for statement in SQL[schema_editor.connection.vendor][0]:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor) -> None:
    for statement in SQL[schema_editor.connection.vendor][1]:
        schema_editor.execute(statement, params=None)



class Migration(migrations.Migration):

    dependencies = [
        ('allocation', '0014_appointment_status_reason_index'),
        ('registrations', '0015_household_page_version'),
    ]

    operations = [
        migrations.CreateModel(
            name='KeptStatusPage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(max_length=10)),
                ('page_version', models.PositiveBigIntegerField()),
                ('latest_draw', models.PositiveIntegerField()),
                ('latest_shown_draw', models.PositiveIntegerField()),
                ('made_at', models.DateTimeField()),
                ('sealed', models.BinaryField(help_text='The page, compressed and encrypted.')),
                ('household', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registrations.household')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('household', 'language'), name='one_kept_page_per_language')],
            },
        ),
        migrations.RunPython(add, remove),
    ]
