"""The anonymous counts (R-CI-9, R-LD-1, R-PR-2): each check-in counted once, however
the rollup and the rebuild of a day follow each other."""

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visitors.models import Colour, CountsMark, DailyStats, EntryMethod, ExitMethod, VenueDay, VenueHour
from visitors.services.counts import LAG, MAX_WINDOW, counts_rebuild, counts_rollup
from visitors.tests.factories import RemoteCheckFactory, VisitFactory, open_venue

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
T0 = datetime(2021, 6, 1, 12, 0, tzinfo=ALMATY)


def mark_at(moment: datetime) -> None:
    CountsMark.objects.update_or_create(pk=1, defaults={"counted_until": moment, "rows_kept_from": None})


def days() -> dict:
    return {(row.venue_id, row.day): (row.checkins, row.refused, row.by_guard) for row in VenueDay.objects.all()}


@pytest.fixture
def venue():
    return open_venue(now=T0 - timedelta(days=30))


def test_r_ci_9_each_check_in_is_counted_once_by_runs_that_follow_each_other(venue):
    mark_at(T0)
    VisitFactory(venue=venue, entered_at=T0 + timedelta(minutes=1))
    refused = T0 + timedelta(minutes=5)  # R-CI-3: red, refused at the door
    VisitFactory(venue=venue, entered_at=refused, colour=Colour.RED, exited_at=refused, exit_method=ExitMethod.REFUSED)
    late = T0 + timedelta(minutes=15)
    VisitFactory(venue=venue, entered_at=late, method=EntryMethod.GUARD)

    assert counts_rollup(now=T0 + timedelta(minutes=20)) == T0 + timedelta(minutes=10)  # LAG behind
    assert days() == {(venue.pk, T0.date()): (1, 1, 0)}
    assert counts_rollup(now=T0 + timedelta(minutes=20)) == T0 + timedelta(minutes=10)  # again: nothing new
    assert days() == {(venue.pk, T0.date()): (1, 1, 0)}
    counts_rollup(now=late + LAG + timedelta(seconds=1))
    assert days() == {(venue.pk, T0.date()): (2, 1, 1)}
    # R-LD-1: the refused visitor is not a counted check-in of the hour either.
    assert list(VenueHour.objects.values_list("hour", "checkins")) == [(T0, 2)]
    stats = DailyStats.objects.get(region=venue.region, day=T0.date())
    assert (stats.checkins, stats.red_at_door) == (3, 1)


def test_r_ci_9_a_scan_is_not_a_guards_check_in(venue):
    mark_at(T0)
    VisitFactory(venue=venue, entered_at=T0 + timedelta(minutes=1), method=EntryMethod.SCAN)
    VisitFactory(
        venue=venue,
        entered_at=T0 + timedelta(minutes=2),
        colour=Colour.YELLOW,
        exited_at=T0 + timedelta(minutes=2),
        exit_method=ExitMethod.REFUSED,
    )
    counts_rollup(now=T0 + timedelta(hours=1))
    assert days() == {(venue.pk, T0.date()): (1, 1, 0)}


def test_r_ci_9_the_local_day_and_the_hour_are_those_of_the_check_in(venue):
    midnight = datetime(2021, 6, 2, 0, 0, tzinfo=ALMATY)
    mark_at(midnight - timedelta(hours=1))
    VisitFactory(venue=venue, entered_at=midnight - timedelta(microseconds=1))
    VisitFactory(venue=venue, entered_at=midnight)
    counts_rollup(now=midnight + timedelta(hours=1))
    assert days() == {
        (venue.pk, midnight.date() - timedelta(days=1)): (1, 0, 0),
        (venue.pk, midnight.date()): (1, 0, 0),
    }
    assert sorted(VenueHour.objects.values_list("hour", flat=True)) == [midnight - timedelta(hours=1), midnight]


def test_r_ci_9_remote_checks_are_counted_in_the_day_with_no_region(venue):
    mark_at(T0)
    RemoteCheckFactory(at=T0 + timedelta(minutes=1), colour=Colour.RED)
    RemoteCheckFactory(at=T0 + timedelta(minutes=2), colour=Colour.GREEN)
    RemoteCheckFactory(at=T0 + timedelta(minutes=3), colour=Colour.RED, region=venue.region)
    counts_rollup(now=T0 + timedelta(hours=1))
    counts_rollup(now=T0 + timedelta(hours=2))
    rows = set(DailyStats.objects.values_list("region", "remote_checks", "red_remote"))
    assert rows == {(None, 2, 1), (venue.region_id, 1, 1)}


