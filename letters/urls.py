from django.urls import path

from letters import views

urlpatterns = [
    path("household/letter", views.household_letter, name="household_letter"),
    path("verify", views.verify, name="verify_letter"),
    path("letters/keys", views.public_keys, name="letter_keys"),
    path("letters/revoked", views.revoked, name="letters_revoked"),
    path("staff/households/<str:reference>/exemption", views.exemption, name="staff_exemption"),
]
