"""Inactivity flags (R-MN-2): the rule at its boundary, outages (R-MN-6), the daily task
and the sanction each new flag triggers (R-MN-3)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.reference.models import OperatingRule, Zone
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory, ZoneChangeFactory
from monitoring.models import InactivityFlag, Outage, OutageKind, Sanction, SanctionKind, SanctionState
from monitoring.ops_tasks import flag_inactive_venues
from monitoring.rules import silent_stretch
from monitoring.services import sanctions
from monitoring.services.inactivity import inactivity_flag_all
from monitoring.services.outages import outage_change, outage_record
from monitoring.tests.factories import exclusion
from venues.standing import rules as standing_rules
from venues.standing.selectors import kind_at
from venues.tests.factories import VenueFactory
from visitors.tests.factories import VisitFactory, count_visits

ALMATY = ZoneInfo("Asia/Almaty")
D = date(2021, 5, 3)  # a Monday: the last day with a check-in


def day(n: int) -> date:
    return D + timedelta(days=n)


@pytest.mark.parametrize(
    ("today", "excused", "expected"),
    [
        # R-MN-2: the 1st, 2nd, 3rd: 3 full days → no flag on the 4th.
        (day(4), set(), None),
        # …the 4th is the 4th full day → flagged when it ends (on the 5th).
        (day(5), set(), (day(1), day(4))),
        # A day not counted (an outage, an exclusion, closed by the conditions) inside
        # the stretch neither counts nor breaks it.
        (day(5), {day(2)}, None),
        (day(6), {day(2)}, (day(1), day(5))),
        # …nor at its start: the stretch begins with its first counted day.
        (day(6), {day(1)}, (day(2), day(5))),
        # Today itself is never a full day; excusing it changes nothing.
        (day(5), {day(5)}, (day(1), day(4))),
        # Days before the stretch do not matter either.
        (day(5), {D, day(-1)}, (day(1), day(4))),
    ],
)
def test_silent_stretch_boundary(today, excused, expected):
    assert silent_stretch(start=day(1), today=today, excused=excused) == expected


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=ALMATY)


@pytest.fixture
def venue(db):
    # Codes issued long before the stretch, past test mode (R-VN-5).
    return VenueFactory(codes_first_issued_at=at(day(-60), 10))


def run(now: datetime) -> int:
    """The nightly flags at `now`, the check-ins written so far counted first (the
    rollup counts those written now; these are written with past moments)."""
    count_visits()
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
    count_visits()
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
def test_a_venue_that_never_had_a_check_in_counts_from_its_first_full_day():
    # Codes issued at 10:00 on day 0: that day is not a full day of working codes.
    venue = VenueFactory(codes_first_issued_at=at(D, 10))
    assert run(at(day(4), 23, 59)) == 0
    assert run(at(day(5), 0, 0)) == 1
    flag = InactivityFlag.objects.get(venue=venue)
    assert (flag.first_day, flag.last_day) == (day(1), day(4))


@pytest.mark.django_db
def test_venues_without_codes_and_excluded_venues_are_not_flagged(venue):
    VenueFactory(codes_first_issued_at=None)  # not approved yet: nothing to check in at
    VisitFactory(venue=venue, entered_at=at(D, 18))
    assert run(at(day(5), 1, 10)) == 1  # flagged and excluded for 2 weeks (R-MN-3)
    # R-MN-4: while it is excluded its codes are refused: its silence is not its own.
    assert run(at(day(12), 1, 10)) == 0
    # Cancelled on appeal at 01:10 on the 12th (R-MN-5): the 12th was partly excluded,
    # so the new stretch counts from the 13th and is flagged when the 16th ends.
    sanction = Sanction.objects.get()
    cancel(sanction, at(day(12), 1, 10))
    assert run(at(day(16), 23, 59)) == 0
    assert run(at(day(17), 0, 5)) == 1
    assert list(InactivityFlag.objects.order_by("first_day").values_list("first_day", "last_day")) == [
        (day(1), day(4)),
        (day(13), day(16)),
    ]


def cancel(sanction, moment):
    with time_machine.travel(moment, tick=False):
        appeal = sanctions.appeal_file(owner=sanction.venue.company.owner, sanction=sanction, text="нет", now=moment)
        akimat = UserFactory(role=Role.AKIMAT, region=sanction.venue.region)
        sanctions.appeal_decide(akimat=akimat, appeal=appeal, cancel=True, reason="да", now=moment)


@pytest.mark.django_db
def test_r_mn_2_no_flag_for_the_days_of_an_exclusion_after_the_owner_returns(venue):
    # Excluded for 2 weeks on the 1st at noon; the owner returns in the afternoon of the
    # day it ends. The silence since the last check-in (day 0) covers the exclusion: none
    # of those days counts, nor the day of the return.
    VisitFactory(venue=venue, entered_at=at(D, 18))
    ends = at(day(15), 12)
    sanction = exclusion(venue, starts_at=at(day(1), 12), ends_at=ends)
    with time_machine.travel(at(day(15), 15), tick=False):
        sanctions.return_request(owner=venue.company.owner, sanction=sanction, now=at(day(15), 15))
    assert run(at(day(16), 1)) == 0  # the night after the return: no flag, no new exclusion
    assert run(at(day(19), 23, 59)) == 0  # the 16th, 17th, 18th: 3 full days
    assert run(at(day(20), 0, 1)) == 1  # the 19th ends: the 4th
    flag = InactivityFlag.objects.get()
    assert (flag.first_day, flag.last_day) == (day(16), day(19))
    assert Sanction.objects.filter(inactivity_flag=flag, kind=SanctionKind.EXCLUSION).exists()


@pytest.mark.django_db
def test_r_mn_2_days_the_conditions_did_not_allow_opening_do_not_count():
    # A volunteer (the others' conditions, R-OP-2) in a red-zone region where its
    # category may not open: never flagged while the zone is red.
    region = RegionFactory()
    ZoneChangeFactory(region=region, zone=Zone.RED, effective_from=day(-90))
    category = CategoryFactory(volunteer=True)
    OperatingRule.objects.create(
        category=category, zone=Zone.RED, for_participants=False, may_open=False, occupancy_percent=0
    )
    volunteer = VenueFactory(region=region, category=category, codes_first_issued_at=at(day(-60), 10))
    VisitFactory(venue=volunteer, entered_at=at(D, 18))
    assert run(at(day(20), 1)) == 0
    # The region turns yellow on the 21st (no row: the default conditions let it open).
    ZoneChangeFactory(region=region, zone=Zone.YELLOW, effective_from=day(21))
    assert run(at(day(24), 23)) == 0
    assert run(at(day(25), 0, 1)) == 1
    assert InactivityFlag.objects.get().first_day == day(21)


@pytest.mark.django_db
def test_r_mn_2_an_outage_recorded_later_withdraws_the_flag_and_lifts_its_exclusion(venue):
    VisitFactory(venue=venue, entered_at=at(D, 18))
    assert run(at(day(5), 1)) == 1
    sanction = Sanction.objects.get()
    assert kind_at(venue, at(day(5), 2)) == standing_rules.EXCLUDED
    # On the 6th an operator records an SMS outage on the 3rd: a counted day.
    recorded = at(day(6), 9)
    with time_machine.travel(recorded, tick=False):
        outage_record(
            operator=UserFactory(role=Role.OPERATOR),
            starts_at=at(day(3), 10),
            ends_at=at(day(3), 12),
            kind=OutageKind.SMS,
            note="",
            now=recorded,
        )
    sanction.refresh_from_db()
    assert (sanction.state, sanction.lifted_at) == (SanctionState.WITHDRAWN, recorded)
    assert InactivityFlag.objects.get().withdrawn_at == recorded
    # Lifted at once: the codes work again from that moment, the past stays as it was.
    assert kind_at(venue, recorded - timedelta(seconds=1)) == standing_rules.EXCLUDED
    assert kind_at(venue, recorded) == standing_rules.PARTICIPANT
    # The stretch is counted again without the 3rd: 1, 2, 4 — the 5th and the 6th were
    # days of the exclusion — and the 7th, whose end raises the flag again.
    assert run(at(day(7), 23)) == 0
    assert run(at(day(8), 0, 1)) == 1
    flag = InactivityFlag.objects.get(withdrawn_at__isnull=True)
    assert (flag.first_day, flag.last_day) == (day(1), day(7))


@pytest.mark.django_db
def test_r_mn_2_an_outage_over_days_the_flag_did_not_count_changes_nothing(venue):
    VisitFactory(venue=venue, entered_at=at(D, 18))
    assert run(at(day(5), 1)) == 1
    with time_machine.travel(at(day(6), 9), tick=False):
        outage_record(
            operator=UserFactory(role=Role.OPERATOR),
            starts_at=at(D, 10),  # the day of the last check-in: not counted
            ends_at=at(D, 12),
            kind=OutageKind.SYSTEM,
            note="",
            now=at(day(6), 9),
        )
    assert Sanction.objects.get().state == SanctionState.ACTIVE
    assert InactivityFlag.objects.get().withdrawn_at is None


@pytest.mark.django_db
def test_r_mn_2_an_ongoing_outage_excuses_every_day_up_to_now(venue):
    VisitFactory(venue=venue, entered_at=at(D, 18))
    operator = UserFactory(role=Role.OPERATOR)
    with time_machine.travel(at(day(2), 9), tick=False):  # the gateway failed on the 2nd, still down
        outage_record(operator=operator, starts_at=at(day(2), 8), ends_at=None, kind=OutageKind.SMS, note="",
                      now=at(day(2), 9))  # fmt: skip
    # Counted: the 1st only, however long the outage lasts.
    assert run(at(day(9), 1)) == 0
    assert not InactivityFlag.objects.exists()


@pytest.mark.django_db
def test_r_mn_2_an_ongoing_outage_recorded_later_withdraws_the_flag(venue):
    VisitFactory(venue=venue, entered_at=at(D, 18))
    assert run(at(day(5), 1)) == 1
    recorded = at(day(5), 9)
    with time_machine.travel(recorded, tick=False):
        outage_record(operator=UserFactory(role=Role.OPERATOR), starts_at=at(day(4), 22), ends_at=None,
                      kind=OutageKind.SYSTEM, note="", now=recorded)  # fmt: skip
    assert InactivityFlag.objects.get().withdrawn_at == recorded
    assert Sanction.objects.get().state == SanctionState.WITHDRAWN


@pytest.mark.django_db
def test_r_mn_2_an_outage_changed_to_cover_a_counted_day_withdraws_the_flag(venue):
    VisitFactory(venue=venue, entered_at=at(D, 18))
    operator = UserFactory(role=Role.OPERATOR)
    with time_machine.travel(at(day(1), 9), tick=False):  # recorded on the day of the last check-in only
        outage = outage_record(operator=operator, starts_at=at(D, 20), ends_at=at(D, 23), kind=OutageKind.SMS,
                               note="", now=at(day(1), 9))  # fmt: skip
    assert run(at(day(5), 1)) == 1
    changed = at(day(5), 10)
    with time_machine.travel(changed, tick=False):  # it lasted into the 1st, in fact
        outage_change(operator=operator, outage=outage, starts_at=at(D, 20), ends_at=at(day(1), 3),
                      kind=OutageKind.SMS, note="until 3 am", now=changed)  # fmt: skip
    assert InactivityFlag.objects.get().withdrawn_at == changed
    assert Sanction.objects.get().state == SanctionState.WITHDRAWN
    assert kind_at(venue, changed) == standing_rules.PARTICIPANT
