from django.db import migrations

from allocation.ports import CLOSES_AT, OPENS_AT, PORTS


def load_ports(apps, schema_editor):
    Port = apps.get_model("allocation", "Port")
    for port in PORTS:
        Port.objects.update_or_create(
            code=port["code"], defaults={**port, "opens_at": OPENS_AT, "closes_at": CLOSES_AT}
        )


class Migration(migrations.Migration):
    dependencies = [("allocation", "0001_initial")]
    operations = [migrations.RunPython(load_ports, migrations.RunPython.noop)]
