"""The cache as an optimisation only: when Redis is down or hangs, reads miss and
writes are dropped, quickly (CACHES' socket timeouts) and without failing the request
(issue 8: a check-in still answers within 2 s). Logged at most once a minute."""

import logging
import time

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_CACHE_ERRORS = (RedisError, OSError)
_LOG_EVERY = 60.0
_last_logged = 0.0


def _unavailable(exc: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY:
        _last_logged = now
        logger.warning("The cache does not answer (%s); going on without it.", type(exc).__name__)


def cache_get(key: str):
    try:
        return cache.get(key)
    except _CACHE_ERRORS as exc:
        _unavailable(exc)
        return None


def cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except _CACHE_ERRORS as exc:
        _unavailable(exc)
