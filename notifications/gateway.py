"""The real delivery backend: SMS through Kannel's HTTP `sendsms`, email through Django's email (SMTP).

Name it in MESSAGE_BACKEND (notifications.gateway.GatewayBackend). Another gateway later is another
class with the same `send` method; nothing else changes. Kannel posts delivery reports back to
/messages/kannel/delivery with a signature per message (see notifications.views).
"""

import hashlib
import hmac
import smtplib
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from notifications.outbox import PermanentFailure
from notifications.sms import fold_to_gsm7, is_gsm7

DLR_MASK = 1 | 2 | 4 | 8 | 16  # delivered, not delivered, queued, accepted and refused by the operator


def sign(purpose: str, value: str) -> str:
    """A signature Kannel hands back in its callbacks, so one message's report cannot be forged."""
    key = settings.SMS_GATEWAY_SECRET.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def delivery_report_url(message_id: str) -> str:
    """Where Kannel posts the report; it fills in %d (the report type) and %A (the operator's words)."""
    base = settings.SMS_CALLBACK_URL.rstrip("/")
    return f"{base}/messages/kannel/delivery?id={message_id}&sig={sign('dlr', message_id)}&type=%d&reply=%A"


class GatewayBackend:
    """SMS to Kannel with delivery reports; email by SMTP."""

    reports_delivery = True

    def send(self, *, channel: str, address: str, subject: str, body: str, message_id: str = "") -> None:
        if channel == "sms":
            self.send_sms(address, body, message_id)
        elif channel == "email":
            self.send_email(address, subject, body)
        else:
            raise PermanentFailure(f"no way to send on channel {channel!r}")

    def send_sms(self, address: str, body: str, message_id: str) -> None:
        url = settings.KANNEL_SENDSMS_URL
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured("KANNEL_SENDSMS_URL must be an http:// or https:// address")
        text = fold_to_gsm7(body)
        params = {
            "username": settings.KANNEL_USERNAME,
            "password": settings.KANNEL_PASSWORD,
            "to": address,
            "text": text,
            "charset": "UTF-8",
            "coding": "0" if is_gsm7(text) else "2",  # GSM-7, or UCS-2 for Arabic, Chinese, Russian
        }
        if message_id:
            params |= {"dlr-mask": str(DLR_MASK), "dlr-url": delivery_report_url(message_id)}
        if settings.KANNEL_FROM:
            params["from"] = settings.KANNEL_FROM
        if settings.KANNEL_SMSC:
            params["smsc"] = settings.KANNEL_SMSC
        request = f"{url}?{urllib.parse.urlencode(params)}"
        try:
            # The scheme is checked above; the address is the operator's own gateway.
            with urllib.request.urlopen(request, timeout=settings.KANNEL_TIMEOUT_SECONDS) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as error:
            answer = error.read().decode(errors="replace")[:200]
            # 4xx: Kannel refuses this message ("Not routable. Do not try again."), except a wrong
            # user or password, which the operator fixes: then the same message goes through.
            if 400 <= error.code < 500 and "Authorization" not in answer:
                raise PermanentFailure(f"{error.code} {answer}") from None
            raise ConnectionError(f"{error.code} {answer}") from None

    def send_email(self, address: str, subject: str, body: str) -> None:
        message = EmailMessage(subject=subject or "Cita", body=body, to=[address])
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"recipient refused: {error.recipients and list(error.recipients.values())[0]}")
