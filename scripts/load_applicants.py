"""Makes signed-in applicants for the load test's anchor scenario, straight in the database.

Signing in thousands of applicants through the pages would take longer than the run it prepares;
the sign-in flow itself is measured by the peak scenario. Each applicant gets a session exactly as
registrations.views.common.sign_in leaves it (own phone, current session version).

    DJANGO_SETTINGS_MODULE=config.settings python load_applicants.py COUNT RUN  # prints JSON
"""

import datetime as dt
import json
import secrets
import sys

import django


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from registrations.middleware import SESSION_KEY, SIGNIN_MARK, VERSION_KEY
    from registrations.models import AccountSession, Applicant
    from registrations.session_store import SessionStore
    from shared.sessions import SHARED

    count, run = int(sys.argv[1]), sys.argv[2]
    addresses = [f"anchor-{run}-{i}@example.org" for i in range(count)]
    applicants = [Applicant(address=a, address_index=Applicant.index_of(a), language="es") for a in addresses]
    Applicant.objects.bulk_create(applicants, batch_size=1000)
    ids = dict(
        Applicant.objects.filter(address_index__in=[a.address_index for a in applicants]).values_list(
            "address_index", "pk"
        )
    )
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    store = SessionStore()
    rows, out = [], []
    for applicant in applicants:
        pk = ids[applicant.address_index]
        key = secrets.token_hex(16)
        data = {SESSION_KEY: pk, VERSION_KEY: 0, SIGNIN_MARK: secrets.token_hex(8), SHARED: False}
        rows.append(
            AccountSession(session_key=key, session_data=store.encode(data), expire_date=expires, applicant_id=pk)
        )
        out.append([pk, key])
    AccountSession.objects.bulk_create(rows, batch_size=1000)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
