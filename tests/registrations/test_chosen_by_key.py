"""The registration form reads the chosen place and port by a statement built once (shared/by_key.py): the
row must be what the queryset gives (annotations and converted values too), a change an operator makes
must show at the next submit, and anything else a browser can send is "not in the list", never an error.
The household's page reads a household's rows the same way: what the queryset gives, in its order."""

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from allocation.views import ACTIVE_MEMBERS
from registrations.geography import places_with_acceptance
from registrations.models import Household, Member, Organisation, OrganisationHousehold, Place
from registrations.sharing import organisations_seeing
from shared.by_key import by_key, by_keys, rows_with
from shared.models import Port
from tests.conftest import FAMILY, household_post

NOT_KEYS = ["", "abc", "1.5", "-3", "0", str(10**30), "1e3", " ", "\x00", None, [1]]


def _values(row) -> list:
    return [getattr(row, field.attname) for field in row._meta.concrete_fields]


@pytest.mark.django_db
def test_the_row_is_the_one_the_queryset_gives(matamoros, brownsville):
    places = places_with_acceptance(timezone.localdate())
    for place in Place.objects.filter(pk__in=[matamoros.pk, Place.objects.get(name="Oaxaca").pk]):
        mine, theirs = by_key(places, place.pk), places.get(pk=place.pk)
        assert _values(mine) == _values(theirs) and mine.accepting == theirs.accepting
        assert mine._state.adding is False and mine._state.db == "default"
    taking = Port.objects.filter(accepts_requests=True)
    assert _values(by_key(taking, str(brownsville.pk))) == _values(Port.objects.get(pk=brownsville.pk))


@pytest.mark.django_db
def test_what_is_not_a_row_of_the_queryset_reads_as_none(brownsville):
    taking = Port.objects.filter(accepts_requests=True)
    for value in NOT_KEYS:
        assert by_key(taking, value) is None, value
    assert by_key(taking, Port.objects.order_by("-pk").first().pk + 1) is None
    Port.objects.filter(pk=brownsville.pk).update(accepts_requests=False)
    assert by_key(taking, brownsville.pk) is None


@pytest.mark.django_db
def test_a_port_closed_to_requests_is_refused_at_the_next_submit_and_nothing_typed_is_lost(
    maria, matamoros, brownsville
):
    data = household_post(FAMILY[:2], matamoros, brownsville)
    maria.get("/household/new")
    Port.objects.filter(pk=brownsville.pk).update(accepts_requests=False)
    page = maria.post("/household/new", data).content.decode()
    assert "Choose a port from the list" in page and FAMILY[0][0] in page
    assert not Household.objects.exists()
    for value in NOT_KEYS[1:-2]:
        response = maria.post("/household/new", {**data, "preferred_port": value, "current_place": value})
        assert response.status_code in (200, 400), value
    Port.objects.filter(pk=brownsville.pk).update(accepts_requests=True)
    assert maria.post("/household/new", data).status_code == 302 and Household.objects.count() == 1


@pytest.mark.django_db
def test_rows_read_together_are_those_read_one_by_one(matamoros, brownsville, django_assert_num_queries):
    places = places_with_acceptance(timezone.localdate())
    taking = Port.objects.filter(accepts_requests=True)
    oaxaca = Place.objects.get(name="Oaxaca")
    cases = [(matamoros.pk, brownsville.pk), (oaxaca.pk, "abc"), ("1e3", brownsville.pk), (10**6, None)]
    for place_key, port_key in cases:
        with django_assert_num_queries(1):
            place, port = by_keys([(places, place_key), (taking, port_key)])
        for mine, theirs in ((place, by_key(places, place_key)), (port, by_key(taking, port_key))):
            assert (mine is None) == (theirs is None), (place_key, port_key)
            if mine is not None:
                assert type(mine) is type(theirs) and _values(mine) == _values(theirs)
        assert place is None or place.accepting == by_key(places, place_key).accepting
    assert by_keys([(places, oaxaca.pk)])[0].accepting is False and by_keys([(places, matamoros.pk)])[0].accepting


@pytest.mark.django_db
def test_rows_with_a_key_are_what_the_queryset_gives_in_its_order_with_the_rows_it_joins(
    maria, matamoros, brownsville, django_assert_num_queries, monkeypatch
):
    """The household's page reads its members, links and appointments so (shared.by_key.rows_with)."""
    maria.post("/household/new", household_post(FAMILY[:4], matamoros, brownsville))
    household = Household.objects.get()
    ana = next(member for member in Member.objects.all() if member.given_names == "Ana")
    Member.objects.filter(pk=ana.pk).update(is_active=False)
    for name in ("Zona Norte", "Albergue Esperanza"):
        OrganisationHousehold.objects.create(organisation=Organisation.objects.create(name=name), household=household)

    with django_assert_num_queries(1):
        members = rows_with(ACTIVE_MEMBERS, "household", household.pk)
    assert [_values(m) for m in members] == [_values(m) for m in household.members.filter(is_active=True)]
    assert [m.given_names for m in members] == ["María José", "Luis", "Diego"]  # decrypted, in Member's order
    with django_assert_num_queries(1):
        names = [link.organisation.name for link in organisations_seeing(household)]
    assert names == ["Albergue Esperanza", "Zona Norte"]
    assert rows_with(ACTIVE_MEMBERS, "household", household.pk + 1) == []

    built = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: built.append(self) or as_sql(self, *a, **k))
    rows_with(ACTIVE_MEMBERS, "household", household.pk)
    organisations_seeing(household)
    assert built == []  # the statements were built once, for the first reads above
