"""The transactional outbox (ashyq.queue): a request that queues a task answers at once
whatever the broker does, the task is handed to Celery once when the broker is back,
and from then on its own retry policy applies, as when beat queues it."""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ashyq import celery_app, queue
from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core import tasks
from ashyq.core.models import OutboxMessage, WorkerHeartbeat
from ashyq.core.tests.conftest import free_port
from ashyq.mocks import services as mocks
from statuses.models import SyncState
from statuses.tasks import sync_registry
from visitors.tasks import door_report_mail
from visitors.tests.factories import DoorReportFactory


@pytest.fixture
def operator(db):
    return UserFactory(role=Role.OPERATOR, is_staff=True)


@dataclass(frozen=True)
class Published:
    task: str
    id: str
    retries: int
    delay: float  # seconds from the publish to the task's ETA (0: none)


@pytest.fixture
def published():
    """Every task message published while the test runs (by the test, the outbox or a
    worker's retry), as the broker receives it."""
    seen: list[Published] = []

    def record(sender=None, headers=None, **kwargs):
        eta = headers.get("eta")
        delay = (datetime.fromisoformat(eta) - datetime.now(UTC)).total_seconds() if eta else 0.0
        seen.append(Published(task=sender, id=headers["id"], retries=headers.get("retries", 0), delay=delay))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _first_retry(published: list[Published], task: str) -> Published:
    """Runs a worker until it has queued the first retry of `task`."""
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        wait_for(lambda: any(p.task == task and p.retries for p in published))
    return next(p for p in published if p.task == task and p.retries)


def publishing_finished(timeout: float = 30) -> None:
    """Wait for the background threads that hand messages to the broker."""
    for thread in threading.enumerate():
        if thread.name.startswith("outbox-"):
            thread.join(timeout)


def test_a_broker_refusing_connections_loses_nothing(
    client, operator, broker_at, caplog, django_capture_on_commit_callbacks
):
    broker_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    client.force_login(operator)
    with caplog.at_level(logging.ERROR, logger="ashyq.queue"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("core:system"))
        publishing_finished()
    assert response.status_code == 302
    assert "Could not queue task ashyq.core.tasks.heartbeat" in caplog.text
    assert OutboxMessage.objects.get().task == "ashyq.core.tasks.heartbeat"  # kept for the relay


def test_a_hanging_broker_does_not_hold_the_request(
    client, operator, broker_at, silent_broker, caplog, django_capture_on_commit_callbacks
):
    broker_at(silent_broker)
    client.force_login(operator)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:system"))
    answered = time.monotonic() - started
    assert response.status_code == 302
    # Within 2 s, as every request must answer: the broker's socket timeout runs in the background thread.
    assert answered < 2
    with caplog.at_level(logging.ERROR, logger="ashyq.queue"):
        publishing_finished()
    assert "Could not queue task" in caplog.text
    assert OutboxMessage.objects.filter(done_at=None).count() == 1


@pytest.mark.django_db
def test_a_task_queued_in_a_transaction_that_rolls_back_is_not_kept(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as sent:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue.enqueue(tasks.heartbeat)
            raise RuntimeError("the change failed")
    assert sent == [] and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_message_delivered_twice_is_handed_to_celery_once(published):
    message = OutboxMessage.objects.create(task=tasks.heartbeat.name)
    assert queue.outbox_run(str(message.pk)) is True
    assert queue.outbox_run(str(message.pk)) is False  # the relay's copy of a slow message
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 1
    # The task itself, under the message's id: a worker runs it as any queued task.
    assert [(p.task, p.id, p.retries) for p in published] == [(tasks.heartbeat.name, str(message.pk), 0)]


@pytest.mark.django_db
def test_a_message_claimed_by_a_live_worker_is_not_handed_over_again_until_its_claim_lapses(published):
    now = timezone.now()
    message = OutboxMessage.objects.create(task=tasks.heartbeat.name, claimed_until=now + timedelta(minutes=1))
    assert queue.outbox_run(str(message.pk)) is False
    assert published == []
    # The worker died: the claim lapsed.
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=now - timedelta(seconds=1))
    assert queue.outbox_run(str(message.pk)) is True
    assert [p.task for p in published] == [tasks.heartbeat.name]


@pytest.mark.django_db
def test_the_relay_sends_what_did_not_run_a_minute_later_and_nothing_else(broker_at):
    # No frozen clock here: the broker client's own timeouts need a running one.
    original = celery_app.conf.broker_url
    now = timezone.now()
    stuck = OutboxMessage.objects.create(task=tasks.heartbeat.name, created_at=now - queue.RESEND_AFTER)
    OutboxMessage.objects.create(task=tasks.heartbeat.name, created_at=now)  # may still be on its way
    OutboxMessage.objects.create(task=tasks.heartbeat.name, created_at=now - timedelta(hours=1), done_at=now)
    assert list(queue.pending(now=now)) == [stuck]

    broker_at(f"redis://127.0.0.1:{free_port()}/0")  # still down: kept, retried next minute
    assert queue.outbox_relay() == 0
    stuck.refresh_from_db()
    assert stuck.sent_at is None

    broker_at(original)  # the broker is back
    assert queue.outbox_relay() == 1
    stuck.refresh_from_db()
    assert stuck.sent_at is not None
    assert list(queue.pending(now=timezone.now())) == []  # not again within the minute


