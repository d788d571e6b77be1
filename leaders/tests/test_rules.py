"""The pure rules of Leader Ashyq (DOMAIN.md §8) at their boundaries."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leaders import rules

ALMATY = ZoneInfo("Asia/Almaty")
UTC = ZoneInfo("UTC")


def test_anchor_is_a_monday_and_starts_a_period():  # R-LD-2
    assert rules.PERIOD_ANCHOR.weekday() == 0
    assert rules.period_containing(rules.PERIOD_ANCHOR) == (date(2021, 4, 26), date(2021, 5, 10))


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2021, 5, 9), date(2021, 4, 26)),  # Sunday, last day of the first period
        (date(2021, 5, 10), date(2021, 5, 10)),  # Monday, first day of the next
        (date(2021, 5, 17), date(2021, 5, 10)),  # a Monday inside a period
        (date(2021, 4, 25), date(2021, 4, 12)),  # before the anchor
    ],
)
def test_period_containing_at_its_edges(day, start):  # R-LD-2
    assert rules.period_containing(day) == (start, start + timedelta(days=14))


def test_only_every_other_monday_starts_a_period():  # R-LD-2
    assert rules.is_period_start(date(2021, 5, 10))
    assert not rules.is_period_start(date(2021, 5, 17))
    assert not rules.is_period_start(date(2021, 5, 11))


def test_period_bounds_are_monday_midnight_in_almaty():  # R-LD-2
    start, end = rules.period_bounds_utc(date(2021, 5, 10))
    assert start == datetime(2021, 5, 10, tzinfo=ALMATY)
    assert end == datetime(2021, 5, 24, tzinfo=ALMATY)
    # Almaty is UTC+6 in 2021: the period starts at 18:00 UTC on the Sunday.
    assert start.astimezone(UTC) == datetime(2021, 5, 9, 18, tzinfo=UTC)


def test_last_closed_period_turns_over_at_monday_midnight_local():  # R-LD-2
    before = datetime(2021, 5, 23, 23, 59, 59, tzinfo=ALMATY)
    at = datetime(2021, 5, 24, 0, 0, tzinfo=ALMATY)
    assert rules.last_closed_period(before) == (date(2021, 4, 26), date(2021, 5, 10))
    assert rules.last_closed_period(at) == (date(2021, 5, 10), date(2021, 5, 24))


@pytest.mark.parametrize(
    ("tier", "kind", "limit"),
    [("A", "city", 2000), ("A", "oblast", 1000), ("B", "city", 1000), ("B", "oblast", 500)],
)
def test_thresholds_are_more_than(tier, kind, limit):  # R-LD-1
    assert rules.threshold(tier=tier, region_kind=kind) == limit
    assert not rules.is_candidate(checkins=limit, threshold=limit)
    assert rules.is_candidate(checkins=limit + 1, threshold=limit)


def test_no_tier_has_no_threshold():  # R-LD-4, R-REF-3
    assert rules.threshold(tier="", region_kind="city") is None
    assert not rules.is_candidate(checkins=10**6, threshold=None)


def _days(counts):
    return {date(2021, 5, 10) + timedelta(days=n): c for n, c in enumerate(counts)}


def test_count_above_three_turnovers_of_capacity_is_flagged():
    # capacity 10 × 14 days × 3 = 420
    even = [30] * 14
    assert rules.suspicious_flags(checkins=420, capacity=10, daily=_days(even)) == []
    flags = rules.suspicious_flags(checkins=421, capacity=10, daily=_days([31] + [30] * 13))
    assert flags == [
        {"kind": "over_capacity", "checkins": 421, "capacity": 10, "days": 14, "turnovers_per_day": 3, "limit": 420}
    ]


def test_a_day_above_five_times_the_median_is_a_burst():
    usual = [100] * 13
    assert rules.suspicious_flags(checkins=1800, capacity=1000, daily=_days([*usual, 500])) == []
    flags = rules.suspicious_flags(checkins=1801, capacity=1000, daily=_days([*usual, 501]))
    assert flags == [{"kind": "burst", "day": "2021-05-23", "checkins": 501, "median_day": 100, "factor": 5}]


def test_one_busy_day_in_an_idle_fortnight_is_a_burst():
    flags = rules.suspicious_flags(checkins=2001, capacity=1000, daily=_days([2001] + [0] * 13))
    assert [flag["kind"] for flag in flags] == ["burst"]
    assert flags[0]["median_day"] == 0
