"""Celery entry points of the registry sync (R-RG-2, R-RG-3): beat runs one per registry.

A registry that is down, slow or sends a malformed page raises RegistryUnavailable:
the task is retried with exponential back-off and jitter, keeping every page already
committed. Two runs of one registry never overlap: the service holds a lease on the
registry's SyncState row (see statuses.services), and a run that finds it taken
returns at once. Running the task twice in a row changes nothing the second time.
"""

import logging

from celery import shared_task
from django.utils import timezone

from ashyq.queue import enqueue
from ashyq.registries import RegistryUnavailable
from statuses import services
from statuses.clients import HEALTH_REGISTRIES

logger = logging.getLogger(__name__)

# Seconds of pulling pages before a run hands over to a new one (below the soft limit).
TIME_BUDGET = 200


@shared_task(
    autoretry_for=(RegistryUnavailable,),
    retry_backoff=15,  # 15 s, 30 s, 1 min, 2 min, 4 min — each drawn at random below that (jitter)
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=300,
    time_limit=360,  # a hung run stops renewing its lease (services.LEASE) long before
    ignore_result=True,
)
def sync_registry(registry: str) -> dict | None:
    """Pull one health registry ("pcr", "contacts" or "vaccinations") to the end of its feed."""
    if registry not in HEALTH_REGISTRIES:
        logger.error("sync_registry: unknown registry %r", registry)
        return None
    try:
        report = services.registry_sync(registry=registry, now=timezone.now(), time_budget=TIME_BUDGET)
    except services.SyncBusy as exc:
        logger.info("sync_registry: %s", exc)
        return None
    if not report.complete or report.history_behind:
        # A backlog (the first sync, a long outage): go on in a fresh task rather than
        # be cut by the time limit in the middle of a page or of a history chunk.
        enqueue(sync_registry, registry)
    return {"registry": report.registry, "pages": report.pages, "applied": report.applied, "skipped": report.skipped}


@shared_task(ignore_result=True, soft_time_limit=20, time_limit=30)
def sync_all_registries() -> None:
    """Queue one sync of every health registry (e.g. once when a worker starts)."""
    for registry in HEALTH_REGISTRIES:
        enqueue(sync_registry, registry)


@shared_task(ignore_result=True, soft_time_limit=1800, time_limit=1860)
def records_retention() -> dict:
    """The nightly end of the registry copies that no longer act, of the colour history
    older than a year and of old quarantined records (docs/rules.md, R-PR-2)."""
    report = services.records_retention(now=timezone.now())
    return {
        "deleted_pcr": report.deleted_pcr,
        "deleted_contacts": report.deleted_contacts,
        "deleted_changes": report.deleted_changes,
        "deleted_quarantined": report.deleted_quarantined,
    }
