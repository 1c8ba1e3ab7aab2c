"""What the daily allocation needs to know about the ports (shared.models.Port), its draws and appointments."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shared.models import Port

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class CapacityOverride(models.Model):
    """A port's capacity for one date, replacing its usual daily capacity (0 closes the port that day)."""

    port = models.ForeignKey(Port, verbose_name=_("port"), on_delete=models.CASCADE, related_name="capacity_overrides")
    date = models.DateField(verbose_name=_("date"))
    capacity = models.PositiveIntegerField(verbose_name=_("capacity"), help_text=_("People on this date."))
    reason = models.CharField(verbose_name=_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("capacity change")
        verbose_name_plural = _("capacity changes")
        ordering = ["date", "port"]
        constraints = [models.UniqueConstraint(fields=["port", "date"], name="one_capacity_override_per_port_and_date")]

    def __str__(self) -> str:
        return f"{self.port} {self.date}: {self.capacity}"


class AllocationPolicy(models.Model):
    """A public, versioned rule for splitting each port's daily capacity between the three shares."""

    class Weighting(models.TextChoices):
        UNIFORM = "uniform", _("One ticket per household")
        DAYS_WAITED = "days_waited", _("One ticket per day waited")

    version = models.PositiveIntegerField(verbose_name=_("version"), unique=True)
    waiting_share = models.PositiveSmallIntegerField(
        verbose_name=_("waiting-time share (%)"), help_text=_("Percent of seats by registration time, oldest first.")
    )
    lottery_share = models.PositiveSmallIntegerField(
        verbose_name=_("lottery share (%)"), help_text=_("Percent of seats drawn by lottery.")
    )
    reserved_share = models.PositiveSmallIntegerField(
        verbose_name=_("reserved share (%)"), help_text=_("Percent of seats reserved for approved vulnerable cases.")
    )
    lottery_weighting = models.CharField(
        verbose_name=_("lottery weighting"), max_length=12, choices=Weighting.choices, default=Weighting.UNIFORM
    )
    skew_threshold = models.DecimalField(
        verbose_name=_("skew threshold"),
        max_digits=5,
        decimal_places=2,
        default=20,
        help_text=_(
            "Percentage points between a group's share of lottery winners and of the lottery pool "
            "beyond which a run is held for review."
        ),
    )
    effective_from = models.DateField(verbose_name=_("in force from"))
    notes = models.TextField(verbose_name=_("notes"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation policy")
        verbose_name_plural = _("allocation policies")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(waiting_share__lte=100, lottery_share__lte=100, reserved_share__lte=100),
                name="policy_shares_are_percentages",
            ),
        ]

    def __str__(self) -> str:
        return f"Policy {self.version}: {self.waiting_share}/{self.lottery_share}/{self.reserved_share}"

    def clean(self) -> None:
        if (self.waiting_share or 0) + (self.lottery_share or 0) + (self.reserved_share or 0) != 100:
            raise ValidationError(_("The three shares must add up to 100."))


class AllocationRun(models.Model):
    """One day's draw: its policy, seed commitment and revealed seed, pool hash, counts and statistics."""

    class Status(models.TextChoices):
        COMMITTED = "committed", _("Seed committed, not drawn yet")
        COMPLETED = "completed", _("Completed")
        HELD = "held_for_review", _("Held for review")
        RELEASED = "released", _("Released after review")
        VOIDED = "voided", _("Voided after review")

    date = models.DateField(verbose_name=_("date"), unique=True)
    policy = models.ForeignKey(
        AllocationPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="runs"
    )
    seed_commitment = models.CharField(
        verbose_name=_("seed commitment"), max_length=64, help_text=_("SHA-256 of the seed, published before the draw.")
    )
    # The seed waits here, unpublished, between the commitment and the draw.
    sealed_seed = models.CharField(verbose_name=_("sealed seed"), max_length=200, blank=True)
    seed = models.CharField(verbose_name=_("seed"), max_length=200, blank=True, help_text=_("Revealed after the draw."))
    pool_hash = models.CharField(verbose_name=_("pool hash"), max_length=64, blank=True)
    pool_count = models.PositiveIntegerField(verbose_name=_("households in the pool"), default=0)
    status = models.CharField(verbose_name=_("status"), max_length=16, choices=Status.choices, default=Status.COMMITTED)
    committed_at = models.DateTimeField(verbose_name=_("committed at"), auto_now_add=True)
    started_at = models.DateTimeField(verbose_name=_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(verbose_name=_("finished at"), null=True, blank=True)
    summary = models.JSONField(verbose_name=_("summary"), default=dict, blank=True)
    statistics = models.JSONField(verbose_name=_("statistics"), default=dict, blank=True)
    # [household id, port id] pairs that did not fit when their turn came: served first next time.
    carried_over = models.JSONField(verbose_name=_("carried over"), default=list, blank=True)
    # Port code -> the ticket number each lottery draw hit, in draw order (seated or passed over).
    lottery = models.JSONField(verbose_name=_("lottery tickets drawn"), default=dict, blank=True)
    cutoff = models.DateTimeField(
        verbose_name=_("cut-off"),
        null=True,
        blank=True,
        help_text=_("Published before the draw: the pool is read no earlier than this."),
    )
    # A public randomness beacon round named before the cut-off, whose value becomes the seed.
    beacon_chain = models.CharField(verbose_name=_("beacon chain"), max_length=64, blank=True)
    beacon_round = models.PositiveBigIntegerField(verbose_name=_("beacon round"), null=True, blank=True)

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"Allocation {self.date} ({self.get_status_display()})"


class RunInputs(models.Model):
    """The eligible pool exactly as the draw saw it (see allocation.pool for the format)."""

    run = models.OneToOneField(AllocationRun, verbose_name=_("draw"), on_delete=models.CASCADE, related_name="inputs")
    snapshot = models.BinaryField(
        verbose_name=_("pool snapshot"), help_text=_("The canonical pool (allocation.pool), plain or zlib-compressed.")
    )
    # The public record of the draw (transparency.record), gzip-compressed: built once, when first
    # asked for after its publication time; cleared when a held run is released or voided.
    record = models.BinaryField(verbose_name=_("public record"), null=True, blank=True)

    class Meta:
        verbose_name = _("draw inputs")
        verbose_name_plural = _("draw inputs")

    def __str__(self) -> str:
        return f"Inputs of {self.run}"


class AppointmentQuerySet(models.QuerySet):
    def drawn(self) -> "AppointmentQuerySet":
        """Seats the draw gave (not seats offered again later from freed ones)."""
        return self.filter(freed_from__isnull=True)


class Appointment(models.Model):
    """A household's seat at a port on a date, in one window, for all its members."""

    class Share(models.TextChoices):
        RESERVED = "reserved", _("Reserved for vulnerable cases")
        WAITING = "waiting", _("By waiting time")
        LOTTERY = "lottery", _("By lottery")

    class Status(models.TextChoices):
        HELD = "held", _("Held for review")
        OFFERED = "offered", _("Offered")
        CONFIRMED = "confirmed", _("Confirmed")
        CHECKED_IN = "checked_in", _("Checked in")
        CANCELLED = "cancelled", _("Cancelled")
        MISSED = "missed", _("Missed")
        EXPIRED = "expired", _("Expired")

    class CancelReason(models.TextChoices):
        HOUSEHOLD = "household", _("Cancelled by the household")
        RESCHEDULED = "rescheduled", _("A person joined and the time had no room: the household is rescheduled")
        VOIDED = "voided", _("The draw was voided after review")
        PORT_CLOSED = "port_closed", _("The port was closed that day: the household is rescheduled")

    # Cancelled by Cita, not by the household: it is served first at its port's next draw.
    REBOOKED_BY_CITA = [CancelReason.RESCHEDULED, CancelReason.PORT_CLOSED]

    LIVE = [Status.HELD, Status.OFFERED, Status.CONFIRMED, Status.CHECKED_IN]

    run = models.ForeignKey(
        AllocationRun, verbose_name=_("draw"), on_delete=models.PROTECT, related_name="appointments"
    )
    household = models.ForeignKey(
        "registrations.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="appointments"
    )
    port = models.ForeignKey(Port, verbose_name=_("port"), on_delete=models.PROTECT, related_name="appointments")
    date = models.DateField(verbose_name=_("date"))
    window_start = models.DateTimeField(verbose_name=_("window start"))
    window_end = models.DateTimeField(verbose_name=_("window end"))
    people = models.PositiveSmallIntegerField(
        verbose_name=_("people"), help_text=_("Household size when the seat was given.")
    )
    share = models.CharField(verbose_name=_("share"), max_length=10, choices=Share.choices)
    status = models.CharField(verbose_name=_("status"), max_length=12, choices=Status.choices)
    # Why a cancelled appointment was cancelled, so the household is told plainly.
    cancel_reason = models.CharField(
        verbose_name=_("why it ended"), max_length=12, choices=CancelReason.choices, blank=True
    )
    # When it stopped being live (cancelled, missed, expired) or was used (checked in): the date a
    # letter check gives for "no longer valid".
    ended_at = models.DateTimeField(verbose_name=_("ended at"), null=True, blank=True)
    # Set on a seat offered after the draw from seats Cita freed (see FreedSeats): not part of the draw,
    # so verification and the published record leave it out.
    freed_from = models.ForeignKey(
        "FreedSeats",
        verbose_name=_("offered again from freed seats"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reoffers",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["date", "port", "window_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status__in=["held", "offered", "confirmed", "checked_in"]),
                name="one_live_appointment_per_household",
            ),
            models.UniqueConstraint(fields=["run", "household"], name="one_appointment_per_household_per_run"),
        ]
        # Households Cita moved (pool.rebooked) are found from their few cancelled appointments,
        # not by scanning a port's appointments for every waiting household.
        indexes = [models.Index(fields=["status", "cancel_reason"], name="appointment_status_reason")]

    def __str__(self) -> str:
        return f"{self.household} at {self.port} on {self.date}"

    def is_held(self) -> bool:
        """Its draw is being checked by a person: nothing is published to the household yet."""
        return self.status == self.Status.HELD

    def is_offered(self) -> bool:
        return self.status == self.Status.OFFERED

    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    def can_be_cancelled(self) -> bool:
        """The household may still say it cannot come (and wait for a new date)."""
        return self.status in (self.Status.OFFERED, self.Status.CONFIRMED)

    def why_it_ended(self) -> "str | StrPromise":
        """What the household is told about this appointment once it is no longer live."""
        if self.status == self.Status.MISSED:
            return _("You missed your last appointment.")
        if self.status == self.Status.EXPIRED:
            return _("Your last offer was not confirmed in time.")
        reasons: dict[str, "str | StrPromise"] = {
            self.CancelReason.HOUSEHOLD: _("You cancelled your last appointment."),
            self.CancelReason.RESCHEDULED: _(
                "A person joined your family and there was no room at that time, so your whole family will be "
                "among the first at the next draw."
            ),
            self.CancelReason.PORT_CLOSED: _(
                "The port was closed that day, so your whole family will be among the first at its next draw."
            ),
            self.CancelReason.VOIDED: _("The agency cancelled that draw after checking it."),
        }
        return reasons.get(self.cancel_reason, _("Your last appointment was cancelled."))


class FreedSeats(models.Model):
    """Seats given back when an appointment was cancelled: offered at once to the next households in
    line at the port when the window is at least REOFFER_MIN_HOURS away, otherwise left unused."""

    class Unused(models.TextChoices):
        TOO_CLOSE = "too_close", _("Too close to the date to offer again")
        NOBODY_FITS = "nobody_fits", _("No waiting household fits the seats left")

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="freed_seats")
    people = models.PositiveSmallIntegerField()
    reoffered_people = models.PositiveSmallIntegerField(default=0)
    # Why the seats not offered again stayed empty (blank when every seat was offered again).
    unused_reason = models.CharField(max_length=12, choices=Unused.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "freed seats"

    def __str__(self) -> str:
        return f"{self.people} seats freed from {self.appointment}"

    @property
    def unused_people(self) -> int:
        return self.people - self.reoffered_people


class ShownEstimates(models.Model):
    """What every waiting household's status page showed just before a draw, kept a few months so
    the wait estimate can be checked against what really happened (allocation.accuracy).

    Holds household ids and day counts only, compressed: a few bytes per household and day."""

    date = models.DateField(unique=True, help_text="The draw this is the eve of.")
    data = models.BinaryField()
    # Port code -> [households first offered a seat at this date's draw that had a range shown
    # 30 days before, of whom inside that range]; filled in after the draw.
    checked = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("estimates shown")
        verbose_name_plural = _("estimates shown")

    def __str__(self) -> str:
        return f"estimates shown before the draw of {self.date}"


class KeptStatusPage(models.Model):
    """A household's status page as last rendered in one language, sealed (allocation.status_page).

    Shown again instead of rendering while nothing it shows has changed: the household's page_version
    (raised by triggers on every change to the household, its members, appointments and links), the
    latest draws, the day, and at most KEPT_MINUTES old for the wait estimate. Encrypted like the
    personal fields it shows; purged with the other short-lived rows."""

    household = models.ForeignKey("registrations.Household", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=10)
    page_version = models.PositiveBigIntegerField()
    # The draws it was made after: the latest recorded, and the latest shown to families (not held or voided).
    latest_draw = models.PositiveIntegerField()
    latest_shown_draw = models.PositiveIntegerField()
    made_at = models.DateTimeField()
    sealed = models.BinaryField(help_text="The page, compressed and encrypted.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "language"], name="one_kept_page_per_language")]

    def __str__(self) -> str:
        return f"status page of household {self.household_id} ({self.language})"
