"""People inside per hour (R-CI-6 with R-CI-4), read by one statement for a region's
venues: the statement itself, on SQLite and on PostgreSQL, and the hours it fills in."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ashyq.reference.tests.factories import RegionFactory
from venues.tests.factories import VenueFactory
from visitors.hourly import Hour, event_hours, inside_per_hour
from visitors.models import ExitMethod, Visit
from visitors.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
START = datetime(2021, 5, 10, 0, 0, tzinfo=ALMATY)
END = datetime(2021, 5, 11, 0, 0, tzinfo=ALMATY)


def at(hour: int, minute: int = 0, second: int = 0, day: int = 10) -> datetime:
    return datetime(2021, 5, day, hour, minute, second, tzinfo=ALMATY)


def visit(venue, entered: datetime, exited: datetime | None = None, method=ExitMethod.SCAN) -> Visit:
    return VisitFactory(
        venue=venue, entered_at=entered, exited_at=exited, exit_method=method if exited is not None else None
    )


def hours(venue) -> dict[datetime, tuple[int, int]]:
    """Local hour → (entries, most inside) of `venue`'s hours between START and END."""
    rows = event_hours(region_id=venue.region_id, start=START, end=END).get(venue.pk, [])
    return {
        item.hour.astimezone(ALMATY): (item.entries, item.inside)
        for item in inside_per_hour(rows, start=START, end=END)
    }


@pytest.fixture
def venue():
    return VenueFactory(region=RegionFactory())


def test_r_ci_6_long_stays_keep_people_inside_in_hours_without_an_entry(venue):
    for n in range(5):
        visit(venue, at(10, 10, n), at(13, 40))
    assert hours(venue) == {at(10): (5, 5), at(11): (0, 5), at(12): (0, 5), at(13): (0, 5)}


def test_r_ci_4_a_visit_with_no_exit_is_inside_until_4_hours_after_its_entry(venue):
    visit(venue, at(10))
    visit(venue, at(11, 30), at(16), method=ExitMethod.AUTO)  # the task closed it late: 4 h count
    assert hours(venue) == {
        at(10): (1, 1),
        at(11): (1, 2),
        at(12): (0, 2),
        at(13): (0, 2),
        at(14): (0, 1),
        at(15): (0, 1),
    }


def test_r_ci_3_a_visitor_refused_at_the_door_is_a_check_in_never_inside(venue):
    visit(venue, at(10, 5))
    visit(venue, at(10, 6), at(10, 6), method=ExitMethod.REFUSED)
    visit(venue, at(10, 7), at(10, 50))
    assert hours(venue)[at(10)] == (3, 2)


def test_r_ci_6_one_leaving_as_another_comes_in_is_one_inside(venue):
    visit(venue, at(9), at(12))
    visit(venue, at(12), at(12, 30))
    assert hours(venue) == {at(9): (1, 1), at(10): (0, 1), at(11): (0, 1), at(12): (1, 1)}


def test_r_ci_6_an_hour_s_most_is_taken_at_once_not_summed(venue):
    for n in range(30):  # thirty short visits, never more than one inside at a time
        visit(venue, at(18, n * 2), at(18, n * 2 + 1))
    assert hours(venue) == {at(18): (30, 1)}


def test_r_ci_6_people_who_came_before_the_window_are_inside_at_its_start(venue):
    visit(venue, at(22, day=9), at(1, 30))
    visit(venue, at(21, day=9), at(22, day=9))  # gone before the window
    assert hours(venue) == {at(0): (0, 1), at(1): (0, 1)}


def test_r_ci_6_people_inside_at_the_end_are_counted_up_to_it(venue):
    visit(venue, at(22, 30))
    assert hours(venue) == {at(22): (1, 1), at(23): (0, 1)}


def test_only_the_region_s_venues_and_the_window(venue):
    visit(VenueFactory(), at(12))  # another region
    visit(venue, at(0, 0), at(0, 10))
    visit(venue, END, END + timedelta(minutes=5))  # at the end: not in
    found = event_hours(region_id=venue.region_id, start=START, end=END)
    assert list(found) == [venue.pk]
    assert [(hour.astimezone(UTC), entries) for hour, entries, *_rest in found[venue.pk]] == [
        (START.astimezone(UTC), 1)
    ]


def test_filling_in_is_pure():
    utc = START.astimezone(UTC)
    rows = [(utc, 3, 3, 2, False), (utc + timedelta(hours=3), 0, 2, 0, False)]  # two stay three hours
    assert list(inside_per_hour(rows, start=START, end=END)) == [
        Hour(utc, 3, 3),
        Hour(utc + timedelta(hours=1), 0, 2),
        Hour(utc + timedelta(hours=2), 0, 2),
        Hour(utc + timedelta(hours=3), 0, 2),
    ]


# --- Property: the statement agrees with counting people at every moment ---------------------

visits = st.lists(
    st.tuples(
        st.integers(0, 12 * 60),  # entry, minutes after 06:00 (some before the window's 08:00)
        st.one_of(st.none(), st.integers(0, 6 * 60)),  # exit scan that many minutes later, or none
        st.booleans(),  # refused at the door (R-CI-3)
    ),
    max_size=14,
)


def _oracle(rows, *, start: datetime, end: datetime) -> dict[datetime, tuple[int, int]]:
    """UTC hour → (entries from `start` on, most inside at once) by brute force: a visit
    is inside from its entry to its exit or 4 hours, whichever first (R-CI-4), a refused
    one never; the most in an hour is reached at its start or at an entry in it."""
    spans = [(entered, min(left or entered + AUTO, entered + AUTO)) for entered, left, refused in rows if not refused]

    def inside(moment):
        return sum(1 for entered, left in spans if entered <= moment < left)

    found = {}
    hour = start.astimezone(UTC)
    while hour < end:
        nxt = hour + timedelta(hours=1)
        entries = sum(1 for entered, _left, _refused in rows if hour <= entered < nxt and entered >= start)
        moments = [hour] + [entered for entered, _left in spans if hour <= entered < nxt]
        most = max(inside(moment) for moment in moments)
        if entries or most:
            found[hour] = (entries, most)
        hour = nxt
    return found


AUTO = timedelta(hours=4)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(visits=visits)
def test_r_ci_6_the_hours_agree_with_counting_people_at_every_moment(venue, visits):
    base, start, end = at(6), at(8), at(16)
    rows = []
    with transaction.atomic():
        for minute, stay, refused in visits:
            entered = base + timedelta(minutes=minute)
            if refused:
                left, method = entered, ExitMethod.REFUSED
            elif stay is None:
                left, method = None, None
            else:
                left, method = entered + timedelta(minutes=stay), ExitMethod.SCAN
            if left is not None and left < entered:
                continue
            VisitFactory(venue=venue, entered_at=entered, exited_at=left, exit_method=method)
            rows.append((entered, left if not refused else None, refused))
        found = event_hours(region_id=venue.region_id, start=start, end=end).get(venue.pk, [])
        hours = {item.hour: (item.entries, item.inside) for item in inside_per_hour(found, start=start, end=end)}
        transaction.set_rollback(True)
    assert hours == _oracle(rows, start=start, end=end)
