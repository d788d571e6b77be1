"""Readiness (/readyz) and the compose health checks of the worker and beat
(`manage.py healthcheck`): the database, the cache and a worker heartbeat younger than
ten minutes, each failure named."""

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ashyq import celery_app
from ashyq.core import selectors, tasks
from ashyq.core.models import WorkerHeartbeat
from ashyq.core.tests.conftest import free_port

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def _ready(client) -> tuple[int, dict]:
    response = client.get(reverse("core:readyz"))
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def test_ready_when_the_database_the_cache_and_a_recent_heartbeat_are_fine(client):
    WorkerHeartbeat.objects.create(at=NOW - timedelta(seconds=42), hostname="worker-1")
    with time_machine.travel(NOW, tick=False):
        status, body = _ready(client)
    assert status == 200
    assert body == {
        "status": "ready",
        "failed": [],
        "checks": {
            "database": {"ok": True, "detail": ""},
            "cache": {"ok": True, "detail": ""},
            "worker": {"ok": True, "detail": "last heartbeat 42 s ago"},
        },
    }


def test_no_heartbeat_yet_is_not_ready_and_names_the_worker(client):
    status, body = _ready(client)
    assert status == 503
    assert body["status"] == "unavailable" and body["failed"] == ["worker"]
    assert body["checks"]["worker"] == {"ok": False, "detail": "no heartbeat yet"}
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]


def test_a_heartbeat_of_exactly_ten_minutes_is_too_old(client):
    WorkerHeartbeat.objects.create(at=NOW - timedelta(minutes=10), hostname="worker-1")
    with time_machine.travel(NOW - timedelta(microseconds=1), tick=False):
        assert _ready(client)[0] == 200
    with time_machine.travel(NOW, tick=False):
        status, body = _ready(client)
    assert status == 503 and body["failed"] == ["worker"]
    assert body["checks"]["worker"]["detail"] == "last heartbeat 600 s ago"


def test_a_cache_that_does_not_answer_is_named(client):
    WorkerHeartbeat.objects.create(hostname="worker-1")
    down = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        "OPTIONS": settings.CACHE_REDIS_OPTIONS,
    }
    with override_settings(CACHES={"default": down}):
        status, body = _ready(client)
    assert status == 503 and body["failed"] == ["cache"]
    assert body["checks"]["cache"] == {"ok": False, "detail": "does not answer"}


def test_a_cache_that_keeps_nothing_is_named(client):
    WorkerHeartbeat.objects.create(hostname="worker-1")
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        status, body = _ready(client)
    assert status == 503 and body["failed"] == ["cache"]
    assert body["checks"]["cache"]["detail"] == "does not keep a value"


READYZ_PROBE = """
import json, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ashyq.settings"
django.setup()
from django.test import Client
response = Client(HTTP_HOST="localhost").get("/readyz")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
"""


def test_a_database_that_does_not_answer_is_named_with_the_worker_it_hides(tmp_path):
    """Run in a process of its own, whose DATABASE_URL leads to a port nobody listens
    on: the test database itself stays up."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        ASHYQ_VAR_DIR=str(tmp_path), DATABASE_URL=f"postgres://ashyq:ashyq@127.0.0.1:{free_port()}/ashyq", DEBUG="0"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, our own probe)
        [sys.executable, "-c", READYZ_PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["failed"] == ["database", "worker"]
    assert answer["body"]["checks"]["database"] == {"ok": False, "detail": "does not answer"}
    assert answer["body"]["checks"]["worker"]["detail"] == "not known: the database does not answer"
    assert answer["body"]["checks"]["cache"]["ok"]
    assert "ashyq:ashyq" not in result.stdout + result.stderr  # no address or password in the answer or the log


def test_readyz_answers_get_only_and_without_signing_in(client):
    assert client.post(reverse("core:readyz")).status_code == 405
    assert client.get(reverse("core:readyz")).status_code in (200, 503)  # no redirect to sign-in


# --- manage.py healthcheck (docker-compose.yml) ------------------------------------------


def test_the_worker_is_healthy_from_its_own_recent_heartbeat_only(capsys):
    WorkerHeartbeat.objects.create(at=NOW - timedelta(minutes=2), hostname="another-worker")
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(CommandError, match="unhealthy: no heartbeat yet"):
            call_command("healthcheck", "worker")
        call_command("healthcheck", "beat")  # beat's heartbeats are run: by another worker
        WorkerHeartbeat.objects.create(at=NOW - timedelta(minutes=3), hostname=socket.gethostname())
        call_command("healthcheck", "worker")
    assert "healthy: last heartbeat 180 s ago" in capsys.readouterr().out


def test_beat_and_worker_are_unhealthy_when_the_last_heartbeat_is_ten_minutes_old():
    WorkerHeartbeat.objects.create(at=NOW - timedelta(minutes=10), hostname=socket.gethostname())
    with time_machine.travel(NOW, tick=False):
        for service in ("worker", "beat"):
            with pytest.raises(CommandError, match="unhealthy: last heartbeat 600 s ago"):
                call_command("healthcheck", service)
    with time_machine.travel(NOW - timedelta(seconds=1), tick=False):
        call_command("healthcheck", "beat")


def test_the_latest_heartbeat_of_a_host_is_read_by_its_index():
    WorkerHeartbeat.objects.create(at=NOW - timedelta(minutes=1), hostname="a")
    latest = WorkerHeartbeat.objects.create(at=NOW - timedelta(seconds=5), hostname="a")
    WorkerHeartbeat.objects.create(at=NOW, hostname="b")
    assert selectors.last_heartbeat(hostname="a") == latest
    assert selectors.last_heartbeat().hostname == "b"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_that_runs_beats_heartbeat_makes_the_site_ready(client, finished_tasks):
    """The embedded mode's worker (`./run`: the file-system broker) or production's
    (Redis), whichever the settings name: once it has run a heartbeat, /readyz is 200."""
    assert _ready(client)[0] == 503
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        tasks.heartbeat.delay()  # as beat queues it every minute
        finished_tasks.wait(tasks.heartbeat.name)
    status, body = _ready(client)
    assert status == 200, body
    call_command("healthcheck", "worker")  # the same host ran it


def test_every_compose_service_that_keeps_running_has_a_health_check():
    """docker-compose.yml: only the one-shot migrate goes without; the worker's and
    beat's come from the heartbeat (read without a YAML library: services are the
    two-space-indented keys under `services:`)."""
    text = (settings.BASE_DIR / "docker-compose.yml").read_text()
    services: dict[str, list[str]] = {}
    current = None
    for line in text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0].splitlines():
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            current = services.setdefault(line.strip()[:-1], [])
        elif current is not None:
            current.append(line.strip())
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    without = {name for name, lines in services.items() if not any(line == "healthcheck:" for line in lines)}
    assert without == {"migrate"}
    assert 'restart: "no"' in services["migrate"]
    for name in ("worker", "beat"):
        assert f'test: ["CMD", "python", "manage.py", "healthcheck", "{name}"]' in services[name]
