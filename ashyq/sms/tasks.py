"""Periodic work of the SMS sign-in."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from ashyq.sms.models import OneTimeCode, SmsMessage

# The limits read the last hour (R-AU-1); a day is kept for the operators' questions.
KEPT = timedelta(days=1)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def purge_codes() -> int:
    """Codes and mock-gateway messages older than a day serve nothing: they go, so that
    neither table grows with every sign-in."""
    cutoff = timezone.now() - KEPT
    codes, _ = OneTimeCode.objects.filter(created_at__lt=cutoff).delete()
    messages, _ = SmsMessage.objects.filter(sent_at__lt=cutoff).delete()
    return codes + messages
