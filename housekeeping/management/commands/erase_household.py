from django.core.management.base import BaseCommand, CommandError

from housekeeping.retention import erase_household
from registrations.models import Household
from registrations.references import normalise_reference


class Command(BaseCommand):
    help = (
        "Erase a household's personal data on request: members, contacts, letters, messages and notes. "
        "A tombstone (reference, registration time, size, port) stays for anonymous statistics."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference")

    def handle(self, *args, reference: str, **options) -> None:
        normalised = normalise_reference(reference)
        household = Household.objects.filter(reference=normalised).first() if normalised else None
        if household is None:
            raise CommandError(f"No household has the reference {reference!r}.")
        erase_household(household)
        self.stdout.write(f"Erased the personal data of {household.reference}.")
