"""The cache as an optimisation only: when Redis is down or hangs, reads miss and
writes are dropped, quickly and without failing the request (a check-in still answers
within 2 s).

The first failure costs one socket timeout (CACHE_REDIS_OPTIONS, 0.25 s); the process
then leaves the cache alone for CACHE_RETRY_SECONDS, so a request that would touch it
five times (session, status, occupancy rules…) does not wait five timeouts. Logged at
most once a minute."""

import logging
import time

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
CACHE_ERRORS = (RedisError, OSError)
CACHE_RETRY_SECONDS = 5.0
_LOG_EVERY = 60.0
_last_logged = 0.0
_skip_until = 0.0


def cache_attempt(operation, default=None):
    """operation() unless the cache failed within CACHE_RETRY_SECONDS; `default` when
    it fails now or did so lately."""
    global _skip_until
    if time.monotonic() < _skip_until:
        return default
    try:
        return operation()
    except CACHE_ERRORS as exc:
        _skip_until = time.monotonic() + CACHE_RETRY_SECONDS
        _unavailable(exc)
        return default


def _unavailable(exc: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY:
        _last_logged = now
        logger.warning("The cache does not answer (%s); going on without it.", type(exc).__name__)


def cache_get(key: str):
    return cache_attempt(lambda: cache.get(key))


def cache_set(key: str, value, timeout: int | None) -> None:
    """`timeout` None: kept until evicted."""
    cache_attempt(lambda: cache.set(key, value, timeout))


def cache_retry_now() -> None:
    """Use the cache again at once, without waiting out CACHE_RETRY_SECONDS (tests)."""
    global _skip_until
    _skip_until = 0.0
