"""Django's database sessions, in AccountSession: the row also holds the signed-in applicant, so
ApplicantMiddleware reads the session, the applicant and its household in one query (issue #18)."""

import json
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from registrations.middleware import SESSION_KEY

# Session data already checked, as its JSON: a session is saved seldom and read on every request.
DECODED_KEPT = 4096
_decoded: dict[str | bytes, str] = {}


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from registrations.models import AccountSession

        return AccountSession

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        row.applicant_id = data.get(SESSION_KEY)
        return row

    def decode(self, session_data: str | bytes) -> dict[str, Any]:
        """Django checks the data's signature and parses it on every request; here once per process for each
        value saved (about a twentieth of the CPU of a status page shown from its kept copy). The same text checks the
        same, so nothing is trusted that was not checked; each call gets its own dict to change."""
        known = _decoded.get(session_data)
        if known is not None:
            return json.loads(known)
        data = super().decode(session_data)
        if data:  # not what failed its check (logged by Django each time)
            if len(_decoded) >= DECODED_KEPT:
                _decoded.clear()  # a bound, not an eviction policy: a miss costs one check
            _decoded[session_data] = json.dumps(data)
        return data

    def is_loaded(self) -> bool:
        return hasattr(self, "_session_cache")

    def take(self, row) -> None:
        """What load() would have read, from a row already read (with the applicant): none, or expired,
        is an empty session whose next save gets a new key, as load() does."""
        if row is None:
            self._session_key = None
            self._session_cache = {}
        else:
            self._session_cache = self.decode(row.session_data)
