"""Periodic work of the accounts app."""

from datetime import timedelta

from axes.models import AccessFailureLog
from celery import shared_task
from django.utils import timezone

from ashyq.accounts.lockout import USERNAME_WINDOW


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def purge_sign_in_failures() -> int:
    """R-AU-3: axes' failure log feeds the per-username cap of the last day; older rows
    serve nothing and go (the table would otherwise grow with every wrong password)."""
    cutoff = timezone.now() - USERNAME_WINDOW - timedelta(days=1)
    deleted, _ = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted
