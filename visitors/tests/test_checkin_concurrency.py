"""R-CI-5 under concurrency: two simultaneous scans of the same person at the same venue
make one visit, enforced by the database (a unique window row and a conditional
update), not by a check in Python that both requests would pass."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from statuses.persons import person_key
from statuses.tests.factories import iin, local
from visitors import services
from visitors.models import Visit, VisitWindow
from visitors.tests.factories import open_venue

T0 = local(2021, 5, 3, 10)
PERSON = person_key(iin=iin(1))

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every write transaction, so the two requests can never overlap there; "
        "run with DATABASE_URL=postgres://… to test the race",
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
    return services.visit_check_in(
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
