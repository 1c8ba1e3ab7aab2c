"""The two addresses Kannel calls: delivery reports, and texts phones send to Cita.

Both answer only the gateway: the caller's address must be in SMS_GATEWAY_ALLOWED_ADDRESSES, and
the URL must carry the shared secret (incoming texts) or the message's own signature (reports).
They answer with an empty body: answers to texts go through the outbox like every message.
"""

import hmac
import urllib.parse

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications.fallback import record_delivery
from notifications.gateway import sign
from notifications.inbound import receive
from shared.ratelimit import client_address


def _from_gateway(request: HttpRequest) -> bool:
    return client_address(request) in settings.SMS_GATEWAY_ALLOWED_ADDRESSES


@csrf_exempt
@require_http_methods(["GET", "POST"])
def delivery_report(request: HttpRequest) -> HttpResponse:
    params = request.GET
    message_id, signature = params.get("id", ""), params.get("sig", "")
    if not _from_gateway(request) or not hmac.compare_digest(signature, sign("dlr", message_id)):
        return HttpResponseForbidden("", content_type="text/plain")
    if not message_id.isdigit() or not params.get("type", "").isdigit():
        return HttpResponseBadRequest("", content_type="text/plain")
    record_delivery(int(message_id), int(params["type"]), params.get("reply", ""))
    return HttpResponse("", content_type="text/plain")


def _text(request: HttpRequest) -> str:
    """The text as the phone wrote it: Kannel passes UCS-2 texts (Arabic, Chinese, Russian) as
    URL-encoded UTF-16 bytes and names the charset, so the query string is decoded by hand."""
    if request.method == "POST":
        return request.POST.get("text", "")
    raw = urllib.parse.parse_qs(request.META.get("QUERY_STRING", ""), encoding="latin-1").get("text", [""])[0]
    data = raw.encode("latin-1")
    try:
        return data.decode(request.GET.get("charset") or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return data.decode("utf-8", errors="replace")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def incoming_text(request: HttpRequest) -> HttpResponse:
    params = request.GET if request.method == "GET" else request.POST
    secret = params.get("secret", "") or request.headers.get("X-Cita-Secret", "")
    if not _from_gateway(request) or not hmac.compare_digest(secret, settings.SMS_GATEWAY_SECRET):
        return HttpResponseForbidden("", content_type="text/plain")
    sender, text = params.get("from", "").strip(), _text(request)
    if not sender or len(sender) > 30:
        return HttpResponseBadRequest("", content_type="text/plain")
    receive(sender, text)
    return HttpResponse("", content_type="text/plain")
