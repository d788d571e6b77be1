"""Celery entry points of the vaccination passport."""

from celery import shared_task
from django.utils import timezone

from vaccinations.services import vaccinations_purge


@shared_task(ignore_result=True, soft_time_limit=300, time_limit=360)
def purge() -> dict:
    """Daily: lapse undecided self-entries, delete what outlived its use (see the service).
    Running it twice changes nothing the second time."""
    return vaccinations_purge(now=timezone.now())
