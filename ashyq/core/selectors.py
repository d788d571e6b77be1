"""Reads of the core app: the worker's heartbeat and what readiness (/readyz, the
compose health checks) is made of."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import caches
from django.db import DatabaseError, connection

from ashyq.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Beat queues a heartbeat every minute; ten missed in a row mean no worker (or no beat)
# runs the periodic work: the registry sync, the auto-close, the outbox relay.
HEARTBEAT_MAX_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class Check:
    """One readiness check: its name, whether it passed, and a word for the operator
    (never an exception's text: it may hold a host name or a password)."""

    name: str
    ok: bool
    detail: str = ""


def last_heartbeat(*, hostname: str | None = None) -> WorkerHeartbeat | None:
    """The latest heartbeat, or the latest one written by the worker on `hostname`."""
    heartbeats = WorkerHeartbeat.objects.order_by("-at")
    if hostname is not None:
        heartbeats = heartbeats.filter(hostname=hostname)
    return heartbeats.first()


def heartbeat_check(*, now: datetime, hostname: str | None = None) -> Check:
    """A worker ran beat's heartbeat task less than HEARTBEAT_MAX_AGE ago."""
    heartbeat = last_heartbeat(hostname=hostname)
    if heartbeat is None:
        return Check("worker", False, "no heartbeat yet")
    age = now - heartbeat.at
    seconds = max(0, int(age.total_seconds()))
    if age >= HEARTBEAT_MAX_AGE:
        return Check("worker", False, f"last heartbeat {seconds} s ago")
    return Check("worker", True, f"last heartbeat {seconds} s ago")


def readiness(*, now: datetime) -> list[Check]:
    """The database answers, the cache keeps what it is given, and a worker's heartbeat
    is younger than HEARTBEAT_MAX_AGE: in that order, each checked even when another
    failed (the worker's needs the database)."""
    database = _database_check()
    if database.ok:
        try:
            worker = heartbeat_check(now=now)
        except DatabaseError:
            logger.warning("Readiness: the heartbeat could not be read.", exc_info=True)
            worker = Check("worker", False, "heartbeat unreadable")
    else:
        worker = Check("worker", False, "not known: the database does not answer")
    return [database, _cache_check(), worker]


def _database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Readiness: the database does not answer (%s).", type(exc).__name__)
        if not connection.in_atomic_block:
            connection.close()  # the next request opens a new connection
        return Check("database", False, "does not answer")
    return Check("database", True)


def _cache_check() -> Check:
    """A value written is read back. The cache only saves work elsewhere (ashyq.cache
    goes on without it), but a Redis that is down slows every request by its timeout
    and loses the sessions' copies: not ready."""
    cache = caches["default"]
    key, value = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    try:
        cache.set(key, value, 30)
        kept = cache.get(key) == value
        cache.delete(key)
    except Exception as exc:  # any backend's error: redis-py's, a socket's, a pickle's
        logger.warning("Readiness: the cache does not answer (%s).", type(exc).__name__)
        return Check("cache", False, "does not answer")
    if not kept:
        return Check("cache", False, "does not keep a value")
    return Check("cache", True)
