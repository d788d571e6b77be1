"""Celery entry points of the monitoring operations (outages, inactivity, risk): thin,
each safe to run twice. Imported through CELERY_IMPORTS ("monitoring.ops_tasks").

Beat: flag_inactive_venues daily at 01:10 local time (R-MN-2).
"""

from celery import shared_task
from django.utils import timezone

from monitoring.inactivity import inactivity_flag_all


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def flag_inactive_venues() -> int:
    """R-MN-2: flag the venues silent for more than 3 full local days (outage days not
    counted) and trigger their sanctions (R-MN-3). A re-run flags nothing twice."""
    return inactivity_flag_all(now=timezone.now())
