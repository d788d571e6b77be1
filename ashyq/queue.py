"""Enqueueing Celery tasks from web requests: never failing, never hanging, never losing.

A web request that changes data may also queue follow-up work (an e-mail, a sync, a
computation). `enqueue` writes the task into the outbox (ashyq.core.OutboxMessage)
in the same transaction as the change, so both commit or neither does. After the
commit a background thread hands it to the broker: the request answers at once even
when Redis hangs, and a broker failure is only logged. Whatever did not reach a worker
is sent again by the relay (`outbox_relay`, every minute from beat) once the broker is
back.

Once: every delivery of a message runs `outbox_run`, which claims the message with a
conditional UPDATE, hands the task to Celery (`apply_async`, the message's id as the
task's id) and marks the message done. A second delivery (the relay resending a
message that was only slow) finds it claimed or done and does nothing. A worker killed
between the hand-over and the mark lets its claim lapse, and the relay sends the
message again: the tasks themselves are safe to run twice.

From the hand-over on, the task is an ordinary Celery task, exactly as if beat or a
`delay()` had queued it: its own `autoretry_for`, `retry_backoff` and time limits
apply, and a retry keeps the message's id. (Running the task inside `outbox_run`, as
a plain call, skipped all three: a failing SMTP gave one FAILURE and no retry.)
"""

import logging
import threading
from datetime import datetime, timedelta

from celery import current_app, shared_task
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from ashyq.core.models import OutboxMessage

logger = logging.getLogger(__name__)

# A message not done this long after it was last sent is sent again by the relay.
RESEND_AFTER = timedelta(minutes=1)
# How long a worker holds a message while it hands the task over (a publish: seconds).
HAND_OVER_CLAIM = timedelta(minutes=2)
MAX_ATTEMPTS = 5
RELAY_BATCH = 500


def enqueue(task, *args, **kwargs) -> OutboxMessage:
    """Queue `task` with JSON arguments: stored now, sent once the transaction commits."""
    message = OutboxMessage.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: _publish_in_background(message))
    return message


def _publish_in_background(message: OutboxMessage) -> None:
    # A daemon thread: a broker that hangs holds the thread for its socket timeout,
    # never the request. If the process ends first, the relay sends the message.
    threading.Thread(target=publish, args=(message,), name=f"outbox-{message.pk}", daemon=True).start()


def publish(message: OutboxMessage) -> bool:
    """Hand `message` to the broker; False (logged) when the broker is unreachable."""
    try:
        outbox_run.apply_async(args=[str(message.pk)])
    except (OperationalError, OSError) as exc:  # refused, timed out, reset; a bug still raises
        logger.error(
            "Could not queue task %s; the broker is unreachable: %s. It stays in the outbox.", message.task, exc
        )
        return False
    return True


@shared_task(ignore_result=True, acks_late=True, soft_time_limit=50, time_limit=60)
def outbox_run(message_id: str) -> bool:
    """Hand the task of one outbox message to Celery, unless it is done or another
    worker holds it; True when this call handed it over."""
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None or message.done_at is not None:
        return False
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claimed_until=now + HAND_OVER_CLAIM, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    task = current_app.tasks.get(message.task)
    if task is None:
        _finish(message_id, error=f"unknown task {message.task}")
        logger.error("Outbox message %s names an unknown task %s.", message_id, message.task)
        return False
    try:
        # The task's own options (time limits, retry policy) come with it; its id is the
        # message's, so the worker's log and every retry name the message.
        task.apply_async(args=message.args, kwargs=message.kwargs, task_id=str(message.pk))
    except Exception as exc:
        # Left claimed: the relay sends it again when the claim lapses, up to MAX_ATTEMPTS.
        OutboxMessage.objects.filter(pk=message_id).update(error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(message_id)
    return True


def _finish(message_id: str, *, error: str = "") -> None:
    OutboxMessage.objects.filter(pk=message_id).update(done_at=timezone.now(), claimed_until=None, error=error)


def pending(*, now: datetime):
    """The messages the relay should send: not done, not claimed, and never sent or
    sent more than RESEND_AFTER ago."""
    return (
        OutboxMessage.objects.filter(done_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lte=now - RESEND_AFTER))
        .filter(created_at__lte=now - RESEND_AFTER)
        .order_by("created_at")
    )


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def outbox_relay() -> int:
    """Beat, every minute: send again what has not run; returns the messages sent."""
    now = timezone.now()
    sent = 0
    for message in pending(now=now)[:RELAY_BATCH]:
        if not publish(message):
            break  # the broker is down again: the next run tries
        OutboxMessage.objects.filter(pk=message.pk).update(sent_at=now)
        sent += 1
    return sent


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def outbox_purge(days: int = 7) -> int:
    """Nightly: drop messages done more than `days` ago."""
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
