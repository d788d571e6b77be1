"""Celery entry points of the visitors app: thin, ids in, each safe to run twice.

Beat (settings.CELERY_BEAT_SCHEDULE): auto_close_visits every 10 minutes (R-CI-4),
retention hourly (R-PR-2), rollup_stats every 5 minutes (R-CI-9).
door_report_mail is queued after the commit of a red or yellow check-in (R-CI-3).
"""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from visitors.services import counts, periodic, reports
from visitors.services.retention import retention_run

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def auto_close_visits() -> int:
    """R-CI-4: close the visits open for 4 hours or more."""
    return periodic.visits_auto_close(now=timezone.now())


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def retention() -> dict:
    """R-PR-2: delete the check-ins and look-ups older than 28 days (the check-ins once
    counted), whole days at a time on PostgreSQL; returns what went."""
    report = retention_run(now=timezone.now())
    return {
        "dropped": report.dropped,
        "deleted_checkins": report.deleted_checkins,
        "deleted_lookups": report.deleted_lookups,
        "kept_from": report.kept_from.isoformat() if report.kept_from else None,
    }


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def rollup_stats() -> str:
    """R-CI-9, R-LD-1: count the check-ins and remote checks since the last run, each
    once (visitors.services.counts); returns how far they are counted."""
    return counts.counts_rollup(now=timezone.now()).isoformat()


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
    soft_time_limit=60,
    time_limit=90,
)
def door_report_mail(report_id: int) -> int:
    """R-CI-3: e-mail one door report to its region's sanitary officers (once)."""
    return reports.door_report_send(report_id=report_id, now=timezone.now())
