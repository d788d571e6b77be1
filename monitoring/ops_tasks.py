"""Celery entry points of the monitoring operations (outages, inactivity, risk): thin,
each safe to run twice. Imported through CELERY_IMPORTS ("monitoring.ops_tasks").

Beat: flag_inactive_venues daily at 01:10 local time (R-MN-2); risk_lists_refresh
every hour (R-MN-7); purge daily at 03:50 (the end of photo drafts and inspections).
"""

from celery import shared_task
from django.utils import timezone

from ashyq.reference.models import Region
from monitoring.services.inactivity import inactivity_flag_all
from monitoring.services.inspections import monitoring_purge
from monitoring.services.risk import risk_list_store


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def flag_inactive_venues() -> int:
    """R-MN-2: flag the venues silent for more than 3 full local days (outage days not
    counted) and trigger their sanctions (R-MN-3). A re-run flags nothing twice."""
    return inactivity_flag_all(now=timezone.now())


@shared_task(ignore_result=True, soft_time_limit=1700, time_limit=1800)
def risk_lists_refresh() -> int:
    """R-MN-7: recompute and store every region's risk list, one region per
    transaction; returns the regions done."""
    now = timezone.now()
    regions = list(Region.objects.order_by("code"))
    for region in regions:
        risk_list_store(region=region, now=now)
    return len(regions)


@shared_task(ignore_result=True, soft_time_limit=300, time_limit=360)
def purge() -> dict:
    """Delete the photo drafts of forms never filed (a day old) and the inspections a
    year old."""
    return monitoring_purge(now=timezone.now())
