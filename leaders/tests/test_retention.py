"""R-PR-2 with R-LD-1 and R-LD-2: once a period's check-ins are gone, the hourly counts of
the venues that could never be its candidates go too, and the period still recomputes to
the same list with the same flags."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from ashyq.reference.models import Tier
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory
from leaders import rules
from leaders.models import Candidate, CandidateList
from leaders.services import compute
from leaders.services.retention import final_periods, venue_hours_prune
from leaders.tests.factories import add_visits
from visitors.models import CountsMark, VenueHour, Visit
from visitors.services.retention import retention_run
from visitors.tests.factories import open_venue

pytestmark = pytest.mark.django_db

PERIOD = date(2021, 5, 10)
START, END = rules.period_bounds_utc(PERIOD)


@pytest.fixture
def venues():
    """Two tier B venues of an oblast (threshold 500): one counted 501 times in the
    period (a candidate, flagged: its capacity of 5 cannot take that many), one 500."""
    region, category = RegionFactory(city=False), CategoryFactory(tier=Tier.B)
    above = open_venue(now=START - timedelta(days=30), region=region, category=category, capacity=5)
    at_threshold = open_venue(now=START - timedelta(days=30), region=region, category=category, capacity=5)
    add_visits(above, 501, start=START)
    add_visits(at_threshold, 500, start=START)
    return above, at_threshold


def _candidates() -> list[tuple]:
    return list(Candidate.objects.values_list("venue_id", "checkins", "threshold", "flags"))


def _days_later(days: int) -> datetime:
    return END + timedelta(days=days)


def test_hours_no_computation_can_read_go_and_the_period_recomputes_the_same(venues):
    above, at_threshold = venues
    now = _days_later(29)  # the period's last check-in is more than 28 days old
    retention_run(now=now)
    assert not Visit.objects.exists()
    compute.leaders_compute(period_start=PERIOD, now=now)
    before = _candidates()
    assert [row[:3] for row in before] == [(above.pk, 501, 500)] and before[0][3]  # flagged
    kept = VenueHour.objects.filter(venue=above).count()
    going = VenueHour.objects.filter(venue=at_threshold).count()
    assert kept and going

    assert venue_hours_prune(dry_run=True) == going
    assert venue_hours_prune() == going

    assert not VenueHour.objects.filter(venue=at_threshold).exists()
    assert VenueHour.objects.filter(venue=above).count() == kept
    CandidateList.objects.all().delete()
    compute.leaders_compute(period_start=PERIOD, now=now)
    assert _candidates() == before


def test_a_period_with_check_ins_still_kept_keeps_every_hour(venues):
    retention_run(now=_days_later(20))  # the period's last days are still kept
    hours = VenueHour.objects.count()
    assert venue_hours_prune() == 0
    assert VenueHour.objects.count() == hours


def test_only_the_periods_final_in_the_last_days_are_read():
    """A night reads what became final since the nights before, not every period."""
    end_day = PERIOD + timedelta(days=rules.PERIOD_DAYS)
    assert final_periods(kept_from=end_day + timedelta(days=1)) == [(PERIOD, end_day)]
    assert final_periods(kept_from=end_day + timedelta(days=2)) == [(PERIOD, end_day)]
    assert final_periods(kept_from=end_day + timedelta(days=3)) == []
    assert final_periods(kept_from=end_day) == [(PERIOD, end_day)]  # its last day just went
    assert final_periods(kept_from=end_day - timedelta(days=1)) == []  # its last day is still kept


def test_the_retention_command_prunes_the_hours_too(venues):
    going = VenueHour.objects.filter(venue=venues[1]).count()
    with time_machine.travel(_days_later(29), tick=False):
        dry = StringIO()
        call_command("retention", "--dry-run", stdout=dry)
        done = StringIO()
        call_command("retention", stdout=done)
    assert "would delete: 0 hourly counts" in dry.getvalue()  # the period's check-ins were still there
    assert f"delete: {going} hourly counts" in done.getvalue()
    assert not VenueHour.objects.filter(venue=venues[1]).exists()
    assert CountsMark.objects.get().rows_kept_from is not None
