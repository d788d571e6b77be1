"""SMS gateways (R-AU-1): the console mock, and an HTTP gateway for production."""

import http.client
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from ashyq.sms.models import SmsMessage, SmsStatus
from ashyq.sms.rules import mask_phone

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "ashyq.sms.backends.ConsoleBackend"


class SmsGatewayError(Exception):
    """The gateway did not take the message; the caller tells the person to try again."""


class BaseBackend:
    def send(self, phone: str, text: str) -> None:
        """Send `text` to `phone` (E.164) or raise SmsGatewayError."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """The mock gateway: logs the message with the phone masked and keeps it in the outbox.

    `SMS_FAIL = True` makes every send fail, to try the fallback of R-CI-2.
    """

    def send(self, phone: str, text: str) -> None:
        failing = getattr(settings, "SMS_FAIL", False)
        status = SmsStatus.FAILED if failing else SmsStatus.SENT
        SmsMessage.objects.create(phone=phone, text=text, sent_at=timezone.now(), status=status)
        if failing:
            logger.warning("SMS to %s failed: SMS_FAIL is on", mask_phone(phone))
            raise SmsGatewayError("SMS_FAIL is on")
        # The mock may log the code itself: there is no real phone to receive it.
        logger.info("SMS to %s: %s", mask_phone(phone), text)


class HttpGatewayBackend(BaseBackend):
    """A gateway reached over HTTP: POST {"phone", "text"} as JSON to SMS_GATEWAY_URL,
    with SMS_GATEWAY_TOKEN as a bearer token; any answer but 2xx is a failure."""

    def send(self, phone: str, text: str) -> None:
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            settings.SMS_GATEWAY_URL,
            data=json.dumps({"phone": phone, "text": text}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:  # noqa: S310
                response.read()
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:  # HTTPError (non-2xx) is a URLError
            logger.warning("SMS to %s failed: %s", mask_phone(phone), exc)
            raise SmsGatewayError(str(exc)) from exc


def get_backend() -> BaseBackend:
    return import_string(getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND))()
