from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharedConfig(AppConfig):
    """The shared package as a Django app, for the records every app shares (shared/models.py)."""

    name = "shared"
    # The admin lists the ports under this name (the other shared records are not in the admin).
    verbose_name = _("Ports of entry")
