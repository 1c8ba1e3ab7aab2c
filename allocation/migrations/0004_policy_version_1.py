import datetime as dt

from django.db import migrations


def create_policy(apps, schema_editor):
    AllocationPolicy = apps.get_model("allocation", "AllocationPolicy")
    AllocationPolicy.objects.get_or_create(
        version=1,
        defaults={
            "waiting_share": 60,
            "lottery_share": 30,
            "reserved_share": 10,
            "lottery_weighting": "uniform",
            "skew_threshold": 20,
            "effective_from": dt.date(2024, 1, 1),
            "notes": "Default: 10% reserved for approved vulnerable cases, 60% by waiting time, 30% by lottery.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("allocation", "0003_allocation_engine")]
    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
