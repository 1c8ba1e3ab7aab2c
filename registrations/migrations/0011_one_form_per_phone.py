"""Stored phone numbers rewritten the one way shared.addresses now writes them.

Before, `044 868 123 4567` was stored as +0448681234567 and `+52 1 868 …` kept its 1, so one phone
could be two identities. Each number is parsed again; its blind index is computed again with it
(the index is what sign-in and the reuse queue look up). A number that cannot be parsed is left as
it is. An account whose number, written the one way, is already another account's is left as it
is too (two accounts cannot be merged here): its owner reaches it with a recovery code, as after a
lost phone. The counts are printed.
"""

from django.db import migrations

from shared.addresses import ImpossiblePhone, NotAPhone, parse_phone
from shared.encryption import blind_index


def _one_way(number: str) -> str | None:
    if number.startswith("+0"):
        number = number[1:]  # typed nationally (044 868 …) and stored with a "+" in front
    try:
        return parse_phone(number)
    except (ImpossiblePhone, NotAPhone):
        return None


def normalise(apps, schema_editor):
    Applicant = apps.get_model("registrations", "Applicant")
    Household = apps.get_model("registrations", "Household")
    taken = set(Applicant.objects.exclude(address_index=None).values_list("address_index", flat=True))
    changed = kept = 0
    for applicant in Applicant.objects.exclude(address_index=None).iterator(chunk_size=2000):
        if "@" in applicant.address:
            continue
        number = _one_way(applicant.address)
        if number is None or number == applicant.address:
            continue
        index = blind_index("address", number)
        if index in taken:
            kept += 1
            continue
        taken.discard(applicant.address_index)
        taken.add(index)
        Applicant.objects.filter(pk=applicant.pk).update(address=number, address_index=index)
        changed += 1
    contacts = 0
    for household in Household.objects.exclude(contact_phone_index="").iterator(chunk_size=2000):
        number = _one_way(household.contact_phone)
        if number is not None and number != household.contact_phone:
            Household.objects.filter(pk=household.pk).update(
                contact_phone=number, contact_phone_index=blind_index("address", number)
            )
            contacts += 1
    if changed or kept or contacts:
        print(f"\n  phones: {changed} sign-in numbers and {contacts} contact numbers rewritten; {kept} left as they were")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0010_security_alerts_and_session_bound_codes")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
