"""R-CI-5 under concurrency: two simultaneous scans of the same person at the same venue
make one visit, enforced by the database (a unique window row and a conditional
update), not by a check in Python that both requests would pass."""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test import Client
from django.test.testcases import LiveServerThread
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.tests.factories import CitizenFactory
from statuses.persons import person_key
from statuses.tests.factories import iin, local
from venues.codes.selectors import code_token
from venues.models import Direction, QrCode
from visitors.models import StatusLookup, Visit, VisitWindow
from visitors.services import checkin
from visitors.tests.factories import GuardFactory, open_venue

T0 = local(2021, 5, 3, 10)
PERSON = person_key(iin=iin(1))

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every write transaction (and the test server's threads share one in-memory "
        "connection), so simultaneous requests never overlap there; run with DATABASE_URL=postgres://… to test the race",
    ),
]


def simultaneously(count, call):
    """Run `call` in `count` threads released together; the results in any order."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


def check_in(venue, at):
    return checkin.visit_check_in(
        venue=venue, entrance=venue.entrances.first(), person=PERSON, colour="green", method="scan", now=at
    ).counted


def test_r_ci_5_two_simultaneous_first_scans_make_one_visit():
    venue = open_venue(now=T0 - timedelta(days=20))

    counted = simultaneously(2, lambda: check_in(venue, T0))

    assert sorted(counted) == [False, True]
    assert Visit.objects.count() == 1
    assert VisitWindow.objects.get().until == T0 + timedelta(minutes=30)


def test_r_ci_5_two_simultaneous_scans_after_the_window_expired_make_one_new_visit():
    venue = open_venue(now=T0 - timedelta(days=20))
    assert check_in(venue, T0)
    later = T0 + timedelta(minutes=45)

    counted = simultaneously(4, lambda: check_in(venue, later))

    assert sorted(counted) == [False, False, False, True]
    assert Visit.objects.count() == 2
    assert VisitWindow.objects.get().until == later + timedelta(minutes=30)


# --- 50 simultaneous requests through the real HTTP stack -------------------------------------

THREADS = 50
MIN_OVERLAP = 10  # requests served at the same moment, at least


class _WideBacklogServer(ThreadedWSGIServer):
    # Django's test server listens with a backlog of 10: the kernel would reset most of
    # 50 simultaneous connections before Django saw them. Gunicorn's is 2048.
    request_queue_size = 128


class _LiveServerThread(LiveServerThread):
    server_class = _WideBacklogServer


class InFlight:
    """WSGI wrapper counting the requests being served at the same moment: proof that
    the 50 requests did overlap in the server, not only in the test's threads."""

    def __init__(self, app):
        self.app, self.now, self.peak = app, 0, 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self.now -= 1


@pytest.fixture
def door_server(transactional_db, settings):
    """pytest-django's live_server, threaded the same way (a thread and a database
    connection per request), with a production-like listen backlog; yields (url,
    InFlight)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    counter = []
    thread = _LiveServerThread("127.0.0.1", static_handler=lambda app: counter.append(InFlight(app)) or counter[0])
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}", counter[0]
    thread.terminate()


def http(method, url, *, cookies, data=None):
    """(status, body, Set-Cookie headers) of one request to the live server."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        url, data=body, method=method, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read().decode(), response.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), []


def session_of(user, settings):
    """The cookies of a browser where `user` signed in, in English."""
    client = Client()
    client.force_login(user)
    return {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.LANGUAGE_COOKIE_NAME: "en",
    }


def at_once(call):
    """`call` from THREADS threads released together; every result, or the first error."""
    barrier = threading.Barrier(THREADS)

    def run(_):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def test_fifty_guards_posting_the_same_check_in_make_one_visit_and_no_500(door_server, settings):
    """R-CI-5, R-PR-3 under load: the same guard's page posts the same IIN 50 times at
    once (a double-tapping phone, a retrying network): every answer is the colour,
    one entry is counted, every look-up is audited."""
    settings.VENUE_LOOKUPS_PER_MINUTE = settings.COMPANY_LOOKUPS_PER_MINUTE = 1000
    base, in_flight = door_server
    venue = open_venue(now=timezone.now() - timedelta(days=20))
    guard = GuardFactory(venue=venue)
    cookies = session_of(guard, settings)
    status, page, set_cookies = http("GET", base + reverse("checkin:guard"), cookies=cookies)
    assert status == 200
    cookies[settings.CSRF_COOKIE_NAME] = next(
        c.split(";")[0].split("=", 1)[1] for c in set_cookies if c.startswith(settings.CSRF_COOKIE_NAME + "=")
    )
    form = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1),
        "entrance": venue.entrances.get().pk,
        "iin": iin(1),
        "consent": "on",
    }
    url = base + reverse("checkin:guard_lookup")

    answers = at_once(lambda: http("POST", url, cookies=cookies, data=form)[:2])

    assert sorted({status for status, _ in answers}) == [200], [body[:300] for s, body in answers if s != 200]
    assert all('data-status="blue"' in body for _, body in answers)
    assert sum("data-not-counted" not in body for _, body in answers) == 1
    assert Visit.objects.count() == 1
    assert StatusLookup.objects.filter(actor=guard, venue=venue).count() == THREADS  # R-PR-3
    assert in_flight.peak >= MIN_OVERLAP, in_flight.peak


def test_fifty_simultaneous_scans_of_the_same_code_by_one_citizen_make_one_visit_and_no_500(door_server, settings):
    """R-CI-1, R-CI-5 under load: one citizen's /q/<token> opened 50 times at once."""
    base, in_flight = door_server
    venue = open_venue(now=timezone.now() - timedelta(days=20))
    citizen = CitizenFactory(iin=iin(2))
    cookies = session_of(citizen, settings)
    code = QrCode.objects.get(entrance__venue=venue, direction=Direction.ENTRY)
    url = base + reverse("checkin:scan", args=[code_token(code)])

    answers = at_once(lambda: http("GET", url, cookies=cookies)[:2])

    assert sorted({status for status, _ in answers}) == [200], [body[:300] for s, body in answers if s != 200]
    assert sum("Checked in at" in body for _, body in answers) == 1
    assert sum("Already checked in at" in body for _, body in answers) == THREADS - 1
    assert Visit.objects.get().user == citizen
    assert in_flight.peak >= MIN_OVERLAP, in_flight.peak
