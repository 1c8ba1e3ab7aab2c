"""Django's database sessions, in AccountSession: the row also holds the signed-in applicant, so
ApplicantMiddleware reads the session, the applicant and its household in one query (issue #18)."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from registrations.middleware import SESSION_KEY


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from registrations.models import AccountSession

        return AccountSession

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        row.applicant_id = data.get(SESSION_KEY)
        return row

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
