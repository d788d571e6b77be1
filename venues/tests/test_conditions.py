"""Operating conditions of a venue at a moment and on a day (R-OP-1, R-OP-2, R-VN-9) and
the leader shift (R-LD-5), with the door's occupancy share and the owner's venue page
that use them."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from ashyq.reference.models import OperatingRule, Zone
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory, ZoneChangeFactory
from leaders.tests.factories import leader_term
from monitoring.models import SanctionState
from monitoring.tests.factories import exclusion
from venues.conditions import (
    Shares,
    Terms,
    closed_days,
    conditions_at,
    conditions_bulk,
    conditions_version,
    extend,
    hours_for,
    leader_shift,
    occupancy_percent_at,
    shares,
)
from venues.models import Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import history_of
from venues.tests.factories import CompanyFactory, VenueFactory

ALMATY = ZoneInfo("Asia/Almaty")
DAY = date(2021, 5, 10)
ISSUED = datetime(2021, 5, 1, 10, 0, tzinfo=ALMATY)  # test mode over on DAY
# zone -> (participants, others) as (may_open, opens, closes, %): the demo shape.
TABLE = {
    Zone.GREEN: ((True, time(8), time(2), 80), (True, time(8), time(0), 50)),
    Zone.YELLOW: ((True, time(8), time(0), 50), (True, time(8), time(22), 30)),
    Zone.RED: ((True, time(8), time(22), 30), (False, None, None, 0)),
}


def rules_for(category):
    OperatingRule.objects.bulk_create(
        OperatingRule(
            category=category,
            zone=zone,
            for_participants=for_participants,
            may_open=row[0],
            opens_at=row[1],
            closes_at=row[2],
            occupancy_percent=row[3],
        )
        for zone, rows in TABLE.items()
        for for_participants, row in zip((True, False), rows, strict=True)
    )
    return category


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ALMATY)


def conditions_for(venue, day: date):
    """The conditions at noon of `day`."""
    return conditions_at(venue, noon(day))


def venue_in(zone, *, category=None, issued=ISSUED, **kwargs):
    region = RegionFactory()
    ZoneChangeFactory(region=region, zone=zone, effective_from=date(2021, 5, 5))
    category = category or rules_for(CategoryFactory())
    return VenueFactory(region=region, category=category, codes_first_issued_at=issued, **kwargs)


def terms(conditions):
    return conditions.may_open, conditions.opens_at, conditions.closes_at, conditions.occupancy_percent


@pytest.mark.django_db
@pytest.mark.parametrize("zone", [Zone.GREEN, Zone.YELLOW, Zone.RED])
def test_participant_gets_the_participants_row_and_others_the_others_row(zone):
    participant = conditions_for(venue_in(zone), DAY)
    other = conditions_for(venue_in(zone, issued=None), DAY)
    assert terms(participant) == TABLE[zone][0] and participant.participant
    assert terms(other) == TABLE[zone][1] and not other.participant
    assert participant.zone == participant.effective_zone == zone
    assert not participant.leader


@pytest.mark.django_db
def test_codes_issued_after_the_day_do_not_make_a_participant_yet():
    venue = venue_in(Zone.RED, issued=datetime(2021, 5, 11, 0, 0, tzinfo=ALMATY))
    assert conditions_for(venue, DAY).may_open is False
    assert conditions_for(venue, date(2021, 5, 11)).may_open is True


@pytest.mark.django_db
def test_test_mode_counts_as_participating():
    # R-VN-5: codes issued the day before, the venue is in test mode on DAY.
    venue = venue_in(Zone.RED, issued=datetime(2021, 5, 9, 18, 0, tzinfo=ALMATY))
    assert history_of(venue)[0].kind == standing_rules.TEST_MODE_KIND
    conditions = conditions_for(venue, DAY)
    assert conditions.participant and terms(conditions) == TABLE[Zone.RED][0]


@pytest.mark.django_db
def test_volunteer_gets_the_others_conditions():
    venue = venue_in(Zone.YELLOW, category=rules_for(CategoryFactory(volunteer=True)))
    conditions = conditions_for(venue, DAY)
    assert not conditions.participant
    assert terms(conditions) == TABLE[Zone.YELLOW][1]


@pytest.mark.django_db
def test_excluded_venue_loses_the_participants_preferences_from_the_moment_of_exclusion():
    # R-MN-4, R-VN-9: excluded at 10:00 → the others' conditions from 10:00, not from
    # the next midnight.
    venue = venue_in(Zone.RED)
    ten = datetime(2021, 5, 10, 10, 0, tzinfo=ALMATY)
    exclusion(venue, starts_at=ten, ends_at=ten + timedelta(days=14))
    assert conditions_at(venue, ten - timedelta(microseconds=1)).may_open is True
    excluded = conditions_at(venue, ten)
    assert not excluded.participant and excluded.may_open is False
    assert occupancy_percent_at(venue, ten) == 0  # the guard page's limit follows (R-OP-2)


@pytest.mark.django_db
def test_the_zone_change_takes_effect_on_its_date():
    venue = venue_in(Zone.GREEN)
    ZoneChangeFactory(region=venue.region, zone=Zone.RED, effective_from=DAY)
    assert conditions_for(venue, DAY - timedelta(days=1)).zone == Zone.GREEN
    assert conditions_for(venue, DAY - timedelta(days=1)).occupancy_percent == 80
    on_day = conditions_for(venue, DAY)
    assert on_day.zone == Zone.RED and on_day.occupancy_percent == 30
    assert occupancy_percent_at(venue, noon(DAY)) == 30


@pytest.mark.django_db
def test_reasons_name_the_zone_its_date_and_the_participation():
    reasons = conditions_for(venue_in(Zone.YELLOW), DAY).reasons
    with translation.override("en"):  # rendered when read, in the reader's language
        assert reasons[0] == "Region in the yellow zone since 5 May 2021"
        assert "Participant of Ashyq" in reasons


@pytest.mark.django_db
def test_no_rule_row_falls_back_to_the_default_and_says_so():
    venue = venue_in(Zone.GREEN, category=CategoryFactory())
    conditions = conditions_for(venue, DAY)
    assert terms(conditions) == (True, time(8), time(23), 100)
    assert len(conditions.reasons) == 3


@pytest.mark.django_db
def test_one_rule_per_category_zone_and_participation():
    category = rules_for(CategoryFactory())
    with pytest.raises(IntegrityError):
        OperatingRule.objects.create(
            category=category, zone=Zone.RED, for_participants=True, may_open=False, occupancy_percent=0
        )


@pytest.mark.django_db
def test_seeded_table_covers_every_category_zone_and_participation():
    # Migration 0004 (demo values): 3 zones × participants/others per category.
    from ashyq.reference import data

    assert OperatingRule.objects.filter(category__code__in=[c["code"] for c in data.CATEGORIES]).count() == (
        len(data.CATEGORIES) * 6
    )
    hotels = OperatingRule.objects.get(category__code="hotels", zone=Zone.RED, for_participants=False)
    assert hotels.may_open and hotels.opens_at == hotels.closes_at == time(0)


# --- R-LD-5: the leader shift, as a pure function ----------------------------------------


def table_rule_for(zone):
    return Terms(*TABLE[zone][0])


@pytest.mark.parametrize(
    ("zone", "effective", "expected"),
    [
        (Zone.RED, Zone.YELLOW, TABLE[Zone.YELLOW][0]),
        (Zone.YELLOW, Zone.GREEN, TABLE[Zone.GREEN][0]),
        # green: 08:00–02:00 at 80 % → 08:00–04:00 at 90 %
        (Zone.GREEN, Zone.GREEN, (True, time(8), time(4), 90)),
    ],
)
def test_leader_shift_in_each_zone(zone, effective, expected):
    terms_, effective_zone = leader_shift(table_rule_for, zone)
    assert effective_zone == effective
    assert (terms_.may_open, terms_.opens_at, terms_.closes_at, terms_.occupancy_percent) == expected


@pytest.mark.parametrize(
    ("opens", "closes", "percent", "expected_closes", "expected_percent"),
    [
        (time(8), time(23), 90, time(1), 100),  # past midnight; 100 % is the cap
        (time(8), time(6), 95, time(8), 100),  # 22 h → 24 h: round the clock
        (time(8), time(7), 50, time(8), 60),  # 23 h + 2 h is capped at 24 h
        (time(0), time(0), 100, time(0), 100),  # round the clock stays so
    ],
)
def test_green_leader_bonus_is_capped_at_24_hours_and_100_percent(
    opens, closes, percent, expected_closes, expected_percent
):
    extended = extend(Terms(True, opens, closes, percent))
    assert (extended.opens_at, extended.closes_at, extended.occupancy_percent) == (
        opens,
        expected_closes,
        expected_percent,
    )


def test_a_closed_row_stays_closed_for_a_leader():
    assert extend(Terms(False, None, None, 0)).may_open is False


# --- Many venues and days at once: the same rule (risk list, out-of-hours flag) ---------------


def make_leader(venue, starts_on, ends_on):
    return leader_term(venue, starts_on, ends_on)


def exclude(venue, starts_at, ends_at, **fields):
    return exclusion(venue, starts_at=starts_at, ends_at=ends_at, **fields)


def grid():
    """Venues covering every branch of the rule, over days around DAY."""
    midnight = datetime(2021, 5, 10, 0, 0, tzinfo=ALMATY)
    venues = []
    for zone in (Zone.GREEN, Zone.YELLOW, Zone.RED, None):
        region = RegionFactory()
        if zone:
            ZoneChangeFactory(region=region, zone=zone, effective_from=date(2021, 5, 5))
        category, bare = rules_for(CategoryFactory()), CategoryFactory()
        volunteer = rules_for(CategoryFactory(volunteer=True))

        def venue(category=category, issued=ISSUED, region=region):
            made = VenueFactory(region=region, category=category, codes_first_issued_at=issued)
            venues.append(made)
            return made

        venue()
        venue(issued=None)
        venue(issued=datetime(2021, 5, 11, 0, 0, tzinfo=ALMATY))  # issued on DAY + 1
        venue(issued=datetime(2021, 5, 9, 18, 0, tzinfo=ALMATY))  # test mode
        # R-VN-5 at the first day's edge: test mode over the day before (alike any venue
        # issued earlier), and test mode on the first day only.
        venue(issued=datetime(2021, 5, 2, 23, 59, tzinfo=ALMATY))
        venue(issued=datetime(2021, 5, 3, 0, 0, tzinfo=ALMATY))
        venue(category=volunteer)
        make_leader(venue(category=volunteer), date(2021, 5, 1), date(2021, 6, 1))  # never a leader (R-LD-4)
        make_leader(venue(), date(2021, 5, 10), date(2021, 5, 12))  # leader on DAY and DAY + 1 only
        make_leader(venue(category=bare), date(2021, 5, 1), date(2021, 6, 1))  # no rule row
        venue(category=bare)
        excluded_leader = venue()
        make_leader(excluded_leader, date(2021, 5, 1), date(2021, 6, 1))
        exclude(excluded_leader, midnight, midnight + timedelta(days=1), returned_at=midnight + timedelta(days=1))
        exclude(venue(), midnight - timedelta(days=20), midnight - timedelta(days=6))  # ended, not returned
        exclude(venue(), midnight + timedelta(seconds=1), midnight + timedelta(days=14))  # from 00:00:01
        exclude(venue(), midnight, midnight + timedelta(days=14), state=SanctionState.CANCELLED)
        # Back at 14:00 after an exclusion ended the day before.
        exclude(
            venue(),
            midnight - timedelta(days=15),
            midnight - timedelta(days=1),
            returned_at=midnight + timedelta(hours=14),
        )
    # A zone change in the middle of the days, and a second one the same day (the later wins).
    ZoneChangeFactory(region=venues[0].region, zone=Zone.RED, effective_from=date(2021, 5, 11))
    ZoneChangeFactory(region=venues[0].region, zone=Zone.YELLOW, effective_from=date(2021, 5, 11))
    days = [DAY + timedelta(days=n) for n in range(-1, 4)]
    return list(Venue.objects.filter(pk__in=[v.pk for v in venues]).select_related("category")), days


def principal_moment(venue, day: date) -> datetime:
    """Decided (venues.standing.rules.Day): a day's conditions follow the last standing
    of the day in which the codes worked, else the standing at its start — found here
    from the history, as a moment to ask conditions_at about."""
    start = datetime.combine(day, time(0), tzinfo=ALMATY)
    end = start + timedelta(days=1)
    working = [
        interval
        for interval in history_of(venue)
        if interval.overlaps(start, end) and interval.kind in standing_rules.WORKING
    ]
    return max(working[-1].starts_at, start) if working else start


@pytest.mark.django_db
def test_bulk_conditions_agree_with_conditions_at_on_a_grid():  # R-OP-2, R-LD-5, R-MN-4, R-VN-5, R-VN-9
    venues, days = grid()
    with translation.override("en"):
        bulk = conditions_bulk(venues, days)
        hours = hours_for(venues, days)
        one_by_one = {
            (venue.pk, day): conditions_at(venue, principal_moment(venue, day)) for venue in venues for day in days
        }
    assert bulk == one_by_one  # every field, the reasons included
    assert hours == {key: c.hours for key, c in one_by_one.items()}
    # The grid does reach each branch.
    assert {c.leader for c in bulk.values()} == {True, False}
    assert {c.effective_zone for c in bulk.values()} == {Zone.GREEN, Zone.YELLOW, Zone.RED, None}
    assert None in hours.values()


@pytest.mark.django_db
def test_a_green_leader_s_hours_in_bulk_close_two_hours_later():  # R-LD-5
    venue = venue_in(Zone.GREEN)
    make_leader(venue, DAY, DAY + timedelta(days=1))
    hours = hours_for([venue], [DAY, DAY + timedelta(days=1)])
    assert hours == {(venue.pk, DAY): (time(8), time(4)), (venue.pk, DAY + timedelta(days=1)): (time(8), time(2))}


@pytest.mark.django_db
def test_bulk_hours_take_three_queries_for_2_or_20_venues_and_any_days():
    venues, _days = grid()

    def count(venues, days):
        with CaptureQueriesContext(connection) as ctx:
            hours_for(venues, days)
        return len(ctx.captured_queries)

    few = count(venues[:2], [DAY])
    assert len(venues) >= 20
    assert few == count(venues[:20], [DAY + timedelta(days=n) for n in range(14)]) == 3
    assert count([], [DAY]) == 0


# --- The owner's venue page ---------------------------------------------------------------


@pytest.mark.django_db
def test_venue_page_shows_the_conditions_today(en_client):
    owner = CompanyFactory().owner
    venue = venue_in(Zone.YELLOW, company=owner.companies.get())
    en_client.force_login(owner)
    with time_machine.travel(datetime(2021, 5, 10, 12, 0, tzinfo=ALMATY), tick=False):
        page = en_client.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    assert "Conditions today" in page
    assert "08:00–00:00" in page
    assert "50 % of capacity" in page
    assert "Region in the yellow zone since 5 May 2021" in page


# --- R-MN-2: the days a venue's conditions did not allow it to open --------------------------


@pytest.mark.django_db
def test_a_volunteer_in_a_red_zone_where_its_category_may_not_open_has_closed_days():
    # The others' red row is closed (TABLE): a volunteer gets the others' conditions.
    volunteer = venue_in(Zone.RED, category=rules_for(CategoryFactory(volunteer=True)))
    participant = venue_in(Zone.RED)
    days = [DAY, DAY + timedelta(days=1)]
    assert closed_days([volunteer, participant], days) == {(volunteer.pk, DAY), (volunteer.pk, DAY + timedelta(days=1))}


@pytest.mark.django_db
def test_a_day_is_closed_when_any_of_its_standings_may_not_open():
    # Excluded at 15:00 in a red zone (the others' row is closed): closed that day,
    # though the venue worked as a participant until 15:00.
    venue = venue_in(Zone.RED)
    three = datetime(2021, 5, 10, 15, 0, tzinfo=ALMATY)
    exclusion(venue, starts_at=three, ends_at=three + timedelta(days=14))
    assert closed_days([venue], [DAY - timedelta(days=1), DAY]) == {(venue.pk, DAY)}


# --- The door's memory of allowed shares (R-CI-6, B1) ------------------------------------------


class _RolledBack(Exception):
    pass


def _participants_row(venue, zone):
    return OperatingRule.objects.get(category=venue.category, zone=zone, for_participants=True)


@pytest.mark.django_db
def test_a_known_share_costs_no_query_however_long_the_door_waits():
    """A door that looks up once a minute (or once an hour) pays no query for its
    share: the process keeps it under the version, not for a minute."""
    venue = venue_in(Zone.RED)
    version = conditions_version()
    with time_machine.travel(noon(DAY), tick=False) as clock:
        assert occupancy_percent_at(venue, noon(DAY), standing=standing_rules.PARTICIPANT, version=version) == 30
        for minutes in (1, 5, 90):
            clock.move_to(noon(DAY) + timedelta(minutes=minutes))
            at = noon(DAY) + timedelta(minutes=minutes)
            with CaptureQueriesContext(connection) as queries:
                percent = occupancy_percent_at(venue, at, standing=standing_rules.PARTICIPANT, version=version)
            assert (percent, len(queries)) == (30, 0)


@pytest.mark.django_db
def test_a_change_of_the_table_or_the_zone_is_seen_at_once():
    venue = venue_in(Zone.RED)
    assert occupancy_percent_at(venue, noon(DAY)) == 30
    row = _participants_row(venue, Zone.RED)
    row.occupancy_percent = 25
    row.save()
    assert occupancy_percent_at(venue, noon(DAY)) == 25
    ZoneChangeFactory(region=venue.region, zone=Zone.GREEN, effective_from=DAY)
    assert occupancy_percent_at(venue, noon(DAY)) == 80
    row.delete()
    _participants_row(venue, Zone.GREEN).delete()
    assert occupancy_percent_at(venue, noon(DAY)) == 100  # no row: the default (Decided)


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_the_old_share_under_the_old_version():
    """The version is renewed in the change's transaction: inside it the new share is
    kept under the new version; the rollback takes the version back with the row, and
    the old share is served again, never the rolled-back one."""
    venue = venue_in(Zone.RED)
    old_version = conditions_version()
    assert occupancy_percent_at(venue, noon(DAY)) == 30
    with pytest.raises(_RolledBack), transaction.atomic():
        row = _participants_row(venue, Zone.RED)
        row.occupancy_percent = 10
        row.save()
        assert conditions_version() != old_version
        assert occupancy_percent_at(venue, noon(DAY)) == 10
        raise _RolledBack
    assert conditions_version() == old_version
    assert occupancy_percent_at(venue, noon(DAY)) == 30


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: SQLite's file locks")
def test_a_change_not_yet_committed_is_not_kept_under_a_new_version_by_another_process():
    """Another connection (another gunicorn process or thread) that looks while the
    change is uncommitted sees the old version and the old row; once committed it sees
    both new at its next look-up — never the old share under the new version."""
    venue = venue_in(Zone.RED)

    def elsewhere() -> int:
        def look() -> int:
            try:
                return occupancy_percent_at(venue, noon(DAY))
            finally:
                connection.close()

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(look).result()

    assert elsewhere() == 30
    with transaction.atomic():
        row = _participants_row(venue, Zone.RED)
        row.occupancy_percent = 10
        row.save()
        shares.clear()
        assert elsewhere() == 30  # decided from the committed rows, kept under their version
    assert elsewhere() == 10


def test_the_memory_never_answers_for_another_version_with_threads():
    """gthread workers share the memory: whatever the interleaving, a share is only
    ever returned under the version it was kept under."""
    memory = Shares()
    versions = [f"v{n}" for n in range(4)]
    wrong = []

    def work(seed: int) -> None:
        for n in range(3000):
            version = versions[(seed + n) % len(versions)]
            key = (n % 7, 1, "participant", DAY)
            expected = int(version[1:]) * 100 + n % 7
            memory.put(version, key, expected)
            found = memory.get(version, key)
            if found not in (None, expected):
                wrong.append((version, key, found))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
