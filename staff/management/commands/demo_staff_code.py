"""Print a demo staff member's current sign-in code. Refuses to run outside DEBUG (demo only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Demo only (DEBUG=true): print the current 6-digit code of a demo staff member's authenticator."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("This command only works in the demo (DEBUG=true).")
        device = TOTPDevice.objects.filter(user__username=username).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator.")
        self.stdout.write(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
