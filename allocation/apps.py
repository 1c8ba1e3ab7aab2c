from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "allocation"
    verbose_name = _("Allocation")

    def ready(self) -> None:
        from allocation.pool import ensure_pool_index

        # On SQLite, a later registrations migration that rebuilds the household table drops
        # indexes the models do not declare; put the pool's covering index back after every migrate.
        post_migrate.connect(ensure_pool_index, sender=self)
