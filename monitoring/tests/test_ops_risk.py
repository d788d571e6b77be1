"""The risk list (R-MN-7): each signal at its threshold, from anonymous counts only."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.reference.models import OperatingRule, Region, Zone
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory, ZoneChangeFactory
from leaders.tests.factories import leader_term
from monitoring.models import InactivityFlag
from monitoring.ops_tasks import risk_lists_refresh
from monitoring.risk import risk_list
from venues.tests.factories import VenueFactory
from visitors.models import ExitMethod, Visit
from visitors.tests.factories import VisitFactory

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2021, 5, 17, 12, 0, tzinfo=ALMATY)

pytestmark = pytest.mark.django_db


def entries(venue, at: datetime, n: int, *, stay: timedelta | None = timedelta(minutes=1)) -> None:
    """`n` check-ins of different people at `venue` within the minute starting `at`,
    each leaving by the exit code `stay` later (None: no exit scan, closed after 4
    hours, R-CI-4)."""
    Visit.objects.bulk_create(
        [
            VisitFactory.build(
                venue=venue,
                entered_at=at + timedelta(seconds=i),
                exited_at=at + timedelta(seconds=i) + stay if stay else None,
                exit_method=ExitMethod.SCAN if stay else None,
            )
            for i in range(n)
        ]
    )


def on(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2021, 5, day, hour, minute, tzinfo=ALMATY)


@pytest.fixture
def region():
    return RegionFactory()


def test_check_ins_outside_the_default_working_hours(region):
    # R-MN-7: no zone set for the region, so the Decided default 08:00–23:00 applies
    # (leaders.conditions, R-OP-1).
    late, inside = VenueFactory(region=region), VenueFactory(region=region)
    entries(late, on(10, 23, 0), 1)  # 23:00 is closed
    entries(late, on(11, 7, 59), 1)  # 07:59 is closed
    entries(inside, on(10, 22, 59), 1)
    entries(inside, on(11, 8, 0), 1)
    rows = risk_list(region=region, now=NOW)
    assert [(row.venue, row.outside_hours_checkins) for row in rows] == [(late, 2)]


def test_r_mn_7_people_inside_over_the_limit_with_few_entries_an_hour(region):
    # R-MN-7 with R-CI-6, seed Q45: twelve guests came three an hour from 19:00 and
    # stayed until 23:10 in a venue of capacity 5 — never more than 3 entries an hour,
    # yet 6, 9, then 12 inside at once: four hours over the limit (20:00 to 23:10).
    ZoneChangeFactory(region=region, zone=Zone.GREEN, effective_from=date(2021, 5, 1))
    long_stays = VenueFactory(region=region, capacity=5)
    for n in range(12):
        came = on(12, 19 + n // 3, 10 + n)
        entries(long_stays, came, 1, stay=on(12, 23, 10) - came)  # at most 4 hours (R-CI-4)
    [row] = risk_list(region=region, now=NOW)
    assert (row.venue, row.max_hourly, row.burst_hours, row.outside_hours_checkins) == (long_stays, 3, 0, 0)
    assert (row.over_limit_hours, row.peak_inside, row.peak_allowed) == (4, 12, 5)
    assert timezone.localtime(row.peak_hour) == on(12, 23)  # the latest hour with 12 inside


def test_r_mn_7_many_short_visits_are_never_over_the_limit(region):
    # Sixty visits of ten minutes in one evening hour of a venue of capacity 10: far
    # more entries than its capacity (the old signal), never more than 10 inside.
    ZoneChangeFactory(region=region, zone=Zone.GREEN, effective_from=date(2021, 5, 1))
    short_visits = VenueFactory(region=region, capacity=10)
    for n in range(60):
        entries(short_visits, on(12, 19, n), 1, stay=timedelta(minutes=10))
    assert risk_list(region=region, now=NOW) == []


def test_r_mn_7_the_limit_is_the_allowed_share_of_the_capacity_that_day(region):
    # R-OP-1, R-OP-2: 50 % of 20 allowed in the red zone: 11 inside is over, 10 is not.
    ZoneChangeFactory(region=region, zone=Zone.RED, effective_from=date(2021, 5, 1))
    category = CategoryFactory()
    OperatingRule.objects.bulk_create(
        OperatingRule(category=category, zone=zone, for_participants=mine, may_open=True, opens_at=time(8),
                      closes_at=time(23), occupancy_percent=50)
        for zone in Zone.values for mine in (True, False)
    )  # fmt: skip
    over, at_limit = (VenueFactory(region=region, category=category, capacity=20) for _n in range(2))
    entries(over, on(12, 13), 11, stay=timedelta(minutes=30))
    entries(at_limit, on(12, 13), 10, stay=timedelta(minutes=30))
    rows = risk_list(region=region, now=NOW)
    assert [(row.venue, row.over_limit_hours, row.peak_inside, row.peak_allowed) for row in rows] == [(over, 1, 11, 10)]


def test_a_burst_is_more_than_five_times_the_median_hour_and_more_than_twenty(region):
    burst, steady = VenueFactory(region=region, capacity=1000), VenueFactory(region=region, capacity=1000)
    for venue, peak in ((burst, 26), (steady, 25)):
        for day in (10, 11, 12):
            entries(venue, on(day, 12), 5)  # median 5 → threshold 25
        entries(venue, on(13, 12), peak)
    rows = risk_list(region=region, now=NOW)
    assert [(row.venue, row.burst_hours, row.burst_threshold) for row in rows] == [(burst, 1, 25)]


def test_a_burst_below_twenty_is_no_signal(region):
    quiet = VenueFactory(region=region, capacity=1000)
    entries(quiet, on(10, 12), 1)
    entries(quiet, on(11, 12), 20)  # 20 × the median, but not more than 20
    assert risk_list(region=region, now=NOW) == []


def test_the_list_is_ranked_by_score_and_limited_to_the_region_and_period(region):
    mild, bad = VenueFactory(region=region, capacity=10), VenueFactory(region=region, capacity=10)
    entries(mild, on(10, 6), 3)  # 3 outside hours
    entries(bad, on(10, 14), 11)  # 11 inside at once: over the limit for one hour, 10
    elsewhere = VenueFactory(capacity=1)
    entries(elsewhere, on(10, 14), 30)
    # The last one 10 s before the 14 days, all gone before them.
    entries(mild, NOW - timedelta(days=14, minutes=1), 50, stay=timedelta(seconds=10))
    entries(mild, NOW, 50)  # not before now
    rows = risk_list(region=region, now=NOW)
    assert [(row.venue, row.score) for row in rows] == [(bad, 10), (mild, 3)]


def test_the_list_takes_five_queries_whatever_the_number_of_venues(region):
    # The hours (entries, people inside), the venues, and their conditions (zones,
    # table rows, standing).
    ZoneChangeFactory(region=region, zone=Zone.GREEN, effective_from=date(2021, 5, 1))
    for n in range(6):
        entries(VenueFactory(region=region, capacity=1), on(10, 2 + n), 2)
    with CaptureQueriesContext(connection) as queries:
        rows = risk_list(region=region, now=NOW)
    assert len(rows) == 6
    for n in range(14):
        entries(VenueFactory(region=region, capacity=1), on(11, 2 + n % 12), 2)
    with CaptureQueriesContext(connection) as more_queries:
        assert len(risk_list(region=region, now=NOW)) == 20
    # On PostgreSQL the hours' statement sets its work_mem first (a savepoint, SET LOCAL).
    assert len(queries) == len(more_queries) == (8 if connection.vendor == "postgresql" else 5)


def _table(category, *, participants, others):
    """The category's rows for every zone: (may_open, opens, closes) for participants and others."""
    OperatingRule.objects.bulk_create(
        OperatingRule(
            category=category,
            zone=zone,
            for_participants=mine,
            may_open=row[0],
            opens_at=row[1],
            closes_at=row[2],
            occupancy_percent=50 if row[0] else 0,
        )
        for zone in Zone.values
        for mine, row in ((True, participants), (False, others))
    )
    return category


