from django.urls import path

from letters import checkin_views, staff_views, views

urlpatterns = [
    path("household/letter", views.household_letter, name="household_letter"),
    path("verify", views.verify, name="verify_letter"),
    path("letters/keys", views.public_keys, name="letter_keys"),
    path("letters/revoked", views.revoked, name="letters_revoked"),
    path("staff/households/<str:reference>/exemption", staff_views.exemption, name="staff_exemption"),
    path("staff/households/<str:reference>/letters", staff_views.household_letters, name="staff_household_letters"),
    path("staff/letters/<int:pk>", staff_views.staff_letter, name="staff_letter"),
    path("staff/letters/<int:pk>/revoke", staff_views.revoke, name="staff_letter_revoke"),
    path("staff/check-in", checkin_views.check_in, name="staff_check_in"),
    path("staff/review/exemptions", staff_views.exemption_queue, name="staff_exemption_queue"),
    path("staff/review/exemptions/<int:pk>", staff_views.exemption_decide, name="staff_exemption_decide"),
]
