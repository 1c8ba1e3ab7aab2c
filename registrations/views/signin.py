"""Sign-in pages: ask for a code, enter it, recover a lost phone, move to a new number."""

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from registrations import signin
from registrations.access import SignedInRequest, applicant_required, keep_this_session, sign_in
from registrations.forms import AddressForm, CodeForm, RecoveryForm, SigninForm
from registrations.models import SigninCode
from shared.addresses import mask_address
from shared.pages import error_list, isolate
from shared.ratelimit import client_address, rate_limit

PENDING_ADDRESS = "signin_address"
PENDING_SHARED = "signin_shared_device"
CODE_SESSION = "code_session"
PENDING_MOVE = "move_address"
RECOVERY_CODES = "recovery_codes_to_show"


def _asker(request: HttpRequest) -> dict[str, str]:
    """Who asks for a code: this session (only it can use the code) and its connection."""
    token = request.session.get(CODE_SESSION) or secrets.token_urlsafe(16)
    request.session[CODE_SESSION] = token
    return {"session_token": token, "client": client_address(request)}


@require_http_methods(["GET", "POST"])
@rate_limit("signin")
def signin_start(request: HttpRequest) -> HttpResponse:
    form = SigninForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signin.request_code(form.cleaned_data["address"], **_asker(request))
        except signin.SigninRefused as refusal:
            form.add_error("address", refusal.message)
        else:
            request.session[PENDING_ADDRESS] = form.cleaned_data["address"]
            request.session[PENDING_SHARED] = form.cleaned_data["shared_device"]
            return redirect("signin_code")
    return render(request, "registrations/signin.html", {"form": form, "errors": error_list(form)})


@require_http_methods(["GET", "POST"])
@rate_limit("signin-code")
def signin_code(request: HttpRequest) -> HttpResponse:
    address = request.session.get(PENDING_ADDRESS)
    if not address:
        return redirect("signin")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token = _asker(request)["session_token"]
            result = signin.sign_in_with_code(address, form.cleaned_data["code"], token, get_language())
        except signin.SigninRefused as refusal:
            form.add_error("code", refusal.message)
        else:
            sign_in(request, result.applicant, shared=request.session.pop(PENDING_SHARED, False))
            if result.new_recovery_codes:
                request.session[RECOVERY_CODES] = result.new_recovery_codes
                return redirect("recovery_codes")
            return redirect("household")
    context = {"form": form, "errors": error_list(form), "masked_address": mask_address(address)}
    return render(request, "registrations/signin_code.html", context)


@require_POST
def signin_resend(request: HttpRequest) -> HttpResponse:
    address = request.session.get(PENDING_ADDRESS)
    if not address:
        return redirect("signin")
    try:
        signin.request_code(address, **_asker(request))
    except signin.SigninRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("We sent a new code. Use the newest one."))
    return redirect("signin_code")


@require_http_methods(["GET", "POST"])
@applicant_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.get(RECOVERY_CODES)
    if not codes:
        return redirect("household")
    if request.method == "POST":
        del request.session[RECOVERY_CODES]
        return redirect("household")
    return render(request, "registrations/recovery_codes.html", {"codes": codes})


@require_http_methods(["GET", "POST"])
@rate_limit("recover")
def recover(request: HttpRequest) -> HttpResponse:
    form = RecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applicant = signin.sign_in_with_recovery_code(
                form.cleaned_data["reference"], form.cleaned_data["recovery_code"], client_address(request)
            )
        except signin.SigninRefused as refusal:
            form.add_error("recovery_code", refusal.message)
        else:
            sign_in(request, applicant, shared=form.cleaned_data["shared_device"])
            messages.success(request, _("You are signed in. Now add your new phone number or email."))
            return redirect("move_account")
    return render(request, "registrations/recover.html", {"form": form, "errors": error_list(form)})


@require_http_methods(["GET", "POST"])
@applicant_required
def move_account(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signin.request_code(form.cleaned_data["address"], purpose=SigninCode.Purpose.MOVE, **_asker(request))
        except signin.SigninRefused as refusal:
            form.add_error("address", refusal.message)
        else:
            request.session[PENDING_MOVE] = form.cleaned_data["address"]
            return redirect("move_account_code")
    return render(request, "registrations/move_account.html", {"form": form, "errors": error_list(form)})


@require_http_methods(["GET", "POST"])
@applicant_required
def move_account_code(request: SignedInRequest) -> HttpResponse:
    address = request.session.get(PENDING_MOVE)
    if not address:
        return redirect("move_account")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token = _asker(request)["session_token"]
            signin.move_account(request.applicant, address, form.cleaned_data["code"], token)
        except signin.SigninRefused as refusal:
            form.add_error("code", refusal.message)
        else:
            keep_this_session(request.session, request.applicant)  # every other phone is signed out
            del request.session[PENDING_MOVE]
            messages.success(
                request, _("Done. From now on, sign in with %(address)s.") % {"address": isolate(mask_address(address))}
            )
            return redirect("household")
    context = {"form": form, "errors": error_list(form), "masked_address": mask_address(address)}
    return render(request, "registrations/move_account_code.html", context)


@require_POST
@applicant_required
def signout_elsewhere(request: SignedInRequest) -> HttpResponse:
    """A phone lost or shared: every other session of the account ends now; this one stays."""
    signin.end_sessions(request.applicant)
    keep_this_session(request.session, request.applicant)
    messages.success(request, _("You are signed out on every other phone and computer."))
    return redirect("household")


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("home")
