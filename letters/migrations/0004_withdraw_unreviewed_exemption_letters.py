"""Exemption letters signed before the rules and operator review existed are withdrawn: one could
say "child travelling alone" for an adult. Old appointment letters get the end of their validity."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

REASON = "issued before each case's rule and operator approval were required"


def forwards(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    Letter.objects.filter(serial="", appointment__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=REASON
    )
    for letter in Letter.objects.filter(serial="", appointment__isnull=False, valid_until__isnull=True).select_related(
        "appointment__port"
    ):
        grace = dt.timedelta(minutes=letter.appointment.port.grace_minutes)
        Letter.objects.filter(pk=letter.pk).update(valid_until=letter.appointment.window_end + grace)


class Migration(migrations.Migration):
    dependencies = [("letters", "0003_exemption_request")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
