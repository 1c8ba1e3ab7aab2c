"""Staff sign-in and sign-out: the one door for NGO staff and operators (the admin's too)."""

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp.forms import OTPAuthenticationForm

from shared import sessions
from shared.ratelimit import client_address
from staff import signin


class StaffLoginForm(OTPAuthenticationForm):
    """Staff have one authenticator app each, so the code is checked against it without asking.

    Every failure of password, code or limits gives the one message of staff.signin.
    """

    shared_device = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Enter your username")
        self.fields["password"].error_messages["required"] = _("Enter your password")
        # Without a label Django shows the field's name, "Otp token", in English on every page.
        self.fields["otp_token"].label = _("Code from your authenticator app")
        self.fields["shared_device"].label = _(
            "This is a shared computer: sign me out after %(minutes)s minutes without use"
        ) % {"minutes": settings.SHARED_DEVICE_IDLE_MINUTES}

    def clean(self) -> dict:
        username = self.cleaned_data.get("username", "")
        client = client_address(self.request)
        if not signin.may_try(username, client):
            signin.record_failure(username)
            raise ValidationError(signin.REFUSED, code="refused")
        try:
            return super().clean()
        except ValidationError:
            signin.record_failure(username)
            raise ValidationError(signin.REFUSED, code="refused") from None

    def clean_otp(self, user) -> None:
        if user is not None and not self.cleaned_data.get("otp_device"):
            device = next(devices_for_user(user, confirmed=True), None)
            if device is None:
                raise ValidationError(signin.REFUSED)
            self.cleaned_data["otp_device"] = device.persistent_id
        super().clean_otp(user)


class StaffLoginView(LoginView):
    """Password and the 6-digit code from the authenticator app, on one page."""

    authentication_form = StaffLoginForm
    template_name = "staff/login.html"
    redirect_authenticated_user = False

    def form_valid(self, form: StaffLoginForm) -> HttpResponse:  # type: ignore[override]  # always this form
        response = super().form_valid(form)
        sessions.start_staff(self.request.session, shared=form.cleaned_data.get("shared_device", False))
        return response


def operator_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The admin's own login page is replaced by the staff one, with its limits and lock."""
    return redirect_to_login(request.GET.get("next", "/operator/"), login_url="staff_login")


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("staff_login")
