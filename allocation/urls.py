from django.urls import path

from allocation import views

urlpatterns = [
    path("household", views.household, name="household"),
    path("household/appointment/confirm", views.confirm, name="appointment_confirm"),
    path("household/appointment/cancel", views.cancel, name="appointment_cancel"),
]
