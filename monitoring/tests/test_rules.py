"""R-MN-3: the ladder of sanctions, at its boundaries."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitoring.rules import EXCLUSION, WARNING, add_months, sanction_for
from venues.standing import rules as standing_rules

ALMATY = ZoneInfo("Asia/Almaty")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


ISSUED = local(2021, 5, 3, 9, 0)  # QR codes first issued on Monday 3 May


HISTORY = standing_rules.issued([], ISSUED, volunteer=False)  # test mode until 10 May 09:00


def test_r_mn_3_r_vn_5_in_the_last_minute_of_test_mode_a_warning():
    at = local(2021, 5, 10, 8, 59)
    in_test_mode = standing_rules.kind_at(HISTORY, at) == standing_rules.TEST_MODE_KIND
    assert in_test_mode
    assert sanction_for(in_test_mode=in_test_mode, prior_exclusions=0, at=at) == (WARNING, None)


def test_r_mn_3_r_vn_5_when_7_times_24_hours_have_passed_an_exclusion_of_2_weeks():
    at = local(2021, 5, 10, 9, 0)
    in_test_mode = standing_rules.kind_at(HISTORY, at) == standing_rules.TEST_MODE_KIND
    assert not in_test_mode
    kind, ends = sanction_for(in_test_mode=in_test_mode, prior_exclusions=0, at=at)
    assert (kind, ends) == (EXCLUSION, at + timedelta(days=14))


def test_r_mn_3_test_mode_is_a_warning_even_after_exclusions():
    assert sanction_for(in_test_mode=True, prior_exclusions=3, at=ISSUED) == (WARNING, None)


def test_r_mn_3_first_exclusion_2_weeks_a_repeat_2_calendar_months():
    at = local(2021, 6, 15, 14, 30)
    assert sanction_for(in_test_mode=False, prior_exclusions=0, at=at) == (EXCLUSION, local(2021, 6, 29, 14, 30))
    assert sanction_for(in_test_mode=False, prior_exclusions=1, at=at) == (EXCLUSION, local(2021, 8, 15, 14, 30))
    assert sanction_for(in_test_mode=False, prior_exclusions=4, at=at) == (EXCLUSION, local(2021, 8, 15, 14, 30))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (local(2021, 12, 31, 18, 0), local(2022, 2, 28, 18, 0)),  # clamped to February's last day
        (local(2023, 12, 31, 18, 0), local(2024, 2, 29, 18, 0)),  # a leap year
        (local(2021, 3, 31, 10, 0), local(2021, 5, 31, 10, 0)),
        (local(2021, 11, 30, 23, 59), local(2022, 1, 30, 23, 59)),
        (local(2021, 12, 31, 0, 30), local(2022, 2, 28, 0, 30)),  # local date, not the UTC one (30 Dec)
    ],
)
def test_r_mn_3_two_calendar_months_keep_the_local_time_and_clamp_the_day(start, end):
    kind, ends = sanction_for(in_test_mode=False, prior_exclusions=1, at=start)
    assert kind == EXCLUSION
    assert ends == end
    assert ends.astimezone(ALMATY).time() == start.time()


def test_add_months_across_the_year():
    assert add_months(date(2021, 12, 31), 2) == date(2022, 2, 28)
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2021, 10, 15), 2) == date(2021, 12, 15)
