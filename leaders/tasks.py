"""Celery entry points of the leaders app: thin, each safe to run twice.

Beat (settings.CELERY_BEAT_SCHEDULE): compute_closed_periods daily (R-LD-2).
On demand: compute_run, queued by the compute page, which shows its progress.
"""

from celery import shared_task
from django.utils import timezone

from leaders import rules
from leaders.models import CandidateList
from leaders.services import compute as services
from leaders.services.retention import venue_hours_prune


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def compute_closed_periods() -> bool:
    """R-LD-2: compute the lists of the last closed period unless they exist already
    (a recomputation is on demand: the compute page or manage.py compute_leaders)."""
    now = timezone.now()
    start, _end = rules.last_closed_period(now)
    if CandidateList.objects.filter(period__starts_on=start).exists():
        return False
    services.leaders_compute(period_start=start, now=now)
    return True


@shared_task(ignore_result=True, acks_late=True, soft_time_limit=600, time_limit=660)
def compute_run(run_id: int, language: str = "") -> str | None:
    """Perform the ComputeRun `run_id`, its progress on the run's page; a run already
    done or failed, or gone, is left alone (services.compute_run_perform)."""
    return services.compute_run_perform(run_id=run_id, language=language)


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def prune_venue_hours() -> int:
    """R-PR-2 with R-LD-1: the hourly counts of venues that can be no candidate of a
    period whose check-ins are gone (leaders.services.retention)."""
    return venue_hours_prune()
