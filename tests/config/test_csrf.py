"""The form-token (CSRF) cookie goes to a browser that lacks it or holds another, not again with every page
that has a form (config/csrf.py): 153 bytes of Set-Cookie less on each such page, over 2G."""

import pytest
from django.test import Client

from tests.conftest import FAMILY, form_token, household_post, last_code


@pytest.mark.django_db
def test_the_cookie_is_sent_once_and_the_forms_of_later_pages_still_work(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    phone = Client(enforce_csrf_checks=True)
    phone.cookies = maria.cookies
    phone.cookies.pop("csrftoken", None)
    assert "csrftoken" in phone.get("/household").cookies  # a browser without one gets one
    for address in ("/household/members/add", "/household/details", "/household"):  # the last from its copy
        page = phone.get(address)
        assert "csrftoken" not in page.cookies and "Cookie" in page["Vary"], address
    response = phone.post("/account/sign-out-elsewhere", {"csrfmiddlewaretoken": form_token(page.content.decode())})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_new_secret_is_sent_at_sign_in_and_a_malformed_cookie_is_replaced():
    phone = Client(enforce_csrf_checks=True)
    phone.cookies["csrftoken"] = "not a token"
    first = phone.get("/signin")
    assert len(first.cookies["csrftoken"].value) == 32
    again = phone.get("/signin")
    assert "csrftoken" not in again.cookies
    token = form_token(again.content.decode())
    phone.post("/signin", {"address": "+528681234567", "csrfmiddlewaretoken": token})
    signed_in = phone.post("/signin/code", {"code": last_code("+528681234567"), "csrfmiddlewaretoken": token})
    assert signed_in.status_code == 302
    assert signed_in.cookies["csrftoken"].value not in ("", first.cookies["csrftoken"].value)  # rotated
