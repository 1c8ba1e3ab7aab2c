from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AllocationConfig(AppConfig):
    name = "allocation"
    verbose_name = "Allocation"

    def ready(self) -> None:
        from allocation.pool import ensure_pool_index

        # On SQLite, a later registrations migration that rebuilds the household table drops
        # indexes the models do not declare; put the pool's covering index back after every migrate.
        post_migrate.connect(ensure_pool_index, sender=self)
