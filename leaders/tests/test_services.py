"""The computation of the candidate lists (R-LD-1, R-LD-2, R-LD-4)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ashyq.accounts.tests.factories import UserFactory
from ashyq.reference.models import OperatingRule, Tier, Zone
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory, ZoneChangeFactory
from leaders import rules
from leaders.models import Candidate, CandidateList, ListStatus
from leaders.services import compute as services
from leaders.tests.factories import PERIOD, add_visits, leader_term, tier_venue
from monitoring.models import SanctionState
from monitoring.tests.factories import exclusion
from venues.standing import rules as standing_rules
from venues.standing.selectors import venue_ids_in_during
from venues.tests.factories import VenueFactory
from visitors.models import Colour, EntryMethod, StatusLookup, Visit
from visitors.tests.factories import count_visits

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2021, 6, 1, 12, tzinfo=ALMATY)
START, END = rules.period_bounds_utc(PERIOD)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def candidates():
    return {c.venue_id: c for c in Candidate.objects.filter(list__period__starts_on=PERIOD)}


def flags_of(venue) -> dict[str, dict]:
    return {flag["kind"]: flag for flag in candidates()[venue.pk].flags}


@pytest.mark.parametrize(
    ("tier", "city", "limit"),
    [(Tier.A, True, 2000), (Tier.A, False, 1000), (Tier.B, True, 1000), (Tier.B, False, 500)],
)
def test_threshold_is_more_than_not_equal(tier, city, limit):  # R-LD-1
    region = RegionFactory(city=city)
    at = tier_venue(tier=tier, region=region)
    over = tier_venue(tier=tier, region=region)
    add_visits(at, limit)
    add_visits(over, limit + 1)

    counts = services.leaders_compute(period_start=PERIOD, now=NOW)

    found = candidates()
    assert set(found) == {over.pk}
    assert (found[over.pk].checkins, found[over.pk].threshold) == (limit + 1, limit)
    assert found[over.pk].list.region == region
    assert counts[region.code] == 1


def test_volunteers_and_untiered_venues_are_never_candidates():  # R-LD-4, R-REF-3
    region = RegionFactory()
    volunteer = VenueFactory(region=region, category=CategoryFactory(volunteer=True), capacity=1000)
    airport = tier_venue(tier="", region=region)
    add_visits(volunteer, 5000)
    add_visits(airport, 5000)

    assert services.leaders_compute(period_start=PERIOD, now=NOW)[region.code] == 0
    assert candidates() == {}


def _exclude(venue, *, starts_at, ends_at, **fields):
    return exclusion(venue, starts_at=starts_at, ends_at=ends_at, **fields)


def test_a_venue_excluded_for_one_day_of_the_period_is_not_a_candidate():  # R-LD-4
    region = RegionFactory()
    excluded, clean = tier_venue(region=region), tier_venue(region=region)
    add_visits(excluded, 1001)
    add_visits(clean, 1001)
    # Excluded on the last day only, and back after it.
    _exclude(excluded, starts_at=END - timedelta(days=1), ends_at=END, returned_at=END)

    services.leaders_compute(period_start=PERIOD, now=NOW)

    assert set(candidates()) == {clean.pk}


def test_excluded_during_overlap_edges():  # R-LD-4, R-MN-4, R-MN-5
    venue_ids = {}
    cases = {
        "ended_before": dict(starts_at=START - timedelta(days=20), ends_at=START, returned_at=START),
        "starts_at_end": dict(starts_at=END, ends_at=END + timedelta(days=14)),
        "cancelled": dict(starts_at=START, ends_at=END, state=SanctionState.CANCELLED),
        # Ended before the period but the owner never asked to return: still excluded.
        "not_returned": dict(starts_at=START - timedelta(days=20), ends_at=START - timedelta(days=6)),
        "last_second": dict(starts_at=END - timedelta(seconds=1), ends_at=END + timedelta(days=14)),
        # The owner asked to return at the first moment he could: one second into the period.
        "first_second": dict(
            starts_at=START - timedelta(days=14),
            ends_at=START + timedelta(seconds=1),
            returned_at=START + timedelta(seconds=1),
        ),
    }
    for name, fields in cases.items():
        venue = tier_venue()
        venue_ids[venue.pk] = name
        _exclude(venue, **fields)

    excluded = venue_ids_in_during(standing_rules.EXCLUDED_KINDS, START, END)
    found = {venue_ids[pk] for pk in excluded.values_list("venue_id", flat=True)}

    assert found == {"not_returned", "last_second", "first_second"}


def test_period_boundaries_are_monday_midnight_local():  # R-LD-2
    region = RegionFactory()
    inside, outside = tier_venue(region=region), tier_venue(region=region)
    add_visits(inside, 1000)
    add_visits(outside, 1000)
    sunday_last_second = datetime(2021, 5, 23, 23, 59, 59, tzinfo=ALMATY)
    next_monday = datetime(2021, 5, 24, 0, 0, tzinfo=ALMATY)
    Visit.objects.create(venue=inside, method=EntryMethod.GUARD, colour=Colour.GREEN, entered_at=sunday_last_second)
    Visit.objects.create(venue=outside, method=EntryMethod.GUARD, colour=Colour.GREEN, entered_at=next_monday)
    count_visits()

    services.leaders_compute(period_start=PERIOD, now=NOW)

    assert set(candidates()) == {inside.pk}


def test_refusals_at_the_door_are_not_counted():  # R-LD-1, R-CI-3 (Decided in services)
    venue = tier_venue()
    add_visits(venue, 1000)
    add_visits(venue, 50, refused=True)

    services.leaders_compute(period_start=PERIOD, now=NOW)

    assert candidates() == {}


def test_running_twice_gives_the_same_lists():  # R-LD-2
    region = RegionFactory()
    venues = [tier_venue(region=region) for _ in range(3)]
    for venue, count in zip(venues, [999, 1001, 1500], strict=True):
        add_visits(venue, count)

    first = services.leaders_compute(period_start=PERIOD, now=NOW)
    before = sorted((c.list_id, c.venue_id, c.checkins, c.threshold, str(c.flags)) for c in candidates().values())
    lists_before = CandidateList.objects.count()
    second = services.leaders_compute(period_start=PERIOD, now=NOW + timedelta(hours=1))
    after = sorted((c.list_id, c.venue_id, c.checkins, c.threshold, str(c.flags)) for c in candidates().values())

    assert first == second
    assert before == after
    assert len(after) == 2
    assert CandidateList.objects.count() == lists_before


def test_every_region_gets_a_list_even_without_candidates():  # R-LD-3
    region = RegionFactory()
    counts = services.leaders_compute(period_start=PERIOD, now=NOW)
    assert counts[region.code] == 0
    assert CandidateList.objects.filter(period__starts_on=PERIOD, region=region).exists()


def test_a_submitted_list_is_kept_and_the_other_regions_are_recomputed():  # R-LD-3
    region, other = RegionFactory(), RegionFactory()
    venue = tier_venue(region=region)
    add_visits(venue, 1001)
    services.leaders_compute(period_start=PERIOD, now=NOW)
    CandidateList.objects.filter(region=region).update(status=ListStatus.SUBMITTED, submitted_at=NOW)
    add_visits(tier_venue(region=region), 1001)
    late = tier_venue(region=other)
    add_visits(late, 1001)

    counts = services.leaders_compute(period_start=PERIOD, now=NOW)

    assert region.code not in counts and counts[other.code] == 1
    assert set(candidates()) == {venue.pk, late.pk}
    assert services.kept_lists(PERIOD) == [str(region)]


def test_a_computation_that_could_change_no_list_is_refused():  # R-LD-3
    services.leaders_compute(period_start=PERIOD, now=NOW)
    CandidateList.objects.update(status=ListStatus.SUBMITTED, submitted_at=NOW)
    with pytest.raises(services.LeadersError, match="already submitted"):
        services.leaders_compute(period_start=PERIOD, now=NOW)


def test_an_open_period_is_refused():  # R-LD-2: computed when it closes
    just_before_close = datetime(2021, 5, 23, 23, 59, 59, tzinfo=ALMATY)
    with pytest.raises(services.LeadersError, match="not closed"):
        services.leaders_compute(period_start=PERIOD, now=just_before_close)
    assert not CandidateList.objects.exists()
    services.leaders_compute(period_start=PERIOD, now=END)
    assert CandidateList.objects.exists()


def test_a_date_that_starts_no_period_is_refused():  # R-LD-2
    with pytest.raises(services.LeadersError, match="2021-05-10"):
        services.leaders_compute(period_start=PERIOD + timedelta(days=7), now=NOW)
    assert not CandidateList.objects.exists()


def test_flags_carry_their_figures():  # the akimat sees why a candidate was flagged
    venue = tier_venue(capacity=10)  # 10 × 14 × 3 = 420 < 1001
    add_visits(venue, 1001)

    services.leaders_compute(period_start=PERIOD, now=NOW)

    # add_visits spreads the check-ins round the clock: a third fall outside the
    # default 08:00–23:00 (no zone set), which is the out-of-hours flag's business.
    assert set(flags_of(venue)) == {"over_capacity", "out_of_hours"}
    assert flags_of(venue)["over_capacity"] == {
        "kind": "over_capacity",
        "checkins": 1001,
        "capacity": 10,
        "days": 14,
        "turnovers_per_day": 3,
        "limit": 420,
    }


def test_a_count_mostly_typed_by_the_guard_is_flagged():
    """The attack: every look-up of an invented valid IIN counted as a check-in toward
    Leader Ashyq (2,001 in a day). A candidate whose count is mostly typed on the guard
    page, or whose guard look-ups exceed what its capacity holds, is flagged for the akimat."""
    typed = tier_venue(capacity=40)
    add_visits(typed, 1500, method=EntryMethod.GUARD)
    add_visits(typed, 600)
    StatusLookup.objects.bulk_create(
        StatusLookup(
            actor=UserFactory(), venue=typed, company=typed.company, colour="blue", at=START + timedelta(minutes=n)
        )
        for n in range(40 * 14 * 3 + 1)
    )
    count_visits()
    scanned = tier_venue()
    add_visits(scanned, 1001, method=EntryMethod.SCAN)
    add_visits(scanned, 900, method=EntryMethod.GUARD)

    services.leaders_compute(period_start=PERIOD, now=NOW)

    assert flags_of(typed)["mostly_guard"] == {
        "kind": "mostly_guard",
        "by_guard": 1500,
        "checkins": 2100,
        "percent": 71,
    }
    assert flags_of(typed)["guard_over_capacity"] == {
        "kind": "guard_over_capacity", "lookups": 1681, "capacity": 40, "days": 14, "limit": 1680,
    }  # fmt: skip
    assert "mostly_guard" not in flags_of(scanned) and "guard_over_capacity" not in flags_of(scanned)


def test_a_burst_day_is_flagged():
    venue = tier_venue()
    add_visits(venue, 700)  # 50 a day
    burst_day = datetime(2021, 5, 15, 20, tzinfo=ALMATY)
    Visit.objects.bulk_create(
        Visit(venue=venue, method=EntryMethod.GUARD, colour=Colour.GREEN, entered_at=burst_day + timedelta(seconds=n))
        for n in range(400)
    )
    count_visits()

    services.leaders_compute(period_start=PERIOD, now=NOW)

    assert flags_of(venue)["burst"] == {
        "kind": "burst",
        "day": "2021-05-15",
        "checkins": 450,
        "median_day": 50,
        "factor": 5,
    }


def test_the_count_is_two_queries_whatever_the_number_of_venues():  # B4
    """The aggregate, then the venues it keeps: those over the lowest threshold (500),
    since no venue at or under it can be a candidate whatever its tier (R-LD-1: "more
    than"; 500 exactly is left out, 501 kept)."""

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            services.venue_counts(start=START, end=END)
        return len(ctx.captured_queries)

    add_visits(tier_venue(), rules.LOWEST_THRESHOLD + 1)
    few = count_queries()
    for _ in range(5):
        add_visits(tier_venue(), rules.LOWEST_THRESHOLD + 1)
    add_visits(tier_venue(), rules.LOWEST_THRESHOLD)  # exactly the lowest: never a candidate
    counted = services.venue_counts(start=START, end=END)
    assert len(counted) == 6
    assert {row["checkins"] for row in counted} == {rules.LOWEST_THRESHOLD + 1}
    assert few == count_queries() == 2


# --- Out of hours (R-LD-1's flags) ---------------------------------------------------------------


def visits_at(venue, count: int, *, hour: int, minute: int = 0) -> None:
    """`count` check-ins at local hh:mm, spread over the 14 days of the period."""
    Visit.objects.bulk_create(
        Visit(
            venue=venue,
            method=EntryMethod.GUARD,
            colour=Colour.GREEN,
            entered_at=datetime(2021, 5, 10 + n % 14, hour, minute, tzinfo=ALMATY) + timedelta(seconds=n),
        )
        for n in range(count)
    )
    count_visits()


@pytest.mark.parametrize(
    ("inside", "outside", "flagged"),
    [
        (899, 100, True),  # 100 of 999: just over 10 %, and 100
        (900, 100, False),  # 100 of 1000: exactly 10 % is not more than 10 %
        (501, 99, False),  # 99 of 600: 16 %, but fewer than 100
        (500, 100, True),  # 100 of 600
    ],
)
def test_out_of_hours_flag_at_its_boundaries(inside, outside, flagged):
    # No zone set: the default 08:00–23:00 applies (R-OP-1 Decided); 03:00 is closed.
    venue = tier_venue(tier=Tier.B)  # oblast: more than 500
    visits_at(venue, inside, hour=12)
    visits_at(venue, outside, hour=3)

    services.leaders_compute(period_start=PERIOD, now=NOW)

    found = flags_of(venue).get("out_of_hours")
    if flagged:
        total = inside + outside
        percent = round(outside * 100 / total)
        assert found == {"kind": "out_of_hours", "checkins": outside, "total": total, "percent": percent}
    else:
        assert found is None


def _green_region_with_rules():
    """A green region whose category opens 08:00–23:00 for everyone (R-OP-1)."""
    region = RegionFactory()
    ZoneChangeFactory(region=region, zone=Zone.GREEN, effective_from=date(2021, 5, 1))
    category = CategoryFactory(tier=Tier.B)
    OperatingRule.objects.bulk_create(
        OperatingRule(
            category=category,
            zone=zone,
            for_participants=mine,
            may_open=True,
            opens_at=time(8),
            closes_at=time(23),
            occupancy_percent=50,
        )
        for zone in Zone.values
        for mine in (True, False)
    )
    return region, category


def test_a_leader_s_two_extra_hours_are_not_out_of_hours():  # R-LD-5
    region, category = _green_region_with_rules()
    issued = datetime(2021, 4, 1, 10, tzinfo=ALMATY)  # a participant, test mode long over
    leader = VenueFactory(region=region, category=category, capacity=1000, codes_first_issued_at=issued)
    other = VenueFactory(region=region, category=category, capacity=1000, codes_first_issued_at=issued)
    leader_term(leader, date(2021, 5, 1), date(2021, 6, 1))
    for venue in (leader, other):
        visits_at(venue, 600, hour=12)
        visits_at(venue, 100, hour=23, minute=30)  # green leader: 08:00–01:00
        visits_at(venue, 100, hour=0, minute=30)  # after midnight of the evening before

    services.leaders_compute(period_start=PERIOD, now=NOW)

    assert "out_of_hours" not in flags_of(leader)
    assert flags_of(other)["out_of_hours"] == {"kind": "out_of_hours", "checkins": 200, "total": 800, "percent": 25}


# --- Progress and the short write -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_progress_is_reported_outside_any_transaction_up_to_100():
    regions = [RegionFactory(), RegionFactory()]
    for region in regions:
        add_visits(tier_venue(region=region), 1001)
    calls = []

    def progress(percent, message):
        calls.append((percent, message, connection.in_atomic_block))

    services.leaders_compute(period_start=PERIOD, now=NOW, progress=progress)

    percents = [percent for percent, _message, _atomic in calls]
    assert percents[0] == 0 and percents[-1] == 100
    assert percents == sorted(percents)
    # Each update can commit on its own, so that the run's page sees it.
    assert not any(atomic for _percent, _message, atomic in calls)
    messages = [message for _percent, message, _atomic in calls]
    assert messages == [
        "Counting the check-ins of the period",
        "Checking the candidates' check-ins hour by hour",
        "Writing the lists",
        "Done",
    ]


def test_a_list_submitted_while_computing_is_not_overwritten():  # R-LD-3
    region = RegionFactory()
    first = tier_venue(region=region)
    add_visits(first, 1001)
    services.leaders_compute(period_start=PERIOD, now=NOW)
    add_visits(tier_venue(region=region), 1001)

    def submit_meanwhile(percent, message):
        if percent == 90:  # read done, not yet written: the akimat submits its list
            CandidateList.objects.filter(region=region).update(status=ListStatus.SUBMITTED, submitted_at=NOW)

    counts = services.leaders_compute(period_start=PERIOD, now=NOW, progress=submit_meanwhile)

    assert region.code not in counts
    assert set(candidates()) == {first.pk}


def test_the_flags_take_the_same_queries_for_2_or_6_candidates():
    region = RegionFactory()
    services.leaders_compute(period_start=PERIOD, now=NOW)  # the period and lists exist

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            services.leaders_compute(period_start=PERIOD, now=NOW)
        return len(ctx.captured_queries)

    for _ in range(2):
        add_visits(tier_venue(region=region), 1001)
    few = count_queries()
    for _ in range(4):
        add_visits(tier_venue(region=region), 1001)
    assert few == count_queries()
    assert len(candidates()) == 6


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2021, 2, 1), "no check-ins before 2021-02-15"),  # a period start, before Ashyq
        (date(1, 1, 1), "no check-ins before"),  # no overflow on far dates
        (date(2021, 6, 7), "has not begun"),  # a period start after NOW
        (date(9999, 12, 31), "has not begun"),
    ],
)
def test_dates_before_ashyq_or_to_come_are_refused(day, message):  # R-LD-2
    with pytest.raises(services.LeadersError, match=message):
        services.leaders_compute(period_start=day, now=NOW)
    assert not CandidateList.objects.exists()


