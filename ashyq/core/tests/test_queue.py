"""A web request that enqueues a task answers even when the broker is down."""

import logging
import socket
import time

import pytest
from django.urls import reverse

from ashyq import celery_app
from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory


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
def operator(db):
    return UserFactory(role=Role.OPERATOR, is_staff=True)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_enqueue_with_broker_refusing_connections(
    client, operator, broker_at, caplog, django_capture_on_commit_callbacks
):
    broker_at(f"redis://127.0.0.1:{_free_port()}/0")  # nothing listens there
    client.force_login(operator)
    with caplog.at_level(logging.ERROR, logger="ashyq.queue"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:system"))
    assert response.status_code == 302
    assert "Could not queue task ashyq.core.tasks.heartbeat" in caplog.text


def test_enqueue_with_broker_that_hangs(client, operator, broker_at, caplog, django_capture_on_commit_callbacks):
    """A broker that accepts the connection and never answers: the request still ends."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes the handshake; nobody ever reads
        broker_at(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        client.force_login(operator)
        started = time.monotonic()
        with caplog.at_level(logging.ERROR, logger="ashyq.queue"), django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("core:system"))
    assert response.status_code == 302
    assert "Could not queue task" in caplog.text
    # Not a speed target: proof that the broker's socket timeout, not the test, ended it.
    assert time.monotonic() - started < 60
