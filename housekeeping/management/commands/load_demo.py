"""Demo data for a first look: staff accounts, named households, a synthetic queue and a draw."""

import datetime as dt
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from allocation.runs import allocate_date
from allocation.synthetic import generate_households
from registrations.households import HouseholdDetails, MemberData, register_household
from registrations.models import Applicant, Household, Organisation, Place
from shared.idempotency import payload_hash
from shared.models import Port
from staff.models import StaffProfile

DEMO_PASSWORD = "demo-password-not-for-production"  # noqa: S105 (demo data, printed on screen)

DEMO_HOUSEHOLDS = [
    (
        "+528681000001",
        "Matamoros",
        "brownsville",
        [
            ("María José", "Pérez Rojas", dt.date(1990, 4, 12), "VE", "F", "head"),
            ("Luis", "Pérez Rojas", dt.date(1988, 9, 1), "VE", "M", "partner"),
            ("Ana", "Pérez Rojas", dt.date(2015, 1, 20), "VE", "F", "child"),
        ],
    ),
    (
        "+528991000002",
        "Reynosa",
        "hidalgo",
        [
            ("Jean", "Baptiste", dt.date(1985, 2, 3), "HT", "M", "head"),
            ("Marie", "Baptiste", dt.date(2019, 7, 14), "HT", "F", "child"),
        ],
    ),
    ("+526641000003", "Tijuana", "san-ysidro", [("Irina", "Volkova", dt.date(1993, 11, 30), "RU", "F", "head")]),
    ("demo.chen@example.com", "Ciudad Juárez", "el-paso", [("Wei", "Chen", dt.date(1979, 5, 5), "CN", "M", "head")]),
]


class Command(BaseCommand):
    help = (
        "Load demo data: staff rosa (NGO) and olga (operator), four named households, 2,000 synthetic waiting "
        "households, and tomorrow's draw. Safe to run twice. Never on production data."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            self._staff()
            self._households()
        if Household.objects.count() < 500:
            generate_households(2000, seed=2023, days=120, members=True)
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        allocate_date(tomorrow, seed=f"demo-seed-{tomorrow.isoformat()}")
        self.stdout.write(
            f"Demo data ready: {Port.objects.count()} ports, {Household.objects.count()} households, "
            f"a draw for {tomorrow}. Staff: rosa (NGO), olga (operator), password {DEMO_PASSWORD}; "
            f"their 6-digit code: {sys.executable} {settings.BASE_DIR / 'manage.py'} demo_staff_code rosa"
        )

    def _staff(self) -> None:
        users = get_user_model()
        casa = Organisation.objects.get_or_create(name="Casa del Migrante (demo)", defaults={"city": "Matamoros"})[0]
        for username, role, org in (("rosa", "ngo", casa), ("olga", "operator", None)):
            if users.objects.filter(username=username).exists():
                continue
            user = users.objects.create_user(
                username, password=DEMO_PASSWORD, is_staff=role == "operator", is_superuser=role == "operator"
            )
            StaffProfile.objects.create(user=user, role=role, organisation=org)
            TOTPDevice.objects.create(user=user, name="demo", confirmed=True)

    def _households(self) -> None:
        for address, place_name, port_code, members in DEMO_HOUSEHOLDS:
            applicant, _created = Applicant.objects.get_or_create(
                address_index=Applicant.index_of(address), defaults={"address": address}
            )
            if Household.objects.filter(applicant=applicant).exists():
                continue
            details = HouseholdDetails(
                current_place=Place.objects.get(name=place_name),
                preferred_port_id=Port.objects.get(code=port_code).pk,
                contact_phone=address if address.startswith("+") else "",
                contact_email=address if "@" in address else "",
                language="es",
            )
            people = [MemberData(g, f, born, nat, sex, rel) for g, f, born, nat, sex, rel in members]
            register_household(applicant, details, people, key=f"demo-{address}", request_hash=payload_hash([]))