def test_hourly_counts_are_local_hours_even_when_the_clocks_go_back():
    """The flags count per local hour from UTC hours (grouped fast: the benchmark B4). On
    1 March 2024 Kazakhstan moved from UTC+6 to UTC+5 at local midnight, so 23:00–24:00
    of 29 February happened twice: its check-ins from both UTC hours are one local hour,
    and the hour before it and the first hour of March stay their own."""
    venue = tier_venue(region=RegionFactory())
    utc = ZoneInfo("UTC")
    Visit.objects.bulk_create(
        Visit(
            venue=venue,
            method=EntryMethod.GUARD,
            colour=Colour.GREEN,
            entered_at=datetime(2024, 2, 29, hour, n, tzinfo=utc),
        )
        for hour, count in [(16, 1), (17, 2), (18, 3), (19, 4)]
        for n in range(count)
    )
    count_visits()
    start, end = datetime(2024, 2, 29, 0, tzinfo=utc), datetime(2024, 3, 1, 0, tzinfo=utc)

    hourly = services._hourly_counts(venue_ids=[venue.pk], start=start, end=end)

    # Keyed by naive local hours, as the flags read them.
    assert hourly == {
        venue.pk: {
            datetime(2024, 2, 29, 22): 1,  # noqa: DTZ001
            datetime(2024, 2, 29, 23): 2 + 3,  # noqa: DTZ001
            datetime(2024, 3, 1, 0): 4,  # noqa: DTZ001
        }
    }
