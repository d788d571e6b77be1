"""`manage.py check --deploy` warns when the mock SMS gateway would reach production."""

from django.conf import settings
from django.core import checks

from ashyq.sms.backends import DEFAULT_BACKEND


@checks.register(checks.Tags.security, deploy=True)
def mock_gateway_check(app_configs, **kwargs):
    found = []
    if getattr(settings, "SMS_MOCK_OUTBOX", False):
        found.append(
            checks.Warning(
                "SMS_MOCK_OUTBOX is on: anyone can read any phone's sign-in code at /auth/phone/outbox/.",
                hint="Set SMS_MOCK_OUTBOX = False in production.",
                id="sms.W001",
            )
        )
    backend = getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND)
    if backend == DEFAULT_BACKEND:
        found.append(
            checks.Warning(
                "SMS_BACKEND is the console mock: no SMS is sent, codes go to the log and the database.",
                hint="Point SMS_BACKEND at a real gateway in production.",
                id="sms.W002",
            )
        )
    elif backend.endswith(".HttpGatewayBackend") and not getattr(settings, "SMS_GATEWAY_URL", ""):
        found.append(
            checks.Warning(
                "SMS_BACKEND is the HTTP gateway but SMS_GATEWAY_URL is empty: no sign-in code can be sent.",
                hint="Set SMS_GATEWAY_URL (and SMS_GATEWAY_TOKEN) to the SMS provider's endpoint.",
                id="sms.W003",
            )
        )
    return found
