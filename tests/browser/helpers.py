"""What a person does in the browser, step by step, shared by the browser tests."""

from registrations.models import Place
from shared.models import Port
from tests.conftest import FAMILY


def choose_place_and_port(page) -> None:
    page.select_option("#id_current_place", str(Place.objects.get(name="Matamoros").pk))
    page.check(f"input[name=preferred_port][value='{Port.objects.get(code='brownsville').pk}']")


def fill_person(page, index: int, person=None, needs: str = "") -> None:
    given, family, born, sex, relationship = person or FAMILY[index]
    prefix = f"#id_members-{index}-"
    page.fill(prefix + "given_names", given)
    page.fill(prefix + "family_names", family)
    page.fill(prefix + "date_of_birth", born)
    page.select_option(prefix + "nationality", "VE")
    page.check(f"input[name='members-{index}-sex'][value='{sex}']")
    page.select_option(prefix + "relationship", relationship)
    page.fill(prefix + "languages", "Español")
    if needs:
        page.fill(prefix + "needs", needs)


def add_person_row(page, index: int) -> None:
    page.click("button[name=add_member]")
    page.wait_for_selector(f"#id_members-{index}-given_names")


def fill_household(page, size: int) -> None:
    choose_place_and_port(page)
    fill_person(page, 0)
    for index in range(1, size):
        add_person_row(page, index)
        fill_person(page, index)


def fill_single_member(page, person) -> None:
    """The add-a-person page: the same fields, without the formset prefix."""
    given, family, born, sex, relationship = person
    page.fill("#id_given_names", given)
    page.fill("#id_family_names", family)
    page.fill("#id_date_of_birth", born)
    page.select_option("#id_nationality", "VE")
    page.check(f"input[name='sex'][value='{sex}']")
    page.select_option("#id_relationship", relationship)


def drafts(page) -> dict:
    return page.evaluate(
        "Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('cita-draft:'))"
        ".map(k => [k, JSON.parse(localStorage.getItem(k))]))"
    )
