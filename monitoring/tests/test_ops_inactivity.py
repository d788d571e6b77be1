"""Inactivity flags (R-MN-2): the rule at its boundary, outages (R-MN-6), the daily task
and the sanction each new flag triggers (R-MN-3)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from monitoring.models import InactivityFlag, Outage, OutageKind, Sanction, SanctionKind, SanctionState
from monitoring.ops_tasks import flag_inactive_venues
from monitoring.rules import silent_stretch
from monitoring.services.inactivity import inactivity_flag_all
from venues.tests.factories import VenueFactory
from visitors.tests.factories import VisitFactory

ALMATY = ZoneInfo("Asia/Almaty")
D = date(2021, 5, 3)  # a Monday: the last day with a check-in


def day(n: int) -> date:
    return D + timedelta(days=n)


@pytest.mark.parametrize(
    ("today", "outages", "expected"),
    [
        # R-MN-2: the 4th, 5th, 6th: 3 full days → no flag on the 7th.
        (day(4), set(), None),
        # …the 7th is the 4th full day → flagged on the 8th.
        (day(5), set(), (day(1), day(4))),
        # An outage day inside the stretch is not counted: 4 days, one of them an outage.
        (day(5), {day(2)}, None),
        (day(6), {day(2)}, (day(1), day(5))),
        # Today itself is never a full day; an outage today changes nothing.
        (day(5), {day(5)}, (day(1), day(4))),
        # An outage day before the stretch does not matter either.
        (day(5), {D, day(-1)}, (day(1), day(4))),
    ],
)
def test_silent_stretch_boundary(today, outages, expected):
    assert silent_stretch(last_checkin_day=D, since_day=day(-30), today=today, outage_days=outages) == expected


def test_a_venue_that_never_had_a_check_in_counts_from_its_first_full_day():
    since = day(1)
    assert silent_stretch(last_checkin_day=None, since_day=since, today=day(4), outage_days=set()) is None
    assert silent_stretch(last_checkin_day=None, since_day=since, today=day(5), outage_days=set()) == (day(1), day(4))


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=ALMATY)


@pytest.fixture
def venue(db):
    # Codes issued long before the stretch, past test mode (R-VN-5).
    return VenueFactory(codes_first_issued_at=at(day(-60), 10))


def run(now: datetime) -> int:
    with time_machine.travel(now, tick=False):
        return inactivity_flag_all(now=now)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("checkin", "flagged"),
    [
        # 23:59 local on day 0: the 1st–4th are the 4 full days → flagged on the 5th.
        (at(D, 23, 59), True),
        # 00:00 on day 1: the 1st has a check-in, only 3 full days → not yet.
        (at(day(1), 0, 0), False),
    ],
)
def test_a_check_in_at_2359_vs_0000_the_next_day(venue, checkin, flagged):
    VisitFactory(venue=venue, entered_at=checkin)
    assert run(at(day(5), 1, 10)) == int(flagged)
    assert InactivityFlag.objects.filter(venue=venue).exists() is flagged


@pytest.mark.django_db
def test_inactivity_with_and_without_an_outage_in_the_window(venue):
    VisitFactory(venue=venue, entered_at=at(D, 18))
    other = VenueFactory(codes_first_issued_at=at(day(-60), 10))
    VisitFactory(venue=other, entered_at=at(D, 18))
    # An SMS gateway outage from 22:00 on the 2nd to 02:00 on the 3rd: both days do not
    # count (R-MN-6) — for every venue.
    Outage.objects.create(
        starts_at=at(day(2), 22),
        ends_at=at(day(3), 2),
        kind=OutageKind.SMS,
        recorded_by=UserFactory(role=Role.OPERATOR),
    )
    assert run(at(day(5), 1, 10)) == 0  # days 1 and 4 counted: 2
    assert run(at(day(6), 1, 10)) == 0  # 1, 4, 5: 3
    assert run(at(day(7), 1, 10)) == 2  # 1, 4, 5, 6: 4 → flagged
    flag = InactivityFlag.objects.get(venue=venue)
    assert (flag.first_day, flag.last_day) == (day(1), day(6))


@pytest.mark.django_db
def test_the_daily_task_is_idempotent_and_each_new_flag_is_a_sanction(venue):
    VisitFactory(venue=venue, entered_at=at(D, 18))
    active = VenueFactory(codes_first_issued_at=at(day(-60), 10))
    VisitFactory(venue=active, entered_at=at(day(4), 12))
    now = at(day(5), 1, 10)
    with time_machine.travel(now, tick=False):
        assert flag_inactive_venues.apply().get() == 1
        assert flag_inactive_venues.apply().get() == 0
    flag = InactivityFlag.objects.get()
    assert flag.venue == venue
    # R-MN-3: a flag is a sanction trigger; past test mode, the first is an exclusion.
    sanction = Sanction.objects.get()
    assert (sanction.inactivity_flag, sanction.kind) == (flag, SanctionKind.EXCLUSION)
    # The next day the same stretch goes on: no second flag, no second sanction.
    assert run(at(day(6), 1, 10)) == 0
    assert (InactivityFlag.objects.count(), Sanction.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_a_venue_in_test_mode_gets_a_warning():
    # Codes issued at 10:00 on day 0: the first full day is the 1st (R-VN-5 test mode
    # lasts 7 days, so on the 5th the venue is still in it).
    venue = VenueFactory(codes_first_issued_at=at(D, 10))
    assert run(at(day(5), 1, 10)) == 1
    sanction = Sanction.objects.get(venue=venue)
    assert sanction.kind == SanctionKind.WARNING


@pytest.mark.django_db
def test_venues_without_codes_and_excluded_venues_are_not_flagged(venue):
    VenueFactory(codes_first_issued_at=None)  # not approved yet: nothing to check in at
    VisitFactory(venue=venue, entered_at=at(D, 18))
    assert run(at(day(5), 1, 10)) == 1  # flagged and excluded for 2 weeks (R-MN-3)
    VisitFactory(venue=venue, entered_at=at(day(6), 12))
    # A new stretch from the 7th has 4 full days on the 11th, but the venue is excluded
    # (R-MN-4: its codes are refused), so its silence is not flagged…
    assert run(at(day(12), 1, 10)) == 0
    # …until the exclusion is lifted (here: cancelled on appeal, R-MN-5).
    Sanction.objects.update(state=SanctionState.CANCELLED)
    assert run(at(day(12), 1, 10)) == 1
    assert list(InactivityFlag.objects.order_by("first_day").values_list("first_day", flat=True)) == [day(1), day(7)]
