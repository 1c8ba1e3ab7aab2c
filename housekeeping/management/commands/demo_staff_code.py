"""Print a demo staff member's current sign-in code: only for an account whose password is the
public demo password, so it gives nothing away that the printed password did not already."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from housekeeping.management.commands.load_demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Demo only: print the current 6-digit code of a demo staff member (rosa or olga) for the staff sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.check_password(DEMO_PASSWORD):
            raise CommandError(f"{username} is not a demo account (the demo accounts are rosa and olga).")
        device = TOTPDevice.objects.filter(user=user).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator.")
        self.stdout.write(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
