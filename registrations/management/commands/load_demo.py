"""Demo data for a first look: an operator account and a few households at different ports."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from allocation.models import Port
from registrations.households import HouseholdDetails, MemberData, register_household
from registrations.idempotency import payload_hash
from registrations.models import Applicant, Household, Place

DEMO_HOUSEHOLDS = [
    ("+528681000001", "Matamoros", "brownsville", [
        ("María José", "Pérez Rojas", dt.date(1990, 4, 12), "VE", "F", "head"),
        ("Luis", "Pérez Rojas", dt.date(1988, 9, 1), "VE", "M", "partner"),
        ("Ana", "Pérez Rojas", dt.date(2015, 1, 20), "VE", "F", "child"),
    ]),
    ("+528991000002", "Reynosa", "hidalgo", [
        ("Jean", "Baptiste", dt.date(1985, 2, 3), "HT", "M", "head"),
        ("Marie", "Baptiste", dt.date(2019, 7, 14), "HT", "F", "child"),
    ]),
    ("+526641000003", "Tijuana", "san-ysidro", [("Irina", "Volkova", dt.date(1993, 11, 30), "RU", "F", "head")]),
    ("demo.chen@example.com", "Ciudad Juárez", "el-paso", [("Wei", "Chen", dt.date(1979, 5, 5), "CN", "M", "head")]),
]


class Command(BaseCommand):
    help = "Load demo households and an operator account (idempotent: safe to run twice)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        if not user_model.objects.filter(username="operator").exists():
            user_model.objects.create_superuser("operator", password="demo-operator-password")
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
        self.stdout.write(f"Demo data ready: {Port.objects.count()} ports, {Household.objects.count()} households.")
