"""Django's message storage (a signed cookie, then the session), built only on a request that has or adds a
message (issue #18).

MessageMiddleware makes a storage on every request, and Django's FallbackStorage builds both of its
back-ends there and then, the cookie one with its signer: a twentieth of the CPU of a status page shown
from its kept copy, on a request that neither reads nor adds a message. Where messages are kept and read
is unchanged: this is Django's FallbackStorage with its back-ends made at first use.
"""

from functools import cached_property
from typing import Any

from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest, HttpResponseBase


class LazyFallbackStorage(FallbackStorage):
    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        BaseStorage.__init__(self, request, *args, **kwargs)
        self._backend_arguments = args, kwargs
        self._used_storages: set[BaseStorage] = set()

    @cached_property
    def storages(self) -> list[BaseStorage]:
        args, kwargs = self._backend_arguments
        return [storage_class(self.request, *args, **kwargs) for storage_class in self.storage_classes]

    def _get(self, *args: Any, **kwargs: Any) -> tuple[list, bool]:
        # Django reads the session's messages only when the cookie says more are there: no cookie, none.
        if CookieStorage.cookie_name not in self.request.COOKIES:
            return [], True
        return super()._get(*args, **kwargs)  # type: ignore[misc]  # FallbackStorage's, not in the stubs

    def _store(self, messages: list, response: HttpResponseBase, *args: Any, **kwargs: Any) -> list:
        # Nothing to keep and nothing read to clear: Django's would go through its back-ends and do nothing.
        if not messages and not self._used_storages:
            return []
        return super()._store(messages, response, *args, **kwargs)  # type: ignore[misc]
