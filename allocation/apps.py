from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "allocation"
    verbose_name = _("Allocation")

    def ready(self) -> None:
        from allocation.appointments import seat_new_member
        from allocation.pool import ensure_pool_index
        from allocation.status_page import READ_ALONG
        from registrations.households import member_joined_after_offer
        from registrations.session_read import read_along

        member_joined_after_offer.connect(seat_new_member, dispatch_uid="allocation.seat_new_member")
        read_along(READ_ALONG)  # the status page's kept copy comes with the session: one round trip, not two

        # On SQLite, a later registrations migration that rebuilds the household table drops
        # indexes the models do not declare; put the pool's covering index back after every migrate.
        post_migrate.connect(ensure_pool_index, sender=self)
