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
Pages with a message waiting, with a query string or on a shared device are rendered every time and not kept.

The copy is the page as the view that made it sent it, compressed: shown again, it is sent as it is, neither
opened nor compressed again (compressing was a tenth of the CPU of a kept view). So it holds that view's form
token and sign-in mark, and opens only for a view with the same: the browser's CSRF secret and the sign-in
mark are sealed with it (a new sign-in, a new CSRF cookie or another phone of the family makes it anew).
Django masks the form token anew for each page so that compression cannot tell an attacker, over many pages
that also show what the attacker sent, the secret (BREACH): a kept copy is the same bytes every time and
shows nothing a request chose (no query string, no message), so there is nothing to compare.

The copy holds names, so it is sealed (shared/encryption.seal: AES-GCM under a key derived from the personal
fields' newest key, bound to the household, the language, the CSRF secret and the sign-in mark).
"""

import datetime as dt

from django.contrib.messages import get_messages
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from allocation.models import AllocationRun, KeptStatusPage
from allocation.tickets import SHOWN, SHOWN_IN
from registrations.middleware import SIGNIN_MARK
from registrations.models import Household
from registrations.session_read import ReadAlong
from shared.compression import compressed_response, gzip_sized
from shared.encryption import seal, unseal
from shared.inserts import insert_rows
from shared.public import mark_form_token_in_page
from shared.sessions import is_shared

KEPT_MINUTES = 30
# One copy per household and language: a new one overwrites these fields of the last.
KEPT_PER = ("household", "language")
KEPT_AFRESH = ("page_version", "latest_draw", "latest_shown_draw", "made_at", "sealed")
TEMPLATE = "registrations/household.html"

# Fixed statements rather than querysets: building the SQL cost more than running it. Names are our models'.
_RUNS, _KEPT, _HOUSEHOLDS = AllocationRun._meta.db_table, KeptStatusPage._meta.db_table, Household._meta.db_table
DRAWS_SQL = (
    "SELECT COALESCE(MAX(id), 0) AS latest,"  # noqa: S608
    f" COALESCE(MAX(CASE WHEN status {SHOWN_IN} THEN id END), 0) AS shown"
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
        """The kept copy, if it is still what rendering would show and was made for this browser and sign-in."""
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
        if page is None:  # none current, made for another sign-in or browser, or sealed under a rotated key
            return None
        response = compressed_response(self.request, page)
        mark_form_token_in_page(self.request, response)  # the token of the view that made it
        return response

    def _sealed_for(self) -> bytes:
        """A copy opens only as this household's page in this language, whichever row holds it, and only with
        the form token and sign-in mark it holds: for the browser and the sign-in of the view that made it."""
        csrf_secret = self.request.META.get("CSRF_COOKIE", "")
        signin_mark = self.request.session.get(SIGNIN_MARK, "")
        return f"{self.household.pk}:{get_language()}:{csrf_secret}:{signin_mark}".encode()

    def render(self, context: dict) -> HttpResponse:
        """Renders the page and keeps it for the next views, stamped with the page_version read with the
        session and the draws read before anything shown: a change in between makes a copy never shown."""
        response = render(self.request, TEMPLATE, context)
        if not self.keepable or self.draws is None:
            return response
        page = gzip_sized(response.content)  # named at random for each response
        copy = KeptStatusPage(
            household=self.household,
            language=get_language(),
            page_version=self.household.page_version,
            latest_draw=self.draws[0],
            latest_shown_draw=self.draws[1],
            made_at=timezone.now(),
            sealed=seal(page, self._sealed_for()),  # after rendering: the CSRF secret may be new
        )
        insert_rows([copy], unique_fields=KEPT_PER, update_fields=KEPT_AFRESH)  # its SQL built once
        return compressed_response(self.request, page, response.content)


def forget_unshown(now: dt.datetime) -> int:
    """Deletes the copies no view would show any more (housekeeping's purge); how many."""
    return KeptStatusPage.objects.filter(made_at__lte=now - dt.timedelta(minutes=KEPT_MINUTES)).delete()[0]
