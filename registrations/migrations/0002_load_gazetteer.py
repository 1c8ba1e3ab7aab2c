from django.db import migrations

from registrations.gazetteer import gazetteer_rows


def load_gazetteer(apps, schema_editor):
    Place = apps.get_model("registrations", "Place")
    for row in gazetteer_rows():
        Place.objects.update_or_create(state_code=row["state_code"], name=row["name"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("registrations", "0001_initial")]
    operations = [migrations.RunPython(load_gazetteer, migrations.RunPython.noop)]
