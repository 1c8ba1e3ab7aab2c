from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite

from config import language, pwa, views
from staff.views.login import operator_login

# Operators reach the admin with a password and a second factor, like every staff page, and
# through the staff sign-in page only: one door, with its limits and lock.
admin.site.__class__ = OTPAdminSite
admin.site.login = operator_login  # type: ignore[method-assign]  # one door for operators

PORTS_MOVED = RedirectView.as_view(url="/operator/shared/port/%(rest)s", query_string=True)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("language/<str:language>", language.change_language, name="change_language"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("icon.svg", pwa.icon, name="pwa_icon"),
    path("offline", pwa.offline, name="offline"),
    path("", include("registrations.urls")),
    path("", include("allocation.urls")),
    path("", include("transparency.urls")),
    path("", include("letters.urls")),
    path("", include("notifications.urls")),
    path("staff/", include("staff.urls")),
    # The ports moved to the shared app (docs/architecture.md): an operator's old link still arrives.
    path(
        "operator/allocation/port/",
        include([path("", PORTS_MOVED, {"rest": ""}), path("<path:rest>", PORTS_MOVED)]),
    ),
    path("operator/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
