"""Pages compressed with a window sized to them (shared/compression.py) read back exactly, are no larger
than Django's own compression made them, and still carry Django's random header bytes against BREACH."""

import gzip

import pytest
from django.utils.text import compress_string
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.compression import gzip_sized
from tests.conftest import FAMILY, household_post


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=70_000) | st.text(max_size=20_000).map(str.encode), random=st.integers(0, 100))
def test_whatever_is_compressed_reads_back_the_same(content, random):
    assert gzip.decompress(gzip_sized(content, random)) == content


def _without_name(compressed: bytes) -> bytes:
    """The gzip member without its random file name, to compare sizes."""
    if not compressed[3] & gzip.FNAME:
        return compressed
    end = compressed.index(b"\x00", 10)
    return compressed[:3] + bytes([compressed[3] & ~gzip.FNAME]) + compressed[4:10] + compressed[end + 1 :]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/how-it-works", "/household", "/household/details", "/household/share"])
def test_pages_are_sent_compressed_as_small_as_django_made_them(maria, matamoros, brownsville, path):
    maria.post("/household/new", household_post(FAMILY[:4], matamoros, brownsville))
    plain = maria.get(path, headers={"accept-language": "es"})
    compressed = maria.get(path, headers={"accept-language": "es", "accept-encoding": "gzip, deflate"})
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert int(compressed["Content-Length"]) == len(compressed.content)
    page = gzip.decompress(compressed.content)
    assert len(page) == len(plain.content) > 2000
    assert len(_without_name(compressed.content)) <= len(compress_string(page))


@pytest.mark.django_db
def test_each_response_still_varies_in_length_against_breach(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:4], matamoros, brownsville))
    sent = [maria.get("/household", headers={"accept-encoding": "gzip"}).content for _ in range(20)]
    assert all(body[3] & gzip.FNAME for body in sent)
    assert len({len(body) - len(_without_name(body)) for body in sent}) > 5  # random names of random lengths