def test_a_run_counts_at_most_a_day_and_the_next_goes_on(venue):
    mark_at(T0)
    VisitFactory(venue=venue, entered_at=T0 + timedelta(hours=30))
    assert counts_rollup(now=T0 + timedelta(days=3)) == T0 + MAX_WINDOW
    assert not VenueDay.objects.exists()
    assert counts_rollup(now=T0 + timedelta(days=3)) == T0 + 2 * MAX_WINDOW
    assert VenueDay.objects.get().checkins == 1


def test_a_rebuild_counts_its_day_up_to_the_mark_and_the_rollup_the_rest(venue):
    VisitFactory(venue=venue, entered_at=T0 - timedelta(hours=3))  # written with a past moment
    VisitFactory(venue=venue, entered_at=T0 + timedelta(minutes=30))
    mark_at(T0)
    assert counts_rebuild(day=T0.date(), now=T0) > 0
    assert days() == {(venue.pk, T0.date()): (1, 0, 0)}
    counts_rebuild(day=T0.date(), now=T0)  # the day replaced, not added to
    assert days() == {(venue.pk, T0.date()): (1, 0, 0)}
    counts_rollup(now=T0 + timedelta(hours=1))
    assert days() == {(venue.pk, T0.date()): (2, 0, 0)}


def test_r_pr_2_a_day_whose_rows_are_gone_keeps_its_counts(venue):
    VisitFactory(venue=venue, entered_at=T0)
    mark_at(T0 + timedelta(days=1))
    counts_rebuild(day=T0.date(), now=T0 + timedelta(days=1))
    CountsMark.objects.update(rows_kept_from=T0.date() + timedelta(days=1))
    VenueDay.objects.update(checkins=41)  # what was counted while the rows were there
    assert counts_rebuild(day=T0.date(), now=T0 + timedelta(days=1)) == 0
    assert days() == {(venue.pk, T0.date()): (41, 0, 0)}


# --- R-CI-9 over random sequences: the counts are the rows, counted once --------------------

MINUTES = 3 * 24 * 60


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.lists(st.tuples(st.integers(0, MINUTES), st.booleans(), st.booleans()), max_size=40),
    runs=st.lists(st.tuples(st.sampled_from(["rollup", "rebuild"]), st.integers(0, MINUTES + 60)), max_size=12),
)
def test_r_ci_9_rollups_and_rebuilds_in_any_order_count_each_check_in_once(venue, entries, runs):
    with transaction.atomic():
        mark_at(T0)
        for minute, refused, guard in entries:
            at = T0 + timedelta(minutes=minute)
            VisitFactory(
                venue=venue,
                entered_at=at,
                colour=Colour.RED if refused else Colour.GREEN,
                exited_at=at if refused else None,
                exit_method=ExitMethod.REFUSED if refused else None,
                method=EntryMethod.GUARD if guard else EntryMethod.SCAN,
            )
        now = T0
        for action, minute in sorted(runs, key=lambda run: run[1]):
            now = T0 + timedelta(minutes=minute)
            if action == "rollup":
                counts_rollup(now=now)
            else:
                counts_rebuild(day=(now - timedelta(hours=12)).astimezone(ALMATY).date(), now=now)
        until = CountsMark.objects.get().counted_until
        expected = Counter()
        for minute, refused, guard in entries:
            at = T0 + timedelta(minutes=minute)
            if at < until:
                day = at.astimezone(ALMATY).date()
                expected[(day, "checkins")] += 0 if refused else 1
                expected[(day, "refused")] += 1 if refused else 0
                expected[(day, "by_guard")] += 1 if guard and not refused else 0
        got = Counter()
        for (venue_id, day), (checkins, refused, by_guard) in days().items():
            assert venue_id == venue.pk
            got[(day, "checkins")] += checkins
            got[(day, "refused")] += refused
            got[(day, "by_guard")] += by_guard
        assert +got == +expected
        assert sum(VenueHour.objects.values_list("checkins", flat=True)) == sum(
            n for (day, name), n in expected.items() if name == "checkins"
        )
        transaction.set_rollback(True)
