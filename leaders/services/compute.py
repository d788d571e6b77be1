"""Writes of the leaders app: the computation of the candidate lists (R-LD-1, R-LD-2,
R-LD-4) with the flags of suspicious counts, and the on-demand computation runs that
report their progress to the page that started them.

The computation reads for a long time and writes briefly: the counts and flags are
read outside any transaction (so that each progress update commits on its own and the
page sees it), then one short transaction locks the period, re-checks that no list of
it was submitted or fixed meanwhile, and replaces the candidates.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from operator import itemgetter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ashyq.core.hours import LocalHours
from ashyq.core.rows import values_rows
from ashyq.core.services import audit_record
from ashyq.queue import enqueue
from ashyq.reference.models import Region
from leaders import rules
from leaders.models import Candidate, CandidateList, ComputeRun, ListStatus, Period, RunStatus
from venues import conditions
from venues.models import Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import venue_ids_in_during
from visitors.models import VenueDay, VenueHour
from visitors.services.counts import counts_rollup

logger = logging.getLogger(__name__)

# percent (0–100), a short message for the page.
Progress = Callable[[int, str], None]


class LeadersError(ValueError):
    """A computation refused; the message is for the user."""


def _days(start: datetime, end: datetime) -> tuple[date, date]:
    """The first and the last local day of [start, end) (a period is whole local days)."""
    return start.astimezone(rules.LOCAL_TZ).date(), (end - timedelta(microseconds=1)).astimezone(rules.LOCAL_TZ).date()


def counted_days(*, start: datetime, end: datetime):
    """The venues' daily counts of [start, end) (visitors.models.VenueDay, kept for good:
    a period older than the 28 days of check-ins kept, R-PR-2, is counted the same).

    Decided: a red or yellow visitor refused at the door (R-CI-3) is not counted
    (VenueDay.checkins leaves him out). He was checked but never admitted; Leader Ashyq
    rewards venues for the visitors they let in under status control, and counting
    refusals would let a venue earn benefits from the people it had to turn away. Every
    other check-in is counted once (R-CI-5 merges re-scans within 30 minutes)."""
    first, last = _days(start, end)
    return VenueDay.objects.filter(day__gte=first, day__lte=last)


# R-LD-4: volunteers, and venues excluded (or awaiting their return, R-MN-4) at any
# moment of the period, are never candidates: read from their standing then (R-VN-9).
_NOT_ELIGIBLE = standing_rules.EXCLUDED_KINDS | {standing_rules.VOLUNTEER}


def venue_counts(*, start: datetime, end: datetime) -> list[dict]:
    """Each eligible venue with more check-ins in [start, end) than the lowest threshold
    (rules.LOWEST_THRESHOLD: none with fewer can be a candidate), with its region,
    region kind, category tier and capacity. Volunteers and venues with no tier
    (R-REF-3) and venues excluded at any moment of the period (R-LD-4) are left out.

    Two queries: one aggregate of the period's daily counts grouped by venue, then the
    few venues it keeps."""
    counts = dict(
        counted_days(start=start, end=end)
        .exclude(venue__category__tier="")
        .exclude(venue_id__in=venue_ids_in_during(_NOT_ELIGIBLE, start, end))
        .values("venue_id")
        .annotate(checkins=Sum("checkins"))
        .filter(checkins__gt=rules.LOWEST_THRESHOLD)
        .order_by()
        .values_list("venue_id", "checkins")
    )
    venues = Venue.objects.filter(pk__in=counts).values_list(
        "pk", "region_id", "region__kind", "category__tier", "capacity"
    )
    return [
        {
            "venue_id": pk,
            "venue__region_id": region_id,
            "venue__region__kind": kind,
            "venue__category__tier": tier,
            "venue__capacity": capacity,
            "checkins": counts[pk],
        }
        for pk, region_id, kind, tier, capacity in venues.order_by("pk")
    ]


def hourly_counts(*, venue_ids: list[int], start: datetime, end: datetime):
    """(venue id, UTC hour, check-ins) of the venues' counted check-ins in [start, end),
    from their hourly counts (visitors.models.VenueHour, kept for good), hours with none
    left out."""
    return (
        VenueHour.objects.filter(venue_id__in=venue_ids, hour__gte=start, hour__lt=end)
        .values_list("venue_id", "hour", "checkins")
        .order_by()
    )


def _hourly_counts(*, venue_ids: list[int], start: datetime, end: datetime) -> dict[int, dict[datetime, int]]:
    """Each venue's check-ins per local hour of the period (hourly_counts), keyed by the
    hour's naive local start (its day and hour are all the flags need)."""
    hourly: dict[int, dict[datetime, int]] = {venue_id: {} for venue_id in venue_ids}
    if not venue_ids:
        return hourly
    local = LocalHours()
    for venue_id, utc_hour, checkins in values_rows(hourly_counts(venue_ids=venue_ids, start=start, end=end)):
        hour = local[utc_hour]
        counts = hourly[venue_id]
        counts[hour] = counts.get(hour, 0) + checkins  # the clocks going back: two UTC hours, one local
    return hourly


