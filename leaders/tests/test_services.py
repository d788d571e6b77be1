"""The computation of the candidate lists (R-LD-1, R-LD-2, R-LD-4)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ashyq.reference.models import Tier
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory
from leaders import rules, services
from leaders.models import Candidate, CandidateList, ListStatus
from leaders.tests.factories import PERIOD, add_visits, tier_venue
from monitoring.models import Sanction, SanctionKind, SanctionState
from monitoring.selectors import venues_excluded_during
from monitoring.tests.factories import ViolationFactory
from venues.tests.factories import VenueFactory
from visitors.models import Colour, EntryMethod, Visit

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2021, 6, 1, 12, tzinfo=ALMATY)
START, END = rules.period_bounds_utc(PERIOD)


def candidates():
    return {c.venue_id: c for c in Candidate.objects.filter(list__period__starts_on=PERIOD)}


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
    return Sanction.objects.create(
        venue=venue,
        kind=SanctionKind.EXCLUSION,
        violation=ViolationFactory(venue=venue),
        starts_at=starts_at,
        ends_at=ends_at,
        **fields,
    )


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
        "first_second": dict(
            starts_at=START - timedelta(days=14), ends_at=START + timedelta(seconds=1), returned_at=START
        ),
    }
    for name, fields in cases.items():
        venue = tier_venue()
        venue_ids[venue.pk] = name
        _exclude(venue, **fields)

    found = {venue_ids[pk] for pk in venues_excluded_during(start=START, end=END).values_list("venue_id", flat=True)}

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


def test_a_submitted_list_is_not_recomputed():  # R-LD-3
    region = RegionFactory()
    venue = tier_venue(region=region)
    add_visits(venue, 1001)
    services.leaders_compute(period_start=PERIOD, now=NOW)
    CandidateList.objects.filter(region=region).update(status=ListStatus.SUBMITTED, submitted_at=NOW)
    add_visits(tier_venue(region=region), 1001)

    with pytest.raises(services.LeadersError, match="already submitted"):
        services.leaders_compute(period_start=PERIOD, now=NOW)

    assert set(candidates()) == {venue.pk}


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


def test_flags_carry_their_figures():  # issue 7, item 3
    venue = tier_venue(capacity=10)  # 10 × 14 × 3 = 420 < 1001
    add_visits(venue, 1001)

    services.leaders_compute(period_start=PERIOD, now=NOW)

    (flag,) = candidates()[venue.pk].flags
    assert flag == {
        "kind": "over_capacity",
        "checkins": 1001,
        "capacity": 10,
        "days": 14,
        "turnovers_per_day": 3,
        "limit": 420,
    }


def test_a_burst_day_is_flagged():  # issue 7, item 3
    venue = tier_venue()
    add_visits(venue, 700)  # 50 a day
    burst_day = datetime(2021, 5, 15, 20, tzinfo=ALMATY)
    Visit.objects.bulk_create(
        Visit(venue=venue, method=EntryMethod.GUARD, colour=Colour.GREEN, entered_at=burst_day + timedelta(seconds=n))
        for n in range(400)
    )

    services.leaders_compute(period_start=PERIOD, now=NOW)

    (flag,) = candidates()[venue.pk].flags
    assert flag == {"kind": "burst", "day": "2021-05-15", "checkins": 450, "median_day": 50, "factor": 5}


def test_the_count_is_one_query_whatever_the_number_of_venues():  # issue 7, item 2
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            services.venue_counts(start=START, end=END)
        return len(ctx.captured_queries)

    add_visits(tier_venue(), 10)
    few = count_queries()
    for _ in range(5):
        add_visits(tier_venue(), 10)
    assert len(services.venue_counts(start=START, end=END)) == 6
    assert few == count_queries() == 1
