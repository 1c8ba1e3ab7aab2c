"""The household's status page is kept once rendered (allocation/status_page.py) and never shows anything
older than the facts: every change a family, an NGO or the agency makes, by any path, shows at the next
view, on SQLite and on PostgreSQL; the kept copy carries each view's own form token; and nothing is kept
longer than it can be shown, or after the household is erased."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from allocation import status_page
from allocation.models import AllocationPolicy, AllocationRun, Appointment, KeptStatusPage
from housekeeping.retention import erase_household, purge
from registrations.models import Household, Member, Organisation, OrganisationHousehold
from tests.conftest import FAMILY, form_token, household_post, member_fields, sign_in


def view(client) -> tuple[str, bool]:
    """The page, and whether it was rendered for this view (rather than shown from the kept copy)."""
    response = client.get("/household")
    assert response.status_code == 200
    return response.content.decode(), bool(response.templates)


def _main(page: str) -> str:
    """The page's own part, without the form tokens (masked anew on every view)."""
    main = page[page.index('<main id="main">') : page.index("</main>")]
    return main.replace(form_token(main), "")


@pytest.mark.django_db
def test_every_change_shows_at_the_next_view_and_nothing_else_renders_the_page_again(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    page, rendered = view(maria)
    assert rendered and "You are waiting for an appointment." in page
    again, rendered = view(maria)
    assert not rendered and _main(again) == _main(page)

    # A new member, through the family's own form.
    add = {**member_fields("", "Mateo", "Pérez Rojas", "2025-02-02", sex="M"), "idempotency_key": "new-member"}
    maria.post("/household/members/add", add)
    view(maria)  # shows the message "added", so it is not kept
    page, rendered = view(maria)
    assert rendered and "Mateo" in page
    assert not view(maria)[1]

    # A member's name corrected by save(), and another by a bulk update that no Python code sees.
    mateo = next(member for member in Member.objects.all() if member.given_names == "Mateo")
    mateo.given_names = "Matías"
    mateo.save(update_fields=["given_names"])
    page, rendered = view(maria)
    assert rendered and "Matías" in page and "Mateo" not in page
    view(maria)
    Member.objects.filter(pk=mateo.pk).update(is_active=False)
    page, rendered = view(maria)
    assert rendered and "Matías" not in page

    # An NGO the family lets see the household.
    organisation = Organisation.objects.create(name="Casa del Migrante", city="Matamoros")
    OrganisationHousehold.objects.create(organisation=organisation, household=Household.objects.get())
    assert "Casa del Migrante" in view(maria)[0]
    view(maria)
    OrganisationHousehold.objects.filter(organisation=organisation).delete()  # and stops
    page, rendered = view(maria)
    assert rendered and "Casa del Migrante" not in page
    OrganisationHousehold.objects.create(organisation=organisation, household=Household.objects.get())
    assert "Casa del Migrante" in view(maria)[0]

    # The draw, whose bulk writes seat the family.
    view(maria)
    day = timezone.localdate() + dt.timedelta(days=1)
    call_command("allocate", "--date", day.isoformat(), "--seed", "fresh", stdout=open("/dev/null", "w"))
    page = view(maria)[0]
    assert "Your family has an appointment offer" in page and "Confirm: we will come" in page

    # The confirmation, and its message shown once.
    maria.post("/household/appointment/confirm")
    page, rendered = view(maria)
    assert rendered and "Your appointment is confirmed. You can now print your letter." in page
    page, rendered = view(maria)
    assert "Your appointment is confirmed" in page and "You can now print your letter." not in page
    assert "Confirm: we will come" not in page

    # The cancellation, and an operator's bulk change of the appointment.
    maria.post("/household/appointment/cancel")
    view(maria)
    page = view(maria)[0]
    assert "You cancelled your last appointment." in page and "You are waiting for an appointment." in page
    Appointment.objects.update(cancel_reason=Appointment.CancelReason.PORT_CLOSED)
    page, rendered = view(maria)
    assert rendered and "You cancelled your last appointment." not in page


@pytest.mark.django_db
def test_a_household_saved_from_a_stale_copy_still_moves_its_page_on(maria, matamoros, brownsville):
    """save() writes every field, page_version included, from what it read: the trigger counts on."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    stale = Household.objects.get()
    add = {**member_fields("", "Mateo", "Pérez Rojas", "2025-02-02", sex="M"), "idempotency_key": "new-member"}
    maria.post("/household/members/add", add)
    view(maria)  # the message "added"
    view(maria)
    _page, rendered = view(maria)
    assert not rendered
    stale.status = Household.Status.CLOSED
    stale.save()
    assert Household.objects.get().page_version > stale.page_version + 1
    page, rendered = view(maria)
    assert rendered and "You are waiting for an appointment." not in page


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_a_family_registered_at_once_moves_its_page_once_not_once_per_person(maria, matamoros, brownsville):
    """Its members come in one statement, so its household row is written once more, not once a person
    (registrations 0016): at 4 people the row triggers' updates were most of the database's work."""

    def household_updates() -> int:
        with connection.cursor() as cursor:  # this transaction's own counts
            cursor.execute("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'registrations_household'")
            return cursor.fetchone()[0]

    before = household_updates()
    maria.post("/household/new", household_post(FAMILY[:4], matamoros, brownsville))
    assert Household.objects.get().size == 4
    assert household_updates() - before == 1


@pytest.mark.django_db
def test_a_draw_elsewhere_its_hold_and_its_release_show_at_once(maria, matamoros, brownsville):
    """A draw that seats nobody of this family still changes its page: its place in the lottery."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    Household.objects.update(status=Household.Status.CLOSED)  # out of the draw, so the draw leaves it be
    view(maria)
    assert not view(maria)[1]
    version = Household.objects.get().page_version
    AllocationPolicy.objects.update(waiting_share=0, lottery_share=100, reserved_share=0)
    day = timezone.localdate() + dt.timedelta(days=1)
    call_command("allocate", "--date", day.isoformat(), "--seed", "elsewhere", stdout=open("/dev/null", "w"))
    assert Household.objects.get().page_version == version
    page, rendered = view(maria)
    assert rendered and "the lottery did not draw your ticket" in page
    AllocationRun.objects.update(status=AllocationRun.Status.HELD)
    page, rendered = view(maria)
    assert rendered and "the lottery did not draw your ticket" not in page
    AllocationRun.objects.update(status=AllocationRun.Status.RELEASED)
    page, rendered = view(maria)
    assert rendered and "the lottery did not draw your ticket" in page
    assert not view(maria)[1]
    # A later draw held for review: not shown to families, but the pace of the line counts it.
    later = day + dt.timedelta(days=1)
    call_command("allocate", "--date", later.isoformat(), "--seed", "held", stdout=open("/dev/null", "w"))
    AllocationRun.objects.filter(date=later).update(status=AllocationRun.Status.HELD)
    assert view(maria)[1]


@pytest.mark.django_db
def test_a_copy_is_shown_only_to_the_browser_and_sign_in_it_was_made_for_and_its_forms_work(
    maria, matamoros, brownsville
):
    """The copy holds the form token and sign-in mark of the view that made it: shown again only where both are
    still good; another browser (its own CSRF cookie), a new sign-in or another language gets its own page."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    phone = Client(enforce_csrf_checks=True)
    phone.cookies = maria.cookies
    first, (second, rendered) = view(phone)[0], view(phone)
    assert not rendered and second == first
    assert 'data-signin="' in second and 'data-signin=""' not in second
    # A form sent from a kept page is accepted: its token is this browser's.
    assert phone.post("/account/sign-out-elsewhere", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    response = phone.post("/account/sign-out-elsewhere", {"csrfmiddlewaretoken": form_token(second)})
    assert response.status_code == 302
    view(phone)  # its message ("signed out elsewhere") shown once

    # The same session in a browser holding another CSRF cookie: its own page, whose forms work there.
    other_browser = Client(enforce_csrf_checks=True)
    for name, cookie in maria.cookies.items():
        other_browser.cookies[name] = cookie.value
    other_browser.cookies["csrftoken"] = "b" * 32
    page, rendered = view(other_browser)
    again, kept_rendered = view(other_browser)
    assert rendered and not kept_rendered and again == page and form_token(page) != form_token(second)
    response = other_browser.post("/account/sign-out-elsewhere", {"csrfmiddlewaretoken": form_token(again)})
    assert response.status_code == 302

    # A new sign-in on the phone: a new sign-in mark (and a new CSRF secret, here put back as it was), a new page.
    before = view(phone)[0]
    held_secret, mark = phone.cookies["csrftoken"].value, before[before.index('data-signin="') :][:40]
    sign_in(maria, "+528681234567")  # the same cookies as the phone's
    phone.cookies["csrftoken"] = held_secret
    page, rendered = view(phone)
    assert rendered and mark not in page
    assert not view(phone)[1]

    phone.cookies["django_language"] = "es"
    page, rendered = view(phone)
    assert rendered and 'lang="es"' in page


@pytest.mark.django_db
def test_a_copy_is_shown_for_kept_minutes_at_most_and_then_purged(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    view(maria)
    assert not view(maria)[1]
    old = timezone.now() - dt.timedelta(minutes=status_page.KEPT_MINUTES, seconds=1)
    KeptStatusPage.objects.update(made_at=old)
    assert view(maria)[1]
    KeptStatusPage.objects.update(made_at=old)
    assert purge()["kept status pages"] == 1 and not KeptStatusPage.objects.exists()


@pytest.mark.django_db
def test_the_copy_is_sealed_and_erasing_the_household_deletes_it(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    view(maria)
    sealed = bytes(KeptStatusPage.objects.get().sealed)
    assert b"Luis" not in sealed and b"Rojas" not in sealed
    erase_household(Household.objects.get())
    assert not KeptStatusPage.objects.exists()


@pytest.mark.django_db
def test_a_copy_opens_only_as_its_own_households_page_and_a_rotated_key_makes_it_again(
    maria, matamoros, brownsville, settings
):
    from cryptography.fernet import Fernet

    from shared import encryption

    other = Client()
    sign_in(other, "+528681230000")
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    other.post("/household/new", household_post([("Rosa", "Gómez", "1970-03-03", "F", "head")], matamoros, brownsville))
    view(maria), view(other)
    mine, theirs = KeptStatusPage.objects.order_by("household__applicant__pk")
    mine.sealed, theirs.sealed = theirs.sealed, mine.sealed  # whoever can write the table swaps them
    mine.save(), theirs.save()
    page, rendered = view(maria)
    assert rendered and "Luis" in page and "Rosa" not in page
    page, rendered = view(other)
    assert rendered and "Rosa" in page and "Luis" not in page

    before = list(settings.FIELD_ENCRYPTION_KEYS) or [encryption._development_key(settings.SECRET_KEY).decode()]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *before]
    page, rendered = view(maria)  # sealed under the key before: made again, not an error
    assert rendered and "Luis" in page and view(maria)[1] is False


@pytest.mark.django_db
def test_the_copy_read_with_the_session_is_trusted_only_for_the_household_read_with_it(
    maria, matamoros, brownsville, monkeypatch, django_assert_num_queries
):
    """The copy comes with the session's statement (one query for the whole view); read any other way, or
    for another version of the household, the page looks for its copy with a statement of its own."""
    import registrations.middleware
    from registrations.session_read import SessionRead

    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    page, _rendered = view(maria)
    with django_assert_num_queries(1):
        again, rendered = view(maria)
    assert not rendered and _main(again) == _main(page)

    read_session = registrations.middleware.read_session

    def read_with_a_foreign_copy(*args, **kwargs) -> SessionRead:
        read = read_session(*args, **kwargs)
        household_id, version, latest, shown, _sealed = read.along
        return SessionRead(read.row, (household_id, version - 1, latest, shown, b"not this household's copy"))

    monkeypatch.setattr(registrations.middleware, "read_session", read_with_a_foreign_copy)
    with django_assert_num_queries(2):
        again, rendered = view(maria)
    assert not rendered and _main(again) == _main(page)

    monkeypatch.setattr(registrations.middleware, "read_session", read_session)
    monkeypatch.setattr(registrations.middleware, "PAGES_READ_ALONG", [])
    with django_assert_num_queries(2):
        again, rendered = view(maria)
    assert not rendered and _main(again) == _main(page)
