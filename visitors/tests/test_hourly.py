"""People inside per hour (R-CI-6 with R-CI-4), read by one statement for a region's
venues: the statement itself, on SQLite and on PostgreSQL, and the hours it fills in."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

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
