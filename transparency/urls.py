from django.urls import path

from transparency import views

urlpatterns = [
    path("where", views.where, name="where"),
    path("how-it-works", views.how_it_works, name="how_it_works"),
    path("draws", views.draws, name="draws"),
    path("draws/verify_draw.py", views.verifier, name="verify_draw"),
    path("draws/<str:date>.json", views.draw_record, name="draw_record"),
    path("draws/<str:date>", views.draw, name="draw"),
    path("statistics", views.statistics_page, name="statistics"),
    path("statistics.csv", views.statistics_csv, name="statistics_csv"),
]
