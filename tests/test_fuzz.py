"""Property-based fuzzing of every form and query parameter: never a 500, always an answer."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FAMILY, household_post

NASTY_TEXT = st.one_of(
    st.text(max_size=60),
    st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=3), st.integers(400, 4000)),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "0",
            "-1",
            "99999999999999999999",
            "1e309",
            "NaN",
            "2023-02-30",
            "31/31/2031",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\u202e",
            "🧕🏽",
            "%00",
            "null",
        ]
    ),
)
APPLICANT_FORMS = {
    "/signin": ["address"],
    "/signin/code": ["code"],
    "/signin/recover": ["reference", "recovery_code"],
    "/account/move": ["address"],
    "/household/members/add": [
        "given_names",
        "family_names",
        "date_of_birth",
        "nationality",
        "sex",
        "relationship",
        "languages",
        "needs",
        "idempotency_key",
    ],
    "/household/details": [
        "current_place",
        "preferred_port",
        "contact_phone",
        "contact_email",
        "language",
        "far_port_confirmed",
        "idempotency_key",
    ],
}
QUERY_PAGES = [
    "/",
    "/verify",
    "/household/port-warning",
    "/draws",
    "/statistics",
    "/where",
    "/how-it-works",
    "/language/es",
    "/letters/keys",
    "/signin",
    "/household",
]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def household_of_maria(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    return maria


@pytest.mark.django_db
@pytest.mark.parametrize("url", APPLICANT_FORMS)
@FUZZ
@given(data=st.data())
def test_applicant_forms_never_fail(household_of_maria, url, data):
    fields = {name: data.draw(NASTY_TEXT) for name in APPLICANT_FORMS[url]}
    fields.update(data.draw(st.dictionaries(st.text(max_size=20), NASTY_TEXT, max_size=3)))
    response = household_of_maria.post(url, fields)
    assert response.status_code < 500


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_the_registration_form_never_fails(maria, matamoros, brownsville, data):
    fields = household_post(FAMILY[:2], matamoros, brownsville, key=data.draw(NASTY_TEXT))
    for name in data.draw(st.lists(st.sampled_from(sorted(fields)), max_size=6)):
        fields[name] = data.draw(NASTY_TEXT)
    response = maria.post("/household/new", fields)
    assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("url", QUERY_PAGES)
@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["code", "next", "current_place", "preferred_port", "format", "q", "reference", "kind", "index", "page"]
        ),
        NASTY_TEXT,
        max_size=4,
    )
)
def test_query_parameters_never_fail(client, url, params):
    response = client.get(url, {k: v.replace("\x00", "") for k, v in params.items()})
    assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/staff/notices/new", "/staff/check-in", "/staff/tickets", "/staff/audit", "/staff/review/reuse", "/staff/"]
)
@FUZZ
@given(data=st.data())
def test_staff_forms_never_fail(olga, url, data):
    fields = data.draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "title",
                    "body",
                    "takes_effect_on",
                    "affects",
                    "code",
                    "category",
                    "description",
                    "reference",
                    "kind",
                    "index",
                ]
            ),
            NASTY_TEXT,
            max_size=5,
        )
    )
    if data.draw(st.booleans()):
        response = olga.post(url, fields)
    else:
        response = olga.get(url, {k: v.replace("\x00", "") for k, v in fields.items()})
    assert response.status_code < 500
