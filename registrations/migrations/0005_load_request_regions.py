import datetime as dt

from django.db import migrations

from registrations.gazetteer import gazetteer_rows

# Northern and central Mexico from the start of CBP One (12 January 2023); Chiapas and
# Tabasco from the expansion CBP announced on 4 August 2024 (seeds/news-expansion-chiapas-2024.txt).
LAUNCH = dt.date(2023, 1, 12)
SOUTHERN_EXPANSION = dt.date(2024, 8, 4)
NOT_ACCEPTED = {"OA", "GR", "CA", "YU", "QR"}
LATER = {"CS": SOUTHERN_EXPANSION, "TB": SOUTHERN_EXPANSION}


def load_regions(apps, schema_editor):
    RequestRegion = apps.get_model("registrations", "RequestRegion")
    states = {row["state_code"]: row["state_name"] for row in gazetteer_rows()}
    for code, name in states.items():
        since = None if code in NOT_ACCEPTED else LATER.get(code, LAUNCH)
        note = "Added in the southern expansion of 2024" if code in LATER else ""
        RequestRegion.objects.update_or_create(
            state_code=code, defaults={"state_name": name, "accepted_since": since, "note": note}
        )


class Migration(migrations.Migration):
    dependencies = [("registrations", "0004_request_region")]
    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
