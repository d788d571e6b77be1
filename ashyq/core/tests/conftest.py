"""Fixtures of the fault tests: a broker and a cache that refuse or hang."""

import socket

import pytest

from ashyq import celery_app


def _reset_pools():
    celery_app._pool = None  # the connection pools are bound to the old URL
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_at(monkeypatch):
    """Point the Celery app at another broker for one test."""
    original = celery_app.conf.broker_url

    def use(url):
        # Celery prefers the CELERY_BROKER_URL environment variable (as CI sets it)
        # to its configuration, so both change.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.broker_url = url
        _reset_pools()

    yield use
    monkeypatch.undo()
    celery_app.conf.broker_url = original
    _reset_pools()


@pytest.fixture
def silent_broker():
    """A port that accepts connections and never answers: Redis hanging."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # the kernel completes the handshake; nobody ever reads
        yield f"redis://127.0.0.1:{silent.getsockname()[1]}/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
