"""A port far from where the applicant is gets a clear warning first; they may still choose it."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from registrations.models import Household, Place, RequestRegion
from tests.conftest import FAMILY, household_post


@pytest.mark.django_db
def test_matamoros_to_san_ysidro_warns_with_the_distance_and_can_be_confirmed(maria, matamoros, san_ysidro):
    data = household_post(FAMILY[:2], matamoros, san_ysidro)
    response = maria.post("/household/new", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<bdi>San Ysidro, CA</bdi> is about 2,0\d0 km from <bdi>Matamoros</bdi>", page)
    assert "Never pay anyone" in page
    assert "The nearest port to you is <bdi>Brownsville" in page
    assert 'value="María José"' in page
    assert not Household.objects.exists()

    response = maria.post("/household/new", {**data, "far_port_confirmed": str(san_ysidro.pk)})
    assert response["Location"] == "/household/registered"
    assert Household.objects.get().preferred_port == san_ysidro


@pytest.mark.django_db
def test_matamoros_to_brownsville_does_not_warn(maria, matamoros, brownsville):
    response = maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    assert response["Location"] == "/household/registered"


@pytest.mark.django_db
def test_a_confirmation_for_another_port_does_not_count(maria, matamoros, san_ysidro, brownsville):
    data = household_post(FAMILY[:2], matamoros, san_ysidro, far_port_confirmed=str(brownsville.pk))
    assert "is about" in maria.post("/household/new", data).content.decode()


@pytest.mark.django_db
def test_the_warning_fragment_for_htmx(client, matamoros, san_ysidro, brownsville):
    far = client.get("/household/port-warning", {"current_place": matamoros.pk, "preferred_port": san_ysidro.pk})
    near = client.get("/household/port-warning", {"current_place": matamoros.pk, "preferred_port": brownsville.pk})
    junk = client.get("/household/port-warning", {"current_place": "x", "preferred_port": "<b>"})
    assert (
        far.content.decode().startswith('<div id="port-warning"')
        and "km from <bdi>Matamoros</bdi>" in far.content.decode()
    )
    assert "km" not in near.content.decode() and junk.status_code == 200


@pytest.mark.django_db
def test_requests_from_outside_the_accepted_states_are_refused_clearly(maria, brownsville):
    oaxaca = Place.objects.get(name="Oaxaca")
    page = maria.post("/household/new", household_post(FAMILY[:1], oaxaca, brownsville)).content.decode()
    assert "Requests cannot be made from \u2068Oaxaca\u2069 yet" in page
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_a_state_an_operator_opens_accepts_requests_from_the_day_it_opens(maria, brownsville):
    oaxaca = Place.objects.get(name="Oaxaca")
    today = timezone.localdate()
    region, _ = RequestRegion.objects.update_or_create(
        state_code=oaxaca.state_code,
        defaults={"state_name": oaxaca.state_name, "accepted_since": today + dt.timedelta(days=1)},
    )
    page = maria.post("/household/new", household_post(FAMILY[:1], oaxaca, brownsville)).content.decode()
    assert "Requests cannot be made from \u2068Oaxaca\u2069 yet" in page
    region.accepted_since = today
    region.save()
    confirmed = household_post(FAMILY[:1], oaxaca, brownsville, far_port_confirmed=str(brownsville.pk))
    response = maria.post("/household/new", confirmed)
    assert response.status_code == 302 and Household.objects.get().current_place == oaxaca


@pytest.mark.django_db
def test_a_state_opening_tomorrow_accepts_requests_when_tomorrow_comes(maria, brownsville, monkeypatch):
    oaxaca = Place.objects.get(name="Oaxaca")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    RequestRegion.objects.update_or_create(
        state_code=oaxaca.state_code, defaults={"state_name": oaxaca.state_name, "accepted_since": tomorrow}
    )
    data = household_post(FAMILY[:1], oaxaca, brownsville, far_port_confirmed=str(brownsville.pk))
    assert "Requests cannot be made from" in maria.post("/household/new", data).content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)  # the server's clock moves on
    assert maria.post("/household/new", data).status_code == 302
