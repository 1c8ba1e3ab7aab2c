"""What the status section of the household page needs: the appointment, or the wait."""

from allocation import appointments
from allocation.models import Appointment
from allocation.waits import wait_for
from registrations.models import Household


def status_context(household: Household) -> dict:
    appointment = appointments.live_appointment(household)
    if appointment is not None:
        return {
            "appointment": appointment,
            "window_start": appointment.window_start,
            "window_end": appointment.window_end,
            "confirm_by": appointments.confirm_deadline(appointment),
        }
    ended = (
        Appointment.objects.filter(household=household)
        .exclude(status__in=Appointment.LIVE)
        .select_related("port")
        .order_by("-created_at")
        .first()
    )
    return {"appointment": None, "ended": ended, "wait": wait_for(household)}
