"""Create a staff account with its second factor, and print what the person needs to set it up."""

import io

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrations.models import Organisation
from staff.models import StaffProfile


class Command(BaseCommand):
    help = (
        "Create an NGO staff member (--organisation) or an operator, with a TOTP authenticator. Prints the "
        "otpauth:// link and a QR code to scan once with an authenticator app. The password is asked for "
        "by `changepassword` afterwards, never passed on the command line."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=["ngo", "operator"], required=True)
        parser.add_argument("--organisation", help="The NGO's name (created if new); NGO staff only.")

    @transaction.atomic
    def handle(self, *args, username: str, role: str, organisation: str | None, **options) -> None:
        if (role == "ngo") != bool(organisation):
            raise CommandError("NGO staff need --organisation; operators have none.")
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"{username} already exists.")
        user = user_model.objects.create_user(username, is_staff=role == "operator", is_superuser=role == "operator")
        user.set_unusable_password()
        user.save()
        org = Organisation.objects.get_or_create(name=organisation)[0] if organisation else None
        StaffProfile.objects.create(user=user, role=role, organisation=org)
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        self.stdout.write(f"Created {role} {username}. Scan this in an authenticator app:\n{device.config_url}")
        buffer = io.StringIO()
        segno.make(device.config_url).terminal(out=buffer, compact=True)
        self.stdout.write(buffer.getvalue())
        self.stdout.write(f"Then set a password: python manage.py changepassword {username}")
