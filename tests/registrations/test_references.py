"""References people read aloud: no confusable letters, typos caught by the check character."""

from hypothesis import given
from hypothesis import strategies as st

from registrations.references import ALPHABET, new_reference, normalise_reference


def test_new_references_are_valid_and_readable():
    for _ in range(200):
        reference = new_reference()
        assert normalise_reference(reference) == reference
        assert not set(reference.replace("-", "")) & set("0O1IL5S2ZBUV")


@given(st.integers(min_value=0, max_value=8), st.sampled_from(ALPHABET))
def test_any_single_wrong_character_is_caught(position, replacement):
    reference = new_reference().replace("-", "")
    if reference[position] == replacement:
        return
    typo = reference[:position] + replacement + reference[position + 1 :]
    assert normalise_reference(typo) is None


def test_spacing_case_and_dashes_do_not_matter():
    reference = new_reference()
    assert normalise_reference(" " + reference.lower().replace("-", " ") + " ") == reference
