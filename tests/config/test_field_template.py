"""Every field is drawn by the one field template: each id an input's aria-describedby names is on
the page (the hint, the error), so a screen reader reads the hint and the error with the field."""

from html.parser import HTMLParser

import pytest

from tests.conftest import FAMILY, household_post


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str]] = []  # (element id or name, an id it points at)
        self.hints: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if "id" in found:
            self.ids.add(found["id"])
        for target in found.get("aria-describedby", "").split():
            self.described.append((found.get("id") or found.get("name") or tag, target))
        classes = found.get("class", "").split()
        if "hint" in classes:
            self.hints.append(found.get("id", ""))
        if "error-message" in classes:
            self.errors.append(found.get("id", ""))


def parse(response) -> Ids:
    ids = Ids()
    ids.feed(response.content.decode())
    return ids


@pytest.mark.django_db
def test_a_field_with_a_hint_and_an_error_points_at_both(maria, matamoros, brownsville):
    data = household_post(FAMILY[:2], matamoros, brownsville)
    data["members-1-date_of_birth"] = "2023-02-30"
    data["members-1-sex"] = ""
    page = parse(maria.post("/household/new", data))
    assert ("id_members-1-date_of_birth", "id_members-1-date_of_birth_helptext") in page.described
    assert ("id_members-1-date_of_birth", "id_members-1-date_of_birth_error") in page.described
    # radios: the fieldset is described, as Django 6.1 expects
    assert ("fieldset", "id_members-1-sex_error") in page.described
    assert [target for _element, target in page.described if target not in page.ids] == []
    assert "" not in page.hints and "" not in page.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "data"), [("/signin", {"address": ""}), ("/signin/recover", {"reference": "", "recovery_code": ""})]
)
def test_every_error_on_a_sign_in_page_is_named_by_its_field(client, path, data):
    page = parse(client.post(path, data))
    assert page.errors, "the empty form shows an error"
    assert [target for _element, target in page.described if target not in page.ids] == []
    assert {target for _element, target in page.described} >= set(page.errors)


@pytest.mark.django_db
def test_staff_forms_use_the_same_field_template(rosa):
    page = parse(rosa.post("/staff/tickets", {"category": "", "description": "", "device": "", "language": ""}))
    assert page.errors
    assert [target for _element, target in page.described if target not in page.ids] == []
    assert {target for _element, target in page.described} >= set(page.errors)
