from django.urls import path

from notifications import views

urlpatterns = [
    path("messages/kannel/delivery", views.delivery_report, name="kannel_delivery_report"),
    path("messages/kannel/incoming", views.incoming_text, name="kannel_incoming_text"),
]
