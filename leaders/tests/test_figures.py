"""The owner's figures of one venue: check-ins per local day and hour of the last 28
days, the current period against its Leader Ashyq threshold (R-LD-1, R-LD-2, R-LD-4),
the standing history (R-VN-9) and the sanctions; his own venues only."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ashyq.reference.models import RegionKind
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory
from leaders import figures
from leaders.rules import LOCAL_TZ
from monitoring.models import Sanction, SanctionKind
from monitoring.tests.factories import ViolationFactory
from venues.tests.factories import CompanyFactory
from visitors.tests.factories import VisitFactory, open_venue

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 6, 20, 12, 0, tzinfo=LOCAL_TZ)  # the last day of the period 7–20 June (R-LD-2)


def local(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2021, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def venue():
    region = RegionFactory(kind=RegionKind.CITY, name_en="Almaty")
    return open_venue(now=NOW - timedelta(days=40), region=region, category=CategoryFactory(tier="A"), capacity=50)


@pytest.fixture
def visits(venue):
    for minute in range(3):
        VisitFactory(venue=venue, entered_at=local(8, 10, minute))
    VisitFactory(venue=venue, entered_at=local(19, 23, 30))  # 17:30 UTC: still the 19th here
    VisitFactory(venue=venue, colour="red", entered_at=local(19, 20), exited_at=local(19, 20), exit_method="refused")
    VisitFactory(venue=venue, entered_at=local(6, 23, 59))  # the day before the period
    VisitFactory(venue=venue, entered_at=local(22, 12, month=5))  # 29 days ago: out of the 28


def test_the_days_and_hours_are_local_and_the_period_counts_what_the_leader_lists_count(venue, visits):
    found = figures.venue_figures(venue, now=NOW)

    assert found.days[0] == date(2021, 5, 24) and found.days[-1] == date(2021, 6, 20) and len(found.days) == 28
    by_day = dict(zip(found.days, found.per_day, strict=True))
    assert (by_day[date(2021, 6, 8)], by_day[date(2021, 6, 19)], by_day[date(2021, 6, 6)]) == (3, 1, 1)
    assert dict(zip(found.days, found.refused_per_day, strict=True))[date(2021, 6, 19)] == 1
    assert found.total == 5
    assert (found.per_hour[10], found.per_hour[23], found.per_hour[20]) == (3, 2, 0)
    # R-LD-1: tier A in a city: more than 2,000; the refusal is no check-in (R-CI-3).
    period = found.period
    assert (period.first_day, period.last_day) == (date(2021, 6, 7), date(2021, 6, 20))
    assert (period.checkins, period.threshold, period.missing, period.eligible) == (4, 2000, 1997, True)


def test_r_ld_1_exactly_the_threshold_is_not_enough_one_more_is():
    progress = figures.PeriodProgress(date(2021, 6, 7), date(2021, 6, 20), 2000, 2000, excluded=False)
    assert progress.missing == 1
    assert figures.PeriodProgress(date(2021, 6, 7), date(2021, 6, 20), 2001, 2000, excluded=False).missing == 0


def test_r_ld_4_a_volunteer_can_never_be_a_candidate(venue):
    venue.category = CategoryFactory(volunteer=True)
    assert not figures.period_progress(venue, now=NOW).eligible


def test_the_owner_sees_the_figures_of_his_venue(en_client, venue, visits):
    violation = ViolationFactory(venue=venue, occurred_at=NOW - timedelta(days=36))
    Sanction.objects.create(
        venue=venue, kind=SanctionKind.WARNING, violation=violation, starts_at=NOW - timedelta(days=35)
    )
    en_client.force_login(venue.company.owner)
    response = en_client.get(reverse("figures:venue_figures", args=[venue.pk]))
    text = response.content.decode()

    assert response.status_code == 200
    assert 'data-period-checkins="4"' in text and 'data-threshold="2000"' in text
    assert "1997 more check-ins needed." in text
    assert 'id="venue-days-title"' in text and 'id="venue-hours-title"' in text  # the two charts
    assert "test mode" in text and "participant" in text  # R-VN-9, newest first
    assert text.index("participant") < text.index("test mode")
    sanctions = text[text.index("data-sanctions") :]
    assert ">warning<" in sanctions and "over" in sanctions.lower()


def test_another_owner_gets_404_and_a_stranger_is_sent_to_sign_in(client, venue):
    client.force_login(CompanyFactory().owner)
    assert client.get(reverse("figures:venue_figures", args=[venue.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("figures:venue_figures", args=[venue.pk])).status_code == 302


def test_the_figures_cost_the_same_queries_for_few_or_many_check_ins(client, venue):
    client.force_login(venue.company.owner)
    url = reverse("figures:venue_figures", args=[venue.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    VisitFactory(venue=venue, entered_at=local(10, 9))
    few = queries()
    for day in range(1, 20):
        VisitFactory.create_batch(3, venue=venue, entered_at=local(day, 8 + day % 10))
    assert queries() == few
