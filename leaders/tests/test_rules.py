"""The pure rules of Leader Ashyq (docs/rules.md §8) at their boundaries."""

from datetime import date, datetime, time, timedelta
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


# --- Out of hours (R-LD-1's flags) -------------------------------------------------------------

DAYTIME = (time(8), time(23))
LATE = (time(8), time(2))  # past midnight
ROUND = (time(0), time(0))


@pytest.mark.parametrize(
    ("hour", "today", "yesterday", "outside"),
    [
        (7, DAYTIME, DAYTIME, True),  # 07:00–08:00 wholly before opening
        (8, DAYTIME, DAYTIME, False),
        (22, DAYTIME, DAYTIME, False),  # 22:00–23:00 ends at closing
        (23, DAYTIME, DAYTIME, True),  # 23:00 is closed
        (8, (time(8, 30), time(23)), DAYTIME, False),  # partly open counts as open
        (23, LATE, DAYTIME, False),
        (1, LATE, LATE, False),  # yesterday's opening runs until 02:00
        (2, LATE, LATE, True),
        (1, LATE, DAYTIME, True),  # today's 08:00–02:00 does not cover this 01:00
        (1, None, LATE, False),  # closed today, yet yesterday's night goes on
        (12, None, LATE, True),  # may not open
        (3, ROUND, None, False),  # round the clock
        (3, None, ROUND, True),  # yesterday's round the clock ended at midnight
        (3, (time(8), time(8)), (time(8), time(8)), False),  # 24 hours from 08:00
    ],
)
def test_an_hour_is_outside_when_no_opening_touches_it(hour, today, yesterday, outside):
    assert rules.hour_outside(hour, today, yesterday) is outside


@pytest.mark.parametrize(
    ("outside", "total", "flagged"),
    [
        (100, 1000, False),  # exactly 10 % is not more than 10 %
        (101, 1000, True),
        (99, 500, False),  # 19.8 %, but fewer than 100 (Decided)
        (100, 999, True),
        (0, 0, False),
    ],
)
def test_out_of_hours_flag_needs_more_than_10_percent_and_100(outside, total, flagged):
    flag = rules.out_of_hours_flag(outside=outside, total=total)
    assert (flag is not None) is flagged
    if flagged:
        assert flag == {"kind": "out_of_hours", "checkins": outside, "total": total, "percent": 10}


def test_out_of_hours_percent_is_rounded_half_up():
    assert rules.out_of_hours_flag(outside=125, total=1000)["percent"] == 13  # 12.5 %
    assert rules.out_of_hours_flag(outside=124, total=1000)["percent"] == 12


def test_out_of_hours_comes_with_the_other_flags():
    flags = rules.suspicious_flags(checkins=1000, capacity=1000, daily=_days([1000 // 14] * 14), outside=300)
    assert flags == [{"kind": "out_of_hours", "checkins": 300, "total": 1000, "percent": 30}]


def test_the_first_period_holds_the_first_admission():  # R-LD-2, R-REF-4: 26 Feb 2021
    assert rules.is_period_start(rules.FIRST_PERIOD_START)
    assert rules.period_containing(date(2021, 2, 26))[0] == rules.FIRST_PERIOD_START


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("47", "47"),
        ("№ 47", "47"),
        ("№47", "47"),
        (" № № 47 ", "47"),
        ("No. 47", "47"),
        ("N 12-Л", "12-Л"),
        ("#9", "9"),
        ("Nov-3", "Nov-3"),  # a word is not a sign
        ("12/НК", "12/НК"),
        ("№", ""),
    ],
)
def test_r_ld_3_the_decision_number_is_stored_without_the_sign_typed_before_it(typed, stored):
    assert rules.decision_number(typed) == stored
