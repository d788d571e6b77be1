import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from ashyq.core.models import WorkerHeartbeat


@shared_task(ignore_result=True, soft_time_limit=20, time_limit=30)
def heartbeat() -> None:
    """Record that a worker ran a task now (queued by beat every minute)."""
    WorkerHeartbeat.objects.create(hostname=socket.gethostname())


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def purge_heartbeats(days: int = 7) -> int:
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = WorkerHeartbeat.objects.filter(at__lt=cutoff).delete()
    return deleted
