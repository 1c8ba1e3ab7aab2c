from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from allocation.models import AllocationPolicy, AllocationRun, Appointment, CapacityOverride
from allocation.rebooking import close_port_day
from allocation.runs import AllocationError, release_run, void_run
from shared.models import Port


@admin.register(Port)
class PortAdmin(admin.ModelAdmin):
    list_display = ["name", "mexican_city", "daily_capacity", "opens_at", "closes_at", "time_zone", "accepts_requests"]


PORT_CLOSED_MESSAGE = _(
    "%(port)s is closed on %(date)s: %(count)d households were told and will be served first at its next draw."
)


@admin.register(CapacityOverride)
class CapacityOverrideAdmin(admin.ModelAdmin):
    """Capacity 0 after the draw closes the port that day: everyone booked there is rebooked first."""

    list_display = ["date", "port", "capacity", "reason"]
    list_filter = ["port"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if obj.capacity == 0:
            count = close_port_day(obj.port, obj.date, request.user)
            if count:
                self.message_user(
                    request,
                    PORT_CLOSED_MESSAGE % {"port": obj.port, "date": obj.date, "count": count},
                    messages.WARNING,
                )


@admin.register(AllocationPolicy)
class AllocationPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "version",
        "waiting_share",
        "lottery_share",
        "reserved_share",
        "lottery_weighting",
        "skew_threshold",
        "effective_from",
    ]

    def get_readonly_fields(self, request, obj=None):
        # A policy that a run used is part of the public record: publish a new version instead.
        if obj is not None and obj.runs.exists():
            return [f.name for f in self.model._meta.fields]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.runs.exists()


@admin.register(AllocationRun)
class AllocationRunAdmin(admin.ModelAdmin):
    """Runs are written only by the allocate command; operators read them and decide held runs."""

    list_display = ["date", "status", "policy", "pool_count", "seed_commitment", "finished_at"]
    list_filter = ["status"]
    exclude = ["sealed_seed"]
    actions = ["release", "void"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "sealed_seed"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Release the held run: offer its appointments"))
    def release(self, request, queryset):
        self._decide(request, queryset, release_run, _("Released %(date)s: %(count)d appointments offered."))

    @admin.action(description=_("Void the held run: cancel its appointments, everyone keeps waiting"))
    def void(self, request, queryset):
        self._decide(request, queryset, void_run, _("Voided %(date)s: %(count)d appointments cancelled."))

    def _decide(self, request, queryset, decide, done) -> None:
        for run in queryset:
            try:
                count = decide(run)
            except AllocationError as error:
                self.message_user(request, f"{run.date}: {error}", messages.ERROR)
            else:
                self.message_user(request, done % {"date": run.date, "count": count})


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["household", "port", "date", "window_start", "people", "share", "status"]
    list_filter = ["status", "share", "port", "date"]
    search_fields = ["household__reference"]
    raw_id_fields = ["household", "run"]
    readonly_fields = [
        "run",
        "household",
        "port",
        "date",
        "window_start",
        "window_end",
        "people",
        "share",
        "status",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