def _period_days(start: datetime) -> list[date]:
    first = start.astimezone(rules.LOCAL_TZ).date()
    return [first + timedelta(days=n) for n in range(rules.PERIOD_DAYS)]


def _flags(rows: list[dict], *, start: datetime, end: datetime) -> dict[int, list[dict]]:
    """The flags of the candidates `rows` (venue id → flags) in a fixed number of
    queries: their check-ins per local hour (the days follow from it), their venues,
    and the allowed hours of each venue and day (leaders.conditions.hours_for, the day
    before the period included for the hours after its midnight)."""
    venue_ids = [row["venue_id"] for row in rows]
    hourly = _hourly_counts(venue_ids=venue_ids, start=start, end=end)
    days = _period_days(start)
    venues = Venue.objects.filter(pk__in=venue_ids).select_related("category")
    allowed = conditions.hours_for(venues, [days[0] - timedelta(days=1), *days])

    def closed(venue_id: int, day: date) -> frozenset[int]:
        return rules.closed_hours(allowed[(venue_id, day)], allowed[(venue_id, day - timedelta(days=1))])

    by_guard, lookups = _typed_counts(venue_ids=venue_ids, start=start, end=end)
    flags = {}
    for row in rows:
        venue_id = row["venue_id"]
        daily = dict.fromkeys(days, 0)
        outside = 0
        closed_on = {day: closed(venue_id, day) for day in days}
        for hour, checkins in hourly[venue_id].items():
            day = hour.date()
            daily[day] += checkins
            if hour.hour in closed_on[day]:
                outside += checkins
        flags[venue_id] = rules.suspicious_flags(
            checkins=row["checkins"],
            capacity=row["venue__capacity"],
            daily=daily,
            outside=outside,
            by_guard=by_guard.get(venue_id, 0),
            lookups=lookups.get(venue_id, 0),
        )
    return flags


def _typed_counts(*, venue_ids: list[int], start: datetime, end: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Of the candidates, their counted check-ins typed on the guard page, and their
    guard look-ups (whatever the answer), in [start, end): from their daily counts
    (VenueDay, kept for good), so a period older than the rows kept (R-PR-2) is flagged
    the same."""
    if not venue_ids:
        return {}, {}
    rows = (
        counted_days(start=start, end=end)
        .filter(venue_id__in=venue_ids)
        .values("venue_id")
        .annotate(typed=Sum("by_guard"), looked_up=Sum("lookups"))
        .order_by()
        .values_list("venue_id", "typed", "looked_up")
    )
    typed, looked_up = {}, {}
    for venue_id, by_guard, lookups in rows:
        typed[venue_id], looked_up[venue_id] = by_guard, lookups
    return typed, looked_up


@contextmanager
def _aggregate_memory():
    """On PostgreSQL, work_mem for the count's aggregate (one entry per venue: ~20 MB at
    100,000 venues, if the planner hashes it; the default 4 MB made it spill to disk),
    for this statement only (the benchmark B4)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def _check_period(period_start: date, now: datetime) -> None:
    """R-LD-2: refuse a date that starts no period and a period not closed at `now`
    (and dates before Ashyq or not yet come, before any date arithmetic overflows)."""
    if period_start < rules.FIRST_PERIOD_START:
        raise LeadersError(
            _("Ashyq counted no check-ins before %(start)s; choose a later period.")
            % {"start": rules.FIRST_PERIOD_START.isoformat()}
        )
    if period_start > now.astimezone(rules.LOCAL_TZ).date():
        raise LeadersError(
            _("The period starting on %(start)s has not begun yet.") % {"start": period_start.isoformat()}
        )
    if not rules.is_period_start(period_start):
        start, _end = rules.period_containing(period_start)
        raise LeadersError(
            _("%(day)s is not the first day of a period; the period holding it starts on %(start)s.")
            % {"day": period_start.isoformat(), "start": start.isoformat()}
        )
    _start, end = rules.period_bounds_utc(period_start)
    if end > now:
        raise LeadersError(
            _("The period %(start)s – %(end)s has not closed yet.")
            % {"start": period_start.isoformat(), "end": (period_start + timedelta(days=rules.PERIOD_DAYS)).isoformat()}
        )


