"""The anchor's two pages: 1 KB of text, and the same with one row read through the ORM."""

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.urls import path

KILOBYTE = ("Cita load-test anchor. " * 45)[:1000]


def anchor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(KILOBYTE)


def anchor_row(request: HttpRequest) -> HttpResponse:
    row = ContentType.objects.filter(pk=1).first()
    return HttpResponse(KILOBYTE[:990] + (row.model[:10] if row else "").ljust(10))


urlpatterns = [path("anchor", anchor), path("anchor/row", anchor_row)]
