from ashyq.sms.models import OneTimeCode, Purpose, SmsMessage

OUTBOX_SIZE = 20


def code_latest(*, phone: str, purpose: str = Purpose.SIGN_IN) -> OneTimeCode | None:
    """The phone's newest code: the only one that can still be used (R-AU-1)."""
    return OneTimeCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at", "-pk").first()


def outbox_for_phone(*, phone: str) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(phone=phone).order_by("-sent_at", "-pk")[:OUTBOX_SIZE])
