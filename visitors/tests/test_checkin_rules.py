"""The rules of the visit as pure functions and constants (docs/rules.md §7, §11): no database."""

from datetime import timedelta

import pytest
from django.utils import translation

from statuses.tests.factories import local
from visitors import rules

T0 = local(2021, 5, 3, 10)


def test_r_ci_5_the_visit_window_is_30_minutes_and_r_ci_4_auto_close_4_hours_and_r_pr_2_retention_28_days():
    assert rules.VISIT_WINDOW == timedelta(minutes=30)
    assert rules.AUTO_CLOSE_AFTER == timedelta(hours=4)
    assert rules.IDENTIFIER_RETENTION == timedelta(days=28)


@pytest.mark.parametrize(
    ("capacity", "percent", "allowed"),
    [(80, 100, 80), (80, 50, 40), (7, 50, 3), (1, 50, 0), (150, 110, 165), (99, 0, 0)],
)
def test_r_ci_6_allowed_occupancy_is_capacity_times_percent_rounded_down(capacity, percent, allowed):
    assert rules.allowed_occupancy(capacity, percent) == allowed


def test_occupancy_percent_is_of_the_allowed_number_and_zero_when_nobody_is_allowed():
    assert rules.occupancy_percent(40, 80) == 50
    assert rules.occupancy_percent(81, 80) == 101
    assert rules.occupancy_percent(3, 0) == 0


@pytest.mark.parametrize(("colour", "reported"), [("red", True), ("yellow", True), ("green", False), ("blue", False)])
def test_r_ci_3_red_and_yellow_are_turned_away_with_an_instruction_green_and_blue_admitted(colour, reported):
    assert rules.is_reported(colour) is reported
    with translation.override("en"):
        instruction = str(rules.door_instruction(colour))
    if reported:
        assert "Do not admit" in instruction
        assert "waiting zone" in instruction
    else:
        assert instruction == ""


def test_rate_limits_have_their_defaults_and_follow_the_settings(settings):
    names = ("VENUE_LOOKUPS_PER_MINUTE", "VENUE_LOOKUPS_PER_SEAT", "VENUE_LOOKUPS_DAY_MIN")
    for name in (*names, "COMPANY_LOOKUPS_PER_MINUTE", "COMPANY_LOOKUPS_PER_DAY"):
        if hasattr(settings, name):
            delattr(settings, name)
    limits = (
        rules.venue_lookups_per_minute(),
        rules.venue_lookups_per_day(50),
        rules.venue_lookups_per_day(5),
        rules.company_lookups_per_minute(),
        rules.company_lookups_per_day(),
    )
    assert limits == (30, 500, 100, 60, 10000)
    settings.VENUE_LOOKUPS_PER_MINUTE, settings.VENUE_LOOKUPS_PER_SEAT, settings.VENUE_LOOKUPS_DAY_MIN = 5, 3, 20
    settings.COMPANY_LOOKUPS_PER_MINUTE, settings.COMPANY_LOOKUPS_PER_DAY = 7, 70
    limits = (
        rules.venue_lookups_per_minute(),
        rules.venue_lookups_per_day(50),
        rules.venue_lookups_per_day(5),
        rules.company_lookups_per_minute(),
        rules.company_lookups_per_day(),
    )
    assert limits == (5, 150, 20, 7, 70)


@pytest.mark.parametrize(
    ("oldest", "window", "seconds"),
    [
        (T0 - timedelta(seconds=59), timedelta(minutes=1), 1),
        (T0 - timedelta(seconds=1), timedelta(minutes=1), 59),
        (T0, timedelta(minutes=1), 60),
        (T0 - timedelta(seconds=10, milliseconds=500), timedelta(minutes=1), 50),  # 49.5 s: rounded up
        (T0 - timedelta(hours=1), timedelta(days=1), 23 * 3600),
    ],
)
def test_retry_after_is_the_whole_seconds_until_the_look_up_leaves_the_window(oldest, window, seconds):
    assert rules.retry_after_seconds(oldest=oldest, window=window, now=T0) == seconds


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("C01X00T47", "C01X00T47"),
        ("c01x 00t47", "C01X00T47"),
        ("N-12345", "N12345"),
        ("1234", None),  # too short
        ("A" * 21, None),  # too long
        ("N12345!", None),
        ("Н12345", None),  # Cyrillic letters are not in a passport's machine-readable number
        ("", None),
    ],
)
def test_r_id_4_a_passport_number_is_5_to_20_latin_letters_and_digits(typed, number):
    assert rules.normalise_passport(typed) == number


@pytest.mark.parametrize(("typed", "code"), [("DE", "DE"), (" de ", "DE"), ("DEU", None), ("D", None), ("Д1", None)])
def test_r_id_4_a_country_is_two_latin_letters(typed, code):
    assert rules.normalise_country(typed) == code
