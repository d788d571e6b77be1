"""Redis accepting connections but never answering — as cache and as broker —
and a guard's check-in still answers within 2 s, and the door report it had to queue
is kept in the outbox for when Redis is back."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ashyq.cache import cache_retry_now
from ashyq.core.models import OutboxMessage
from statuses.tests.factories import PcrResultFactory, iin, synced
from visitors.models import DoorReport, Visit
from visitors.tests.factories import GuardFactory, open_venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanging_redis(broker_at, silent_broker):
    """The cache and the broker both at a Redis that never answers, with the
    project's own client timeouts (settings.CACHE_REDIS_OPTIONS)."""
    broker_at(silent_broker)
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": silent_broker,
        "OPTIONS": settings.CACHE_REDIS_OPTIONS,
    }
    with override_settings(CACHES={"default": cache}):
        yield
    cache_retry_now()  # the next test's cache is a working one


def test_a_check_in_answers_within_2_s_and_its_door_report_waits_in_the_outbox(
    client, hanging_redis, django_capture_on_commit_callbacks
):
    now = timezone.now()
    synced(now)  # fresh data; the session and occupancy rules would be cached, and the cache hangs
    venue = open_venue(now=now - timedelta(days=10))
    client.force_login(GuardFactory(venue=venue))
    PcrResultFactory(iin=iin(7), positive=True, sampled_at=now - timedelta(days=1))

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("checkin:guard_lookup"),
            {"entrance": venue.entrances.first().pk, "iin": iin(7), "consent": "on"},
        )
    answered = time.monotonic() - started

    assert response.status_code == 200
    assert 'data-status="red"' in response.content.decode()
    assert answered < 2
    assert Visit.objects.filter(venue=venue).count() == 1
    report = DoorReport.objects.get()
    message = OutboxMessage.objects.get(task="visitors.tasks.door_report_mail")
    assert (message.args, message.done_at) == ([report.pk], None)  # sent when Redis is back


def test_the_guards_limits_hold_while_redis_hangs(client, hanging_redis, settings):
    """The limits are counted in the database (SECURITY.md): Redis hanging changes nothing."""
    settings.VENUE_LOOKUPS_PER_MINUTE = 2
    now = timezone.now()
    synced(now)
    venue = open_venue(now=now - timedelta(days=10))
    client.force_login(GuardFactory(venue=venue))
    answers = [
        client.post(
            reverse("checkin:guard_lookup"),
            {"entrance": venue.entrances.first().pk, "iin": iin(20 + n), "consent": "on"},
        ).status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 429]
