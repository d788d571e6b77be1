"""Enqueueing Celery tasks from web requests: never failing, never hanging, never losing.

A web request that changes data may also queue follow-up work (an e-mail, a sync, a
computation). `enqueue` writes the task into the outbox (ashyq.core.OutboxMessage)
in the same transaction as the change, so both commit or neither does. After the
commit a background thread hands it to the broker: the request answers at once even
when Redis hangs (issue 8), and a broker failure is only logged. Whatever did not
reach a worker is sent again by the relay (`outbox_relay`, every minute from beat)
once the broker is back.

Exactly once: every delivery of a message runs `outbox_run`, which claims the
message with a conditional UPDATE before running the task, and marks it done after.
A second delivery (the relay resending a message that was only slow) finds it
claimed or done and does nothing. A worker killed mid-task lets its claim lapse and
the relay sends the message again: the tasks themselves are safe to run twice.
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
# A claim lasts the task's own hard time limit plus a margin, or this by default.
DEFAULT_CLAIM = timedelta(minutes=15)
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
    task = current_app.tasks.get(message.task)
    limits = {}
    if task is not None and task.time_limit:
        limits = {"time_limit": task.time_limit, "soft_time_limit": task.soft_time_limit}
    try:
        outbox_run.apply_async(args=[str(message.pk)], **limits)
    except (OperationalError, OSError) as exc:  # refused, timed out, reset; a bug still raises
        logger.error(
            "Could not queue task %s; the broker is unreachable: %s. It stays in the outbox.", message.task, exc
        )
        return False
    return True


def _claim_length(task) -> timedelta:
    if task is not None and task.time_limit:
        return timedelta(seconds=task.time_limit) + timedelta(minutes=1)
    return DEFAULT_CLAIM


@shared_task(ignore_result=True, acks_late=True)
def outbox_run(message_id: str) -> bool:
    """Run the task of one outbox message, unless it is done or another worker holds
    it; True when this call ran it."""
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None or message.done_at is not None:
        return False
    task = current_app.tasks.get(message.task)
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claimed_until=now + _claim_length(task), attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    if task is None:
        _finish(message_id, error=f"unknown task {message.task}")
        logger.error("Outbox message %s names an unknown task %s.", message_id, message.task)
        return False
    try:
        task(*message.args, **message.kwargs)
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