def _locked(lists) -> set[int]:
    """R-LD-3: the regions (ids) of `lists` already submitted or fixed: never recomputed."""
    return {cl.region_id for cl in lists if cl.status != ListStatus.COMPUTED}


def _refuse_if_all_locked(period_start: date) -> None:
    """R-LD-3: a computation that could change no list is refused at once; one region's
    submitted list does not hold up the others'."""
    locked = _locked(CandidateList.objects.filter(period__starts_on=period_start))
    if locked and not Region.objects.exclude(pk__in=locked).exists():
        raise LeadersError(
            _("Every region's list for this period is already submitted or fixed; nothing was recomputed.")
        )


def kept_lists(period_start: date) -> list[str]:
    """The names of the regions whose list of the period is submitted or fixed, which a
    computation keeps as they are (R-LD-3)."""
    lists = CandidateList.objects.filter(period__starts_on=period_start).exclude(status=ListStatus.COMPUTED)
    return sorted(str(cl.region) for cl in lists.select_related("region"))


def _no_progress(percent: int, message: str) -> None:
    pass


def leaders_compute(
    *, period_start: date, now: datetime, actor=None, progress: Progress | None = None
) -> dict[str, int]:
    """R-LD-2: compute the candidate list of every region for the period starting on
    `period_start`; returns region code → number of candidates.

    Refuses a date that is not a period start and a period not closed at `now`.
    Recomputing replaces the candidates of each list and gives the same lists, except
    the lists already submitted or fixed (R-LD-3), which are kept as they are — also
    one submitted while this computation was reading — and left out of the result; it
    is refused when every region's list is.
    `progress(percent, message)` is called at each stage (counting, the flags of each
    region, writing); outside a transaction each call can commit on its own.
    """
    report = progress or _no_progress
    _check_period(period_start, now)
    _refuse_if_all_locked(period_start)
    start, end = rules.period_bounds_utc(period_start)
    # The period's check-ins are read from their counts: counted up to its end first.
    if counts_rollup(now=now) < end:
        raise LeadersError(_("The check-ins of the period's last minutes are still being counted; try again shortly."))

    report(0, _("Counting the check-ins of the period"))
    chosen: dict[int, list[dict]] = defaultdict(list)
    with _aggregate_memory():
        counts = venue_counts(start=start, end=end)
    for row in sorted(counts, key=itemgetter("venue_id")):
        limit = rules.threshold(tier=row["venue__category__tier"], region_kind=row["venue__region__kind"])
        if rules.is_candidate(checkins=row["checkins"], threshold=limit):
            chosen[row["venue__region_id"]].append({**row, "threshold": limit})
    regions = list(Region.objects.order_by("code"))

    # The flags of every region's candidates at once (one read of their hourly counts from
    # the index, instead of one per region: the benchmark B4).
    report(60, _("Checking the candidates' check-ins hour by hour"))
    flags = _flags([row for rows in chosen.values() for row in rows], start=start, end=end)

    report(90, _("Writing the lists"))
    result = _write_lists(period_start=period_start, now=now, actor=actor, regions=regions, chosen=chosen, flags=flags)
    report(100, _("Done"))
    return result


