from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from config import pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("icon.svg", pwa.icon, name="pwa_icon"),
    path("offline", pwa.offline, name="offline"),
    path("language", set_language, name="set_language"),
    path("", include("registrations.urls")),
    path("", include("allocation.urls")),
    path("operator/", admin.site.urls),
]

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