@pytest.mark.django_db
def test_a_failing_task_is_kept_for_another_try_and_given_up_after_five():
    message = OutboxMessage.objects.create(task="ashyq.core.tasks.no_such_task")
    assert queue.outbox_run(str(message.pk)) is False
    message.refresh_from_db()
    assert message.done_at is not None and "unknown task" in message.error
    now = timezone.now()
    tired = OutboxMessage.objects.create(
        task=tasks.heartbeat.name, created_at=now - timedelta(hours=1), attempts=queue.MAX_ATTEMPTS
    )
    assert tired not in queue.pending(now=now)


@pytest.mark.django_db
def test_done_messages_are_purged_after_a_week():
    now = timezone.now()
    OutboxMessage.objects.create(task=tasks.heartbeat.name, done_at=now - timedelta(days=8))
    kept = OutboxMessage.objects.create(task=tasks.heartbeat.name, done_at=now - timedelta(days=6))
    waiting = OutboxMessage.objects.create(task=tasks.heartbeat.name, created_at=now - timedelta(days=30))
    assert queue.outbox_purge() == 1
    assert set(OutboxMessage.objects.all()) == {kept, waiting}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_with_a_real_worker_a_message_kept_while_the_broker_hung_runs_once_when_it_is_back(
    broker_at, silent_broker, finished_tasks
):
    """Queued while Redis hangs, sent by the relay when it is back, run once although
    the relay's copy and a late original both arrive."""
    original = celery_app.conf.broker_url
    broker_at(silent_broker)
    queue.enqueue(tasks.heartbeat)  # autocommit: published at once, in the background
    publishing_finished()
    message = OutboxMessage.objects.get()
    assert message.done_at is None

    broker_at(original)
    celery_app.control.purge()
    # A minute on, as the relay sees it (beat runs it every minute).
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=F("created_at") - queue.RESEND_AFTER)
    assert queue.outbox_relay() == 1
    queue.publish(message)  # a duplicate delivery
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        finished_tasks.wait(queue.outbox_run.name, count=2)  # the relay's copy and the duplicate
    assert WorkerHeartbeat.objects.count() == 1
    message = OutboxMessage.objects.get()
    assert message.attempts == 1 and message.done_at is not None


# --- The task's own retry policy, whoever queued it ------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_mail_queued_through_the_outbox_is_retried_with_its_own_back_off_when_smtp_fails(settings, published):
    """R-CI-3's door report, queued as the guard's check-in queues it, while the mail
    server refuses connections: the worker's attempt fails, and Celery queues a retry
    of the same task, message id kept, due within door_report_mail's own first back-off
    (30 s, with jitter), not a FAILURE left for the relay."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    report = DoorReportFactory()
    UserFactory(role=Role.SANITARY, region=report.region, email="sanitary@example.kz")
    celery_app.control.purge()

    message = queue.enqueue(door_report_mail, report.pk)
    publishing_finished()
    retry = _first_retry(published, door_report_mail.name)

    assert retry.id == str(message.pk) and retry.retries == 1
    assert 0 <= retry.delay <= door_report_mail.retry_backoff + 1
    report.refresh_from_db()
    assert report.mailed_at is None  # released for the retry to send
    message.refresh_from_db()
    assert message.done_at is not None and message.error == ""


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("queued_by", ["outbox", "beat"])
def test_a_registry_sync_is_retried_with_its_own_back_off_whoever_queued_it(registry, published, queued_by):
    """R-RG-3 with the mock failing every request (R-RG-4): the sync queued through the
    outbox (a backlog's follow-up, `sync_all_registries`) and the one beat queues every
    few minutes behave alike: a retry due within sync_registry's first back-off (15 s)."""
    mocks.failure_set("pcr", error_rate=1.0)
    celery_app.control.purge()
    if queued_by == "outbox":
        message = queue.enqueue(sync_registry, "pcr")
        publishing_finished()
        expected_id = str(message.pk)
    else:
        entry = settings.CELERY_BEAT_SCHEDULE["sync-pcr"]
        expected_id = celery_app.send_task(entry["task"], args=entry["args"], **entry["options"]).id

    retry = _first_retry(published, sync_registry.name)

    assert retry.id == expected_id and retry.retries == 1
    assert 0 <= retry.delay <= sync_registry.retry_backoff + 1
    assert SyncState.objects.get(registry="pcr").last_error  # visible to operators