def test_a_leader_s_extra_hours_and_a_closed_category_change_the_signal():  # R-MN-7, R-OP-2, R-LD-5
    green, red = RegionFactory(), RegionFactory()
    ZoneChangeFactory(region=green, zone=Zone.GREEN, effective_from=date(2021, 5, 1))
    ZoneChangeFactory(region=red, zone=Zone.RED, effective_from=date(2021, 5, 1))
    daytime = (True, time(8), time(23))
    category = _table(CategoryFactory(), participants=daytime, others=daytime)
    closed_for_others = _table(CategoryFactory(), participants=daytime, others=(False, None, None))
    issued = datetime(2021, 4, 1, 10, tzinfo=ALMATY)  # participants, test mode long over
    leader = VenueFactory(region=green, category=category, codes_first_issued_at=issued, capacity=100)
    plain = VenueFactory(region=green, category=category, codes_first_issued_at=issued, capacity=100)
    leader_term(leader, date(2021, 5, 1), date(2021, 6, 1))
    for venue in (leader, plain):
        entries(venue, on(12, 23, 30), 2)  # a green leader closes at 01:00 (R-LD-5)
        entries(venue, on(13, 0, 30), 1)
    # In the red zone, a non-participant of this category may not open at all.
    participant = VenueFactory(region=red, category=closed_for_others, codes_first_issued_at=issued, capacity=100)
    outsider = VenueFactory(region=red, category=closed_for_others, codes_first_issued_at=None, capacity=100)
    for venue in (participant, outsider):
        entries(venue, on(12, 12), 4)

    assert [(row.venue, row.outside_hours_checkins) for row in risk_list(region=green, now=NOW)] == [(plain, 3)]
    assert [(row.venue, row.outside_hours_checkins) for row in risk_list(region=red, now=NOW)] == [(outsider, 4)]


