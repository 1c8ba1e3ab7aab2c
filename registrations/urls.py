from django.urls import path

from registrations.views import help, household, ports, signin

urlpatterns = [
    path("signin", signin.signin_start, name="signin"),
    path("signin/code", signin.signin_code, name="signin_code"),
    path("signin/resend", signin.signin_resend, name="signin_resend"),
    path("signin/recover", signin.recover, name="recover"),
    path("signout", signin.signout, name="signout"),
    path("recovery-codes", signin.recovery_codes, name="recovery_codes"),
    path("account/move", signin.move_account, name="move_account"),
    path("account/move/code", signin.move_account_code, name="move_account_code"),
    path("account/sign-out-elsewhere", signin.signout_elsewhere, name="signout_elsewhere"),
    path("household/new", household.household_new, name="household_new"),
    path("household/registered", household.household_registered, name="household_registered"),
    path("household/details", household.details_change, name="details_change"),
    path("household/urgent-help", help.vulnerability_request, name="vulnerability_request"),
    path("household/share", help.share, name="share_household"),
    path("household/share/stop", help.share_stop, name="share_stop"),
    path("household/port-warning", ports.port_warning, name="port_warning"),
    path("household/members/add", household.member_add, name="member_add"),
    path("household/members/<int:pk>/change", household.member_change, name="member_change"),
    path("household/members/<int:pk>/remove", household.member_remove, name="member_remove"),
]
