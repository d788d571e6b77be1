"""seed_demo's check-ins: weeks of them, people inside the guarded cafe now, the demo
citizen's own look-ups, the daily counts; twice is the same as once."""

from datetime import timedelta

from django.utils import timezone

from ashyq.accounts import demo as accounts_demo
from ashyq.mocks.demo import DEMO_IIN_GREEN_PCR
from statuses.persons import person_key
from venues import demo as venues_demo
from venues.codes import demo as codes_demo
from venues.models import Venue
from visitors import demo, rules, selectors
from visitors.models import DailyStats, DoorReport, RemoteCheck, StatusLookup, Visit
from visitors.services.counts import LAG, counted_until


def _counts():
    return [model.objects.count() for model in (Visit, StatusLookup, DoorReport, RemoteCheck, DailyStats)]


def test_demo_check_ins_fill_occupancy_counts_and_the_citizens_lists(db):
    accounts_demo.seed()
    venues_demo.seed()
    codes_demo.seed()

    assert demo.seed() == []

    now = timezone.now()
    cafe = Venue.objects.get(name=codes_demo.GUARDED_VENUE)
    assert 2000 < Visit.objects.count() < 20000
    assert selectors.occupancy(cafe, now=now).inside >= demo.INSIDE_NOW
    # R-LD-1: the cafe has more than 2,000 check-ins in the last two weeks.
    assert Visit.objects.filter(venue=cafe, entered_at__gt=now - timedelta(days=14)).count() > 2000
    # R-CI-3: every red or yellow visitor at the door has its report and never counts inside.
    refused = Visit.objects.filter(colour__in=["red", "yellow"])
    assert refused.exists() and not refused.filter(exited_at__isnull=True).exists()
    assert DoorReport.objects.count() == refused.count()
    # R-CI-4: nothing open for 4 hours or more.
    assert not Visit.objects.filter(exited_at__isnull=True, entered_at__lte=now - rules.AUTO_CLOSE_AFTER).exists()
    # R-PR-4: the demo citizen sees the guard's look-ups and his visits; none in the last 30 minutes (R-CI-5).
    me = person_key(iin=DEMO_IIN_GREEN_PCR)
    assert selectors.lookups_of(me, now=now).count() == 2
    assert selectors.visits_of(me, now=now).count() == 3
    assert not Visit.objects.filter(person=me, entered_at__gt=now - rules.VISIT_WINDOW).exists()
    # R-CI-9: the counts are rolled up and match the rows, as far as they are counted
    # (the last minutes' are counted by the worker's next run).
    until = counted_until()
    assert until >= now - LAG
    assert (
        sum(DailyStats.objects.values_list("checkins", flat=True)) == Visit.objects.filter(entered_at__lt=until).count()
    )
    assert (
        sum(DailyStats.objects.values_list("remote_checks", flat=True))
        == RemoteCheck.objects.filter(at__lt=until).count()
    )


def test_seeding_twice_changes_nothing(db):
    accounts_demo.seed()
    venues_demo.seed()
    codes_demo.seed()
    demo.seed()
    first = _counts()

    demo.seed()

    assert _counts() == first
