from ashyq.sms.models import OneTimeCode, Purpose, SmsMessage

OUTBOX_SIZE = 20


def code_latest(*, phone: str, purpose: str = Purpose.SIGN_IN) -> OneTimeCode | None:
    """The phone's newest code: the only one that can still be used (R-AU-1)."""
    return OneTimeCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at", "-pk").first()


def code_of_session(*, phone: str, code_id: int | None) -> OneTimeCode | None:
    """The code this session asked for (sms.views keeps its id), else the phone's latest."""
    if code_id is None:
        return code_latest(phone=phone)
    return OneTimeCode.objects.filter(pk=code_id, phone=phone, purpose=Purpose.SIGN_IN).first()


def outbox_for_phone(*, phone: str) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(phone=phone).order_by("-sent_at", "-pk")[:OUTBOX_SIZE])
