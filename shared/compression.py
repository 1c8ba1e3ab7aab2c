"""Django's GZipMiddleware, with the compressor sized to the page (issue #18).

zlib sets up a 32 KB window and a 128 KB hash table for every response it compresses, and clearing them
took half the time of compressing a 6 KB status page. A window as large as the page finds every match a
full one would (no match reaches further back than the page's start), so the bytes sent stay the same: here
the window is the page's size rounded up to a power of two and the hash table is sized to it. The random
bytes Django adds to the header against BREACH are kept; streaming responses are Django's own.

A page compressed ahead (the status page's kept copy) is sent with `compressed_response`, as the middleware
would have sent it: compressed for a browser that takes gzip, opened for one that does not.
"""

import gzip
import secrets
import zlib

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers

LEVEL = 6  # Django's


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def gzip_sized(content: bytes, max_random_bytes: int = 0) -> bytes:
    """The content as one gzip member, compressed as at LEVEL with a full window."""
    window_bits = min(15, max(9, len(content).bit_length()))
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 16 + window_bits, max(1, window_bits - 7))
    compressed = compressor.compress(content) + compressor.flush()
    return named_at_random(compressed, max_random_bytes) if max_random_bytes else compressed


def named_at_random(compressed: bytes, max_random_bytes: int) -> bytes:
    """As django.utils.text.compress_string: a file name of random length in the header ("Heal the BREACH"),
    on a gzip member that has none."""
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    return bytes(header) + b"a" * secrets.randbelow(max_random_bytes) + b"\x00" + compressed[10:]


def compressed_response(request: HttpRequest, compressed: bytes, plain: bytes | None = None) -> HttpResponse:
    """A page compressed ahead by gzip_sized (with no file name), sent as the middleware would send it: to a
    browser that takes gzip, compressed and named at random (the middleware leaves a response with a
    Content-Encoding alone); to one that does not, opened (`plain`, if the caller has it)."""
    if accepts_gzip(request):
        response = HttpResponse(named_at_random(compressed, SizedGZipMiddleware.max_random_bytes))
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed) if plain is None else plain)
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


class SizedGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.streaming or not isinstance(response, HttpResponse):
            return super().process_response(request, response)
        content = response.content
        if len(content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not accepts_gzip(request):
            return response
        compressed = gzip_sized(content, self.max_random_bytes)
        if len(compressed) >= len(content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag  # a strong ETag names the uncompressed bytes
        response.headers["Content-Encoding"] = "gzip"
        return response
