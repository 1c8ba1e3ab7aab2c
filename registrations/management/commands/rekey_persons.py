"""Recompute every keyed hash after PERSON_KEY_SECRET changed, from the encrypted values."""

from django.core.management.base import BaseCommand
from django.db import transaction

from registrations.models import Applicant, Household, Member, SigninCode
from registrations.persons import person_key
from shared.encryption import blind_index
from shared.models import OutboundMessage

BATCH = 1000


class Command(BaseCommand):
    help = (
        "Run once after changing PERSON_KEY_SECRET (old FIELD_ENCRYPTION_KEYS still readable): recompute the "
        "duplicate-person key of every person and the look-up hashes of every sign-in address, contact phone "
        "and email and outbox copy, in one transaction. Unused sign-in codes are deleted: they can only be "
        "found by the old key (people ask for a new code). Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            counts = {
                "people": self.people(),
                "sign-in addresses": self.applicants(),
                "households' contacts": self.households(),
                "outbox copies": self.outbox(),
                "sign-in codes deleted": SigninCode.objects.all().delete()[0],
            }
        for what, count in counts.items():
            self.stdout.write(f"{what}: {count}")

    def people(self) -> int:
        changed = []
        for member in Member.objects.iterator(chunk_size=BATCH):
            member.person_key = person_key(
                member.given_names, member.family_names, member.date_of_birth, member.nationality
            )
            changed.append(member)
        Member.objects.bulk_update(changed, ["person_key"], batch_size=BATCH)
        return len(changed)

    def applicants(self) -> int:
        changed = []
        for applicant in Applicant.objects.exclude(address_index=None).iterator(chunk_size=BATCH):
            if applicant.address:
                applicant.address_index = Applicant.index_of(applicant.address)
                changed.append(applicant)
        Applicant.objects.bulk_update(changed, ["address_index"], batch_size=BATCH)
        return len(changed)

    def households(self) -> int:
        changed = []
        for household in Household.objects.exclude(contact_phone_index="", contact_email_index="").iterator(
            chunk_size=BATCH
        ):
            household.contact_phone_index = (
                blind_index("address", household.contact_phone) if household.contact_phone else ""
            )
            household.contact_email_index = (
                blind_index("address", household.contact_email) if household.contact_email else ""
            )
            changed.append(household)
        Household.objects.bulk_update(changed, ["contact_phone_index", "contact_email_index"], batch_size=BATCH)
        return len(changed)

    def outbox(self) -> int:
        changed = []
        for message in OutboundMessage.objects.iterator(chunk_size=BATCH):
            message.address_index = blind_index("address", message.address)
            changed.append(message)
        OutboundMessage.objects.bulk_update(changed, ["address_index"], batch_size=BATCH)
        return len(changed)