@transaction.atomic
def _write_lists(
    *, period_start: date, now: datetime, actor, regions: list, chosen: dict[int, list[dict]], flags: dict
) -> dict[str, int]:
    """The short write: lock the period (two runs of one period write one after the
    other), re-check the lists under lock, replace the candidates of those still
    computed only, audit."""
    period, _created = Period.objects.get_or_create(
        starts_on=period_start, defaults={"ends_on": period_start + timedelta(days=rules.PERIOD_DAYS)}
    )
    Period.objects.select_for_update().filter(pk=period.pk).get()
    lists = {
        cl.region_id: cl
        for cl in CandidateList.objects.select_for_update().filter(period=period).select_related("region")
    }
    locked = _locked(lists.values())
    regions = [region for region in regions if region.pk not in locked]
    if not regions:
        raise LeadersError(
            _("Every region's list for this period is already submitted or fixed; nothing was recomputed.")
        )
    for region in regions:
        if region.pk not in lists:
            lists[region.pk] = CandidateList(period=period, region=region, computed_at=now)
    CandidateList.objects.bulk_create([cl for cl in lists.values() if cl.pk is None])
    open_lists = [lists[region.pk].pk for region in regions]
    CandidateList.objects.filter(pk__in=open_lists).update(computed_at=now)
    Candidate.objects.filter(list_id__in=open_lists).delete()
    Candidate.objects.bulk_create(
        Candidate(
            list=lists[region_id],
            venue_id=row["venue_id"],
            checkins=row["checkins"],
            threshold=row["threshold"],
            flags=flags[row["venue_id"]],
        )
        for region_id, rows in chosen.items()
        if region_id not in locked
        for row in rows
    )
    result = {region.code: len(chosen.get(region.pk, [])) for region in regions}
    kept = sorted(cl.region.code for cl in lists.values() if cl.region_id in locked)
    audit_record(actor=actor, action="leaders.compute", obj=period, candidates=result, kept=kept)
    return result


# --- On-demand runs, with their progress ------------------------------------------------------


@transaction.atomic
def compute_run_request(*, period_start: date, requested_by, now: datetime, language: str = "") -> ComputeRun:
    """Queue a computation of the period starting on `period_start` for `requested_by`
    (commission, operator); refuses at once what the computation would refuse (a day
    that starts no period, a period not closed, every region's list already
    submitted), so that nothing is queued for nothing. The worker runs
    leaders.tasks.compute_run."""
    from leaders import tasks

    _check_period(period_start, now)
    _refuse_if_all_locked(period_start)
    run = ComputeRun.objects.create(period_start=period_start, requested_by=requested_by, requested_at=now)
    audit_record(
        actor=requested_by, action="leaders.compute_run.request", obj=run, period_start=period_start.isoformat()
    )
    enqueue(tasks.compute_run, run.pk, language or settings.LANGUAGE_CODE)
    return run


def _run_update(run_id: int, **fields) -> bool:
    return ComputeRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(**fields) == 1


def compute_run_perform(*, run_id: int, language: str = "") -> str | None:
    """Perform the computation run `run_id` and return its final status; None when the
    run is gone or already done or failed (a redelivered task is not redone).

    A run left "running" by a worker that died is taken again (acks_late redelivers
    it). Progress is written to the run as it goes; a refusal (LeadersError) ends it
    "failed" with its message for the user, an unexpected error with a generic message
    (the error itself goes to the log)."""
    now = timezone.now()
    taken = ComputeRun.objects.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.RUNNING, started_at=now, finished_at=None, progress=0, message=""
    )
    if not taken:
        return None
    run = ComputeRun.objects.select_related("requested_by").get(pk=run_id)

    def progress(percent: int, message: str) -> None:
        _run_update(run_id, progress=max(0, min(percent, 100)), message=message)

    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            result = leaders_compute(period_start=run.period_start, now=now, actor=run.requested_by, progress=progress)
        except LeadersError as error:
            _run_update(run_id, status=RunStatus.FAILED, finished_at=timezone.now(), message=str(error))
            return RunStatus.FAILED
        except Exception:
            logger.exception("Leaders computation run %s failed", run_id)
            _run_update(
                run_id,
                status=RunStatus.FAILED,
                finished_at=timezone.now(),
                message=_(
                    "The computation failed because of an error on our side; it has been logged. Try again later or tell an operator."
                ),
            )
            return RunStatus.FAILED
        message = _("Done. Candidates found: %(candidates)s.") % {"candidates": sum(result.values())}
        kept = kept_lists(run.period_start)
        if kept:
            message += " " + _("Already submitted, kept as they were: %(regions)s.") % {"regions": ", ".join(kept)}
        _run_update(
            run_id, status=RunStatus.DONE, finished_at=timezone.now(), progress=100, result=result, message=message
        )
    return RunStatus.DONE
