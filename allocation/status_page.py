"""The household's status page, kept in the database once rendered and shown again while nothing it
shows has changed (issue #18).

After a draw every waiting household opens this page, and most open it more than once. Rendering it takes
five queries and the templates, about 15 times the CPU of a bare Django view; a kept copy is read in the
statement that reads the session (registrations/session_read.py), so showing it takes no query of its own:
a second round trip cost the rush a tenth of its pages a second (docs/reliability.md).
A copy is shown only while all of these are the same as when it was made:
- the household's page_version, raised by database triggers on any change to the household, its members,
  its appointments or its organisation links, however made (registrations migration 0015);
- the latest draw recorded and the latest shown to families (a new draw, a release, a void), read in the
  same statement as the copy and the page_version, so a draw shows at once on every family's page;
- the language and the day; and it is at most KEPT_MINUTES old, so the wait estimate, which moves as
  households ahead of it leave the line, and names changed by operators (a port's address) are that fresh.
What differs per sign-in (the form token, the sign-in mark) is put in at each view. Pages with a message
waiting, with a query string or on a shared device are rendered every time and not kept.

The copy holds names, so it is compressed and sealed (shared/encryption.seal: AES-GCM under a key derived
from the personal fields' newest key, bound to the household and the language).
"""

import datetime as dt
import zlib

from django.contrib.messages import get_messages
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from allocation.models import AllocationRun, KeptStatusPage
from allocation.tickets import SHOWN
from registrations.middleware import SIGNIN_MARK
from registrations.models import Household
from registrations.session_read import ReadAlong
from shared.encryption import seal, unseal
from shared.sessions import is_shared

KEPT_MINUTES = 30
TEMPLATE = "registrations/household.html"
# Put in the rendered page where each view's own values go; only letters, so no escaping changes them.
CSRF_MARK, SIGNIN_MARK_HERE = "citaCsrfTokenOfThisView", "citaSigninMarkOfThisView"

# Fixed statements rather than querysets: building the SQL cost more than running it. Names are our models'.
_RUNS, _KEPT, _HOUSEHOLDS = AllocationRun._meta.db_table, KeptStatusPage._meta.db_table, Household._meta.db_table
DRAWS_SQL = (
    "SELECT COALESCE(MAX(id), 0) AS latest,"  # noqa: S608
    " COALESCE(MAX(CASE WHEN status IN (%s, %s) THEN id END), 0) AS shown"
    f" FROM {_RUNS} WHERE status <> %s"
)
DRAWS_PARAMS = (*SHOWN, AllocationRun.Status.COMMITTED)
# The household's page_version, the latest draws, and the kept copy if it was made after them and is still
# current: read in the session's statement (registrations/session_read.py), or alone.
COLUMNS = "h.id, h.page_version, draws.latest, draws.shown, kept.sealed"
JOINS = (
    f" CROSS JOIN ({DRAWS_SQL}) draws"  # noqa: S608
    f" LEFT JOIN {_KEPT} kept ON kept.household_id = h.id AND kept.language = %s"
    " AND kept.page_version = h.page_version AND kept.made_at > %s"
    " AND kept.latest_draw = draws.latest AND kept.latest_shown_draw = draws.shown"
)
ALONE_SQL = f"SELECT {COLUMNS} FROM {_HOUSEHOLDS} h{JOINS} WHERE h.id = %s"  # noqa: S608


def _params(connection: BaseDatabaseWrapper) -> tuple:
    made_after = connection.ops.adapt_datetimefield_value(_made_after(timezone.now()))
    return (*DRAWS_PARAMS, get_language(), made_after)


READ_ALONG = ReadAlong("household", COLUMNS, JOINS, _params)


def _made_after(now: dt.datetime) -> dt.datetime:
    """The oldest copy still shown: made today (local time) and less than KEPT_MINUTES ago."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(midnight, now - dt.timedelta(minutes=KEPT_MINUTES))


class StatusPage:
    """One view of a household's page: shown from the kept copy, or rendered and kept."""

    def __init__(self, request: HttpRequest, household: Household) -> None:
        self.request, self.household = request, household
        self.keepable = not request.GET and not is_shared(request) and not get_messages(request)
        self.draws: tuple[int, int] | None = None

    def kept(self) -> HttpResponse | None:
        """The kept copy with this view's own values, if it is still what rendering would show."""
        if not self.keepable:
            return None
        read = getattr(self.request, "read_along", None)
        if read is None or read[:2] != (self.household.pk, self.household.page_version):
            # Not read with the session (it was read before, or the household read again since)
            with connection.cursor() as cursor:
                cursor.execute(ALONE_SQL, (*_params(connection), self.household.pk))
                read = cursor.fetchone()
        _, _, latest, shown, sealed = read
        self.draws = latest, shown
        page = unseal(bytes(sealed), self._sealed_for()) if sealed is not None else None
        if page is None:  # none current, or sealed under a key since rotated
            return None
        return HttpResponse(_own_values(self.request, zlib.decompress(page).decode()))

    def _sealed_for(self) -> bytes:
        """A copy opens only as this household's page in this language, whichever row holds it."""
        return f"{self.household.pk}:{get_language()}".encode()

    def render(self, context: dict) -> HttpResponse:
        """Renders the page and keeps it for the next views, stamped with the page_version read with the
        session and the draws read before anything shown: a change in between makes a copy never shown."""
        if not self.keepable or self.draws is None:
            return render(self.request, TEMPLATE, context)
        marked = {**context, "csrf_token": CSRF_MARK, "signin_mark": SIGNIN_MARK_HERE}
        response = render(self.request, TEMPLATE, marked)
        page = response.content.decode()
        copy = KeptStatusPage(
            household=self.household,
            language=get_language(),
            page_version=self.household.page_version,
            latest_draw=self.draws[0],
            latest_shown_draw=self.draws[1],
            made_at=timezone.now(),
            sealed=seal(zlib.compress(page.encode(), 6), self._sealed_for()),
        )
        KeptStatusPage.objects.bulk_create(
            [copy],
            update_conflicts=True,
            unique_fields=["household", "language"],
            update_fields=["page_version", "latest_draw", "latest_shown_draw", "made_at", "sealed"],
        )
        response.content = _own_values(self.request, page)
        return response


def _own_values(request: HttpRequest, page: str) -> str:
    return page.replace(CSRF_MARK, get_token(request)).replace(SIGNIN_MARK_HERE, request.session.get(SIGNIN_MARK, ""))


def forget_unshown(now: dt.datetime) -> int:
    """Deletes the copies no view would show any more (housekeeping's purge); how many."""
    return KeptStatusPage.objects.filter(made_at__lte=now - dt.timedelta(minutes=KEPT_MINUTES)).delete()[0]
