"""R-PR-2 as now decided: the check-ins and status look-ups older than 28 days are
deleted — the check-ins only once counted — whole days at a time on PostgreSQL; their
anonymous counts stay, and a Leader Ashyq period older than 28 days recomputes to the
same list."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from ashyq.core.models import AuditEvent
from ashyq.reference.models import Tier
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory
from leaders import rules as leaders_rules
from leaders.models import Candidate, CandidateList
from leaders.services import compute
from leaders.tests.factories import add_visits
from visitors import partitions
from visitors.models import CountsMark, DoorReport, RemoteCheck, StatusLookup, VenueDay, Visit, VisitWindow
from visitors.services.counts import counts_rebuild
from visitors.services.retention import retention_run
from visitors.tests.factories import RemoteCheckFactory, StatusLookupFactory, VisitFactory, open_venue

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
T0 = datetime(2021, 7, 1, 12, 0, tzinfo=ALMATY)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")


def mark_at(moment: datetime) -> None:
    CountsMark.objects.update_or_create(pk=1, defaults={"counted_until": moment, "rows_kept_from": None})


@pytest.fixture
def venue():
    return open_venue(now=T0 - timedelta(days=90))


def test_r_pr_2_check_ins_and_look_ups_older_than_28_days_go_and_their_counts_stay(venue):
    old, young = T0 - timedelta(days=28, seconds=1), T0 - timedelta(days=27, hours=23)
    gone = VisitFactory(venue=venue, entered_at=old)
    kept = VisitFactory(venue=venue, entered_at=young)
    StatusLookupFactory(venue=venue, at=old)
    kept_lookup = StatusLookupFactory(venue=venue, at=young)
    VisitWindow.objects.create(venue=venue, person="x" * 64, until=T0 - timedelta(minutes=1))
    mark_at(T0 - timedelta(hours=1))
    counts_rebuild(day=old.date(), now=T0)

    report = retention_run(now=T0)

    assert not Visit.objects.filter(pk=gone.pk).exists()
    assert Visit.objects.filter(pk=kept.pk).exists()
    assert list(StatusLookup.objects.values_list("pk", flat=True)) == [kept_lookup.pk]
    assert not VisitWindow.objects.exists()
    assert VenueDay.objects.get(venue=venue, day=old.date()).checkins == 2  # how many stays (both of 3 June)
    assert report.kept_from == (T0 - timedelta(days=28)).date()
    assert CountsMark.objects.get().rows_kept_from == report.kept_from
    # A day before the first kept one has only its counts: counting it again changes nothing.
    day_before = old.date() - timedelta(days=1)
    VenueDay.objects.create(venue=venue, day=day_before, checkins=5)
    assert counts_rebuild(day=day_before, now=T0) == 0
    assert VenueDay.objects.get(venue=venue, day=day_before).checkins == 5


def test_r_pr_2_a_check_in_not_counted_yet_is_kept_until_it_is(venue):
    old = VisitFactory(venue=venue, entered_at=T0 - timedelta(days=29))
    mark_at(T0 - timedelta(days=30))  # the counts stopped a month ago (a worker down)
    retention_run(now=T0 - timedelta(days=30) + timedelta(minutes=5))
    assert Visit.objects.filter(pk=old.pk).exists()


def test_r_pr_2_a_dry_run_changes_nothing_and_says_what_would_go(venue):
    VisitFactory(venue=venue, entered_at=T0 - timedelta(days=30))
    StatusLookupFactory(venue=venue, at=T0 - timedelta(days=30))
    mark_at(T0 - timedelta(hours=1))
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert Visit.objects.count() == 1 and StatusLookup.objects.count() == 1
    report = retention_run(now=T0, dry_run=True)
    assert (report.deleted_checkins, report.deleted_lookups) == (1, 1)
    assert Visit.objects.count() == 1 and StatusLookup.objects.count() == 1
    assert "would delete:" in out.getvalue()


@postgres_only
def test_r_pr_2_an_old_days_partition_is_dropped_whole_and_its_counts_kept(venue):
    old_day, young_day = (T0 - timedelta(days=30)).date(), (T0 - timedelta(days=3)).date()
    made = partitions.partitions_ensure([old_day, young_day])
    assert "visitors_visit_p20210601" in made
    VisitFactory(venue=venue, entered_at=datetime(2021, 6, 1, 10, tzinfo=ALMATY))
    VisitFactory(venue=venue, entered_at=datetime(2021, 6, 28, 10, tzinfo=ALMATY))
    StatusLookupFactory(venue=venue, at=datetime(2021, 6, 1, 10, tzinfo=ALMATY))
    mark_at(T0 - timedelta(hours=1))
    counts_rebuild(day=old_day, now=T0)

    report = retention_run(now=T0)

    assert "visitors_visit_p20210601" in report.dropped
    assert "visitors_statuslookup_p20210601" in report.dropped
    assert old_day not in partitions.partitions("visitors_visit")
    assert young_day in partitions.partitions("visitors_visit")
    assert list(Visit.objects.values_list("entered_at__date", flat=True)) == [date(2021, 6, 28)]
    assert VenueDay.objects.get(venue=venue, day=old_day).checkins == 1
    # The next week's days have theirs, so a day's first check-in never waits.
    assert (T0 + timedelta(days=7)).date() in partitions.partitions("visitors_visit")


@postgres_only
def test_a_day_with_rows_in_the_default_partition_gets_its_own_with_them():
    day = date(2021, 3, 1)
    venue = open_venue(now=datetime(2021, 1, 1, tzinfo=ALMATY))
    visit = VisitFactory(venue=venue, entered_at=datetime(2021, 3, 1, 10, tzinfo=ALMATY))  # in the default one
    partitions.partitions_ensure([day])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM visitors_visit_p20210301 WHERE id = %s", [visit.pk])
        assert cursor.fetchone()[0] == 1
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_r_pr_2_a_period_older_than_28_days_recomputes_to_the_same_list():  # R-LD-1, R-LD-2
    period = date(2021, 5, 10)
    start, end = leaders_rules.period_bounds_utc(period)
    venue = open_venue(
        now=start - timedelta(days=30), region=RegionFactory(city=False), category=CategoryFactory(tier=Tier.B)
    )
    add_visits(venue, 600, start=start)  # over the tier B oblast threshold (500), counted
    now = end + timedelta(days=40)
    mark_at(now - timedelta(hours=1))
    compute.leaders_compute(period_start=period, now=now)
    before = list(Candidate.objects.values_list("venue_id", "checkins", "threshold"))
    assert before == [(venue.pk, 600, 500)]

    retention_run(now=now)
    assert not Visit.objects.exists()  # every check-in of the period is gone
    CandidateList.objects.all().delete()
    compute.leaders_compute(period_start=period, now=now)

    assert list(Candidate.objects.values_list("venue_id", "checkins", "threshold")) == before


def test_r_pr_2_remote_checks_and_door_reports_go_after_28_days_the_audit_log_after_a_year(venue):
    RemoteCheckFactory(at=T0 - timedelta(days=29))
    young_check = RemoteCheckFactory(at=T0 - timedelta(days=1))
    DoorReport.objects.create(venue=venue, region=venue.region, at=T0 - timedelta(days=29), colour="red")
    young_report = DoorReport.objects.create(venue=venue, region=venue.region, at=T0 - timedelta(days=1), colour="red")
    AuditEvent.objects.create(action="x.old", at=T0 - timedelta(days=366))
    young_event = AuditEvent.objects.create(action="x.young", at=T0 - timedelta(days=364))
    mark_at(T0 - timedelta(hours=1))

    report = retention_run(now=T0)

    assert list(RemoteCheck.objects.values_list("pk", flat=True)) == [young_check.pk]
    assert list(DoorReport.objects.values_list("pk", flat=True)) == [young_report.pk]
    assert list(AuditEvent.objects.filter(action__startswith="x.").values_list("pk", flat=True)) == [young_event.pk]
    assert (report.deleted_remote_checks, report.deleted_door_reports, report.deleted_audit_events) == (1, 1, 1)
