"""Sessions read from the cache, kept in the database (ashyq.accounts.sessions, BENCHMARKS.md):
a signed-in request does not read django_session; signing out ends the cached copy too;
a cache that hangs costs one socket timeout, then is left alone (ashyq.cache)."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.tests.factories import CitizenFactory
from ashyq.cache import cache_retry_now
from statuses.tests.factories import PcrResultFactory, iin, synced
from visitors.models import Visit
from visitors.tests.factories import GuardFactory, open_venue

pytestmark = pytest.mark.django_db


def _session_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]


def test_a_signed_in_request_reads_its_session_from_the_cache():
    client = Client()
    client.force_login(CitizenFactory())
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("visitors:link_iin")).status_code == 200
    assert _session_queries(captured) == []


def test_with_the_cache_emptied_the_session_is_read_from_the_database_and_kept_again():
    client = Client()
    user = CitizenFactory()
    client.force_login(user)
    cache.clear()  # e.g. Redis restarted
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("visitors:link_iin")).context["user"] == user
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse("visitors:link_iin")).context["user"] == user
    assert len(_session_queries(first)) == 1
    assert _session_queries(second) == []


def test_signing_out_ends_the_cached_session_too():
    client = Client()
    client.force_login(CitizenFactory())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:logout"))

    thief = Client()  # someone who copied the cookie before the sign-out
    thief.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = thief.get(reverse("visitors:me"))
    assert response.status_code == 302
    assert not thief.session.get("_auth_user_id")


@pytest.fixture
def hanging_cache(silent_broker):
    """The cache at a Redis that never answers, with the project's client timeouts."""
    hanging = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": silent_broker,
        "OPTIONS": settings.CACHE_REDIS_OPTIONS,
    }
    cache_retry_now()
    with override_settings(CACHES={"default": hanging}):
        yield
    cache_retry_now()


def test_a_hanging_cache_costs_a_check_in_one_socket_timeout_not_one_per_cache_operation(hanging_cache):
    """The session (read, then written back), the status, the occupancy rules: each
    would wait CACHE_REDIS_OPTIONS' 0.25 s; after the first failure the process leaves
    the cache alone for CACHE_RETRY_SECONDS."""
    now = timezone.now()
    synced(now)
    venue = open_venue(now=now - timedelta(days=10))
    client = Client()
    client.force_login(GuardFactory(venue=venue))  # its cache write fails: one timeout
    cache_retry_now()
    PcrResultFactory(iin=iin(7), positive=False, sampled_at=now - timedelta(days=1))

    started = time.monotonic()
    response = client.post(
        reverse("checkin:guard_lookup"), {"entrance": venue.entrances.first().pk, "iin": iin(7), "consent": "on"}
    )
    answered = time.monotonic() - started

    assert response.status_code == 200
    assert 'data-status="green"' in response.content.decode()
    assert Visit.objects.filter(venue=venue).count() == 1
    timeout = settings.CACHE_REDIS_OPTIONS["socket_timeout"]
    assert answered < 2 * timeout  # one wait of `timeout`, not five or more
