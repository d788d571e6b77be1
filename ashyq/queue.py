"""Enqueueing Celery tasks from web requests without ever failing the request.

A web request that changes data may also queue follow-up work (an e-mail, a sync).
If the broker is down or hangs, the change is already committed and the user must
still get his answer: the task is queued after the commit, and a broker failure is
logged and swallowed. Periodic tasks (beat) and operators pick up what was missed.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> None:
    """Queue `task` with JSON arguments once the current transaction commits."""

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except (OperationalError, OSError) as exc:  # refused, timed out, reset; a bug still raises
            logger.error("Could not queue task %s; the broker is unreachable: %s", task.name, exc)

    transaction.on_commit(send)
