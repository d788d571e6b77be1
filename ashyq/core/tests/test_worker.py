"""A real Celery worker consumes a task from the configured broker (the file-system
queue by default, Redis in CI) and writes to the database."""

import pytest
from celery.contrib.testing.worker import start_worker

from ashyq import celery_app
from ashyq.core import tasks
from ashyq.core.models import WorkerHeartbeat


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_queued_task(finished_tasks):
    assert not WorkerHeartbeat.objects.exists()
    # Other tests queue tasks (e-mails, syncs) that no worker ran: start from an empty queue.
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        tasks.heartbeat.delay()
        finished_tasks.wait(tasks.heartbeat.name)
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_heartbeats_older_than_a_week_are_purged():
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    WorkerHeartbeat.objects.create(at=now - timedelta(days=8))
    kept = WorkerHeartbeat.objects.create(at=now - timedelta(days=6))
    assert tasks.purge_heartbeats() == 1
    assert list(WorkerHeartbeat.objects.all()) == [kept]
