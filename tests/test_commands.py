"""Every management command is run at least once by a test, for what an operator would notice."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command, get_commands
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from allocation.models import AllocationRun, Appointment
from housekeeping.management.commands.load_demo import DEMO_PASSWORD
from notifications.models import Notification
from registrations.models import Applicant, Household, SigninCode
from shared.encryption import blind_index
from shared.models import OutboundMessage
from staff.models import StaffProfile
from tests.conftest import FAMILY, household_post, sign_in

ROOT = Path(settings.BASE_DIR)


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_every_command_of_ours_is_called_by_some_test():
    ours = {name for name, app in get_commands().items() if (ROOT / app.replace(".", "/")).is_dir()}
    called = set()
    for test_file in (ROOT / "tests").rglob("*.py"):
        called |= set(re.findall(r"""(?:call_command|run)\(\s*["']([a-z_]+)["']""", test_file.read_text()))
    assert ours, "no command found: the look-up is broken"
    assert sorted(ours - called) == []


@pytest.mark.django_db
def test_generate_households_makes_repeatable_waiting_households():
    assert "Created 40 waiting households" in run("generate_households", "--count", "40", "--seed", "3", "--members")
    assert Household.objects.filter(status=Household.Status.WAITING).count() == 40
    assert sum(h.members.count() for h in Household.objects.all()) == sum(h.size for h in Household.objects.all())


@pytest.mark.django_db
def test_send_notifications_tells_an_offered_household_once(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    household = Household.objects.get()
    day = timezone.localdate() + dt.timedelta(days=1)
    run("allocate", "--date", day.isoformat(), "--seed", "commands")
    assert Appointment.objects.filter(household=household).exists()
    first = run("send_notifications")
    assert re.search(r"queued: [1-9]", first), first
    told = Notification.objects.filter(household=household)
    assert told.exists() and not told.filter(status=Notification.Status.PENDING).exists()
    assert "queued: 0" in run("send_notifications")  # each event once
    assert Notification.objects.filter(household=household).count() == told.count()


@pytest.mark.django_db
def test_purge_deletes_codes_and_outbox_copies_older_than_a_day(maria):
    assert SigninCode.objects.exists() and OutboundMessage.objects.exists()
    fresh = run("purge")
    assert "signin codes: 0" in fresh and SigninCode.objects.exists()
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    SigninCode.objects.update(created_at=two_days_ago)
    OutboundMessage.objects.update(created_at=two_days_ago)
    output = run("purge")
    assert "signin codes: 1" in output and "outbox copies:" in output
    assert not SigninCode.objects.exists() and not OutboundMessage.objects.exists()


@pytest.mark.django_db
def test_create_staff_makes_an_account_whose_authenticator_signs_in(settings):
    output = run("create_staff", "lucia", "--role", "ngo", "--organisation", "Albergue Juárez")
    assert "otpauth://totp/" in output and "changepassword lucia" in output
    profile = StaffProfile.objects.select_related("organisation", "user").get(user__username="lucia")
    assert profile.role == "ngo" and profile.organisation.name == "Albergue Juárez"
    assert not profile.user.has_usable_password()  # set later, never on the command line
    with pytest.raises(CommandError, match="already exists"):
        run("create_staff", "lucia", "--role", "operator")
    with pytest.raises(CommandError, match="need --organisation"):
        run("create_staff", "pedro", "--role", "ngo")

    # The demo's helper prints the authenticator's code, and that code signs in.
    profile.user.set_password("correct horse battery")
    profile.user.save()
    with pytest.raises(CommandError, match="is not a demo account"):  # a real password: no code printed
        run("demo_staff_code", "lucia")
    profile.user.set_password(DEMO_PASSWORD)
    profile.user.save()
    code = run("demo_staff_code", "lucia").strip()
    device = TOTPDevice.objects.get(user=profile.user)
    assert code == f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = Client().post("/staff/login", {"username": "lucia", "password": DEMO_PASSWORD, "otp_token": code})
    assert response.status_code == 302 and not response["Location"].startswith("/staff/login")


@pytest.mark.django_db
def test_load_demo_gives_a_first_look_and_is_safe_to_run_twice():
    output = run("load_demo")
    assert "Demo data ready" in output and "demo_staff_code rosa" in output
    users = get_user_model().objects
    assert users.filter(username="rosa", staff_profile__role="ngo").exists()
    assert users.filter(username="olga", staff_profile__role="operator").exists()
    households = Household.objects.count()
    assert households >= 2000
    assert AllocationRun.objects.filter(status=AllocationRun.Status.COMPLETED).count() == 1
    offered = Appointment.objects.count()
    assert offered > 0
    run("load_demo")
    assert Household.objects.count() == households and Appointment.objects.count() == offered


@pytest.mark.django_db
def test_rekey_persons_keeps_sign_in_and_duplicate_checks_working_under_a_new_key(
    settings, maria, matamoros, brownsville
):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville, contact_phone="+52 868 999 0000"))
    household = Household.objects.get()
    settings.PERSON_KEY_SECRET = "a-new-person-key"
    assert not Applicant.objects.filter(address_index=Applicant.index_of("+528681234567")).exists()  # lost

    output = run("rekey_persons")
    assert "people: 2" in output and "sign-in addresses: 1" in output
    phone = Client()
    sign_in(phone, "+528681234567")  # found again: her household, not a new account
    assert household.reference in phone.get("/household").content.decode()
    assert Household.objects.filter(contact_phone_index=blind_index("address", "+528689990000")).get() == household
    again = Client()
    sign_in(again, "+528687777777")
    response = again.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville, key="again"))
    assert "already registered in another household" in response.content.decode()
    assert Household.objects.count() == 1
