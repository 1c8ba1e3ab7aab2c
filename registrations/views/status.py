"""What the status section of the household page needs: the appointment, or the wait."""

from allocation import accuracy, appointments
from allocation.models import Appointment
from allocation.tickets import lottery_places
from allocation.waits import wait_for
from registrations.models import Household


def status_context(household: Household) -> dict:
    """One query for the latest appointment: live, it is shown; ended, it explains the wait."""
    draws = {"lottery_places": lottery_places(household)}
    latest = Appointment.objects.filter(household=household).select_related("port").order_by("-created_at").first()
    if latest is not None and latest.status in Appointment.LIVE:
        appointment = latest
        return {
            "appointment": appointment,
            "window_start": appointment.window_start,
            "window_end": appointment.window_end,
            "confirm_by": appointments.confirm_deadline(appointment),
            **draws,
        }
    wait = wait_for(household)
    return {
        "appointment": None,
        "ended": latest,
        "wait": wait,
        "wait_accuracy": accuracy.for_port(household.preferred_port) if wait else None,
        **draws,
    }