# The pages: the risk list and the inactivity flags of a region (R-MN-7, R-MN-2).


def staff(role, region=None):
    return UserFactory(role=role, region=region)


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.AKIMAT])
def test_regional_staff_see_their_region_and_get_404_for_another(client, region, role):
    venue = VenueFactory(region=region, capacity=1)
    other_region = RegionFactory()
    entries(venue, timezone.now() - timedelta(hours=2), 2)
    client.force_login(staff(role, region))
    for url in ("/monitoring/ops/risk/", "/monitoring/ops/flags/"):
        assert client.get(url).status_code == 200
        assert client.get(f"{url}?region={region.code}").status_code == 200
        assert client.get(f"{url}?region={other_region.code}").status_code == 404
    assert f'data-venue="{venue.pk}"' in client.get("/monitoring/ops/risk/").content.decode()


@pytest.mark.parametrize("role", [Role.OWNER, Role.SANITARY, Role.CITIZEN])
def test_other_roles_are_refused(client, region, role):
    client.force_login(staff(role, region))
    assert client.get("/monitoring/ops/risk/").status_code == 403
    assert client.get("/monitoring/ops/flags/").status_code == 403


def test_a_national_role_chooses_the_region(client, region):
    venue = VenueFactory(region=region, capacity=1)
    entries(venue, timezone.now() - timedelta(hours=2), 2)
    client.force_login(staff(Role.COMMISSION))
    choice = client.get("/monitoring/ops/risk/").content.decode()
    assert f"?region={region.code}" in choice
    assert f'data-venue="{venue.pk}"' in client.get(f"/monitoring/ops/risk/?region={region.code}").content.decode()
    assert client.get("/monitoring/ops/risk/?region=nowhere").status_code == 404


def test_the_risk_page_reads_the_stored_list_in_a_fixed_number_of_queries(
    client, region, django_assert_max_num_queries
):
    client.force_login(staff(Role.INSPECTOR, region))
    for n in range(30):
        entries(VenueFactory(region=region, capacity=1), timezone.now() - timedelta(hours=2 + n % 10), 2)
    risk_lists_refresh()
    with django_assert_max_num_queries(8):
        response = client.get("/monitoring/ops/risk/")
    assert response.content.decode().count("data-venue=") == 25


def test_the_page_shows_the_list_as_stored_until_the_next_refresh(client, region):  # R-MN-7
    client.force_login(staff(Role.INSPECTOR, region))
    first = VenueFactory(region=region, capacity=1)
    entries(first, timezone.now() - timedelta(hours=2), 2)
    assert f'data-venue="{first.pk}"' in client.get("/monitoring/ops/risk/").content.decode()  # computed once
    later = VenueFactory(region=region, capacity=1)
    entries(later, timezone.now() - timedelta(hours=1), 2)

    page = client.get("/monitoring/ops/risk/").content.decode()
    assert f'data-venue="{later.pk}"' not in page and "data-computed-at=" in page
    assert risk_lists_refresh() == Region.objects.count()
    assert f'data-venue="{later.pk}"' in client.get("/monitoring/ops/risk/").content.decode()


def test_the_flags_page_lists_the_region_s_flags_paginated(client, region, django_assert_max_num_queries):
    client.force_login(staff(Role.INSPECTOR, region))
    for _n in range(27):
        InactivityFlag.objects.create(
            venue=VenueFactory(region=region), first_day=date(2021, 5, 1), last_day=date(2021, 5, 4)
        )
    elsewhere = InactivityFlag.objects.create(
        venue=VenueFactory(), first_day=date(2021, 5, 1), last_day=date(2021, 5, 4)
    )
    with django_assert_max_num_queries(10):
        response = client.get("/monitoring/ops/flags/")
    body = response.content.decode()
    assert body.count("data-flag=") == 25
    assert f'data-flag="{elsewhere.pk}"' not in body
    assert client.get("/monitoring/ops/flags/?page=2").content.decode().count("data-flag=") == 2
