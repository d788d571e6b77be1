"""Writes of the leaders app: the computation of the candidate lists (R-LD-1, R-LD-2,
R-LD-4) with the flags of suspicious counts (issue 7, item 3)."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from ashyq.core.services import audit_record
from ashyq.reference.models import Region
from leaders import rules
from leaders.models import Candidate, CandidateList, ListStatus, Period
from monitoring.selectors import venues_excluded_during
from visitors.models import ExitMethod, Visit


class LeadersError(ValueError):
    """A computation refused; the message is for the user."""


def counted_visits(*, start: datetime, end: datetime):
    """The check-ins that count for R-LD-1 in [start, end).

    Decided: a red or yellow visitor refused at the door (exit_method "refused",
    R-CI-3) is not counted. He was checked but never admitted; Leader Ashyq rewards
    venues for the visitors they let in under status control, and counting refusals
    would let a venue earn benefits from the people it had to turn away. Every other
    Visit row is already one check-in (R-CI-5 merges re-scans within 30 minutes).
    """
    return Visit.objects.filter(entered_at__gte=start, entered_at__lt=end).exclude(exit_method=ExitMethod.REFUSED)


def venue_counts(*, start: datetime, end: datetime) -> list[dict]:
    """One aggregate query: each eligible venue's check-ins in [start, end) with its
    region, region kind, category tier and capacity. Volunteers and venues with no
    tier (R-REF-3) and venues excluded at any moment of the period (R-LD-4) are left
    out."""
    return list(
        counted_visits(start=start, end=end)
        .filter(venue__category__is_volunteer=False)
        .exclude(venue__category__tier="")
        .exclude(venue_id__in=venues_excluded_during(start=start, end=end))
        .values(
            "venue_id",
            "venue__region_id",
            "venue__region__kind",
            "venue__category__tier",
            "venue__capacity",
        )
        .annotate(checkins=Count("id"))
        .order_by("venue_id")
    )


def _daily_counts(*, venue_ids: list[int], start: datetime, end: datetime) -> dict[int, dict[date, int]]:
    """Each venue's check-ins per local day of the period, zero days included (one query)."""
    first = start.astimezone(rules.LOCAL_TZ).date()
    days = [first + timedelta(days=n) for n in range(rules.PERIOD_DAYS)]
    daily = {venue_id: dict.fromkeys(days, 0) for venue_id in venue_ids}
    rows = (
        counted_visits(start=start, end=end)
        .filter(venue_id__in=venue_ids)
        .annotate(day=TruncDate("entered_at", tzinfo=rules.LOCAL_TZ))
        .values("venue_id", "day")
        .annotate(checkins=Count("id"))
        .order_by()
    )
    for row in rows:
        daily[row["venue_id"]][row["day"]] = row["checkins"]
    return daily


@transaction.atomic
def leaders_compute(*, period_start: date, now: datetime, actor=None) -> dict[str, int]:
    """R-LD-2: compute the candidate list of every region for the period starting on
    `period_start`; returns region code → number of candidates.

    Refuses a date that is not a period start and a period not closed at `now`.
    Recomputing replaces the candidates of each list and gives the same lists, unless
    a list of the period is already submitted or fixed (R-LD-3): then nothing changes.
    """
    if not rules.is_period_start(period_start):
        start, _end = rules.period_containing(period_start)
        raise LeadersError(
            _("%(day)s is not the first day of a period; the period holding it starts on %(start)s.")
            % {"day": period_start.isoformat(), "start": start.isoformat()}
        )
    start, end = rules.period_bounds_utc(period_start)
    if end > now:
        raise LeadersError(
            _("The period %(start)s – %(end)s has not closed yet.")
            % {"start": period_start.isoformat(), "end": (period_start + timedelta(days=rules.PERIOD_DAYS)).isoformat()}
        )
    period, _created = Period.objects.get_or_create(
        starts_on=period_start, defaults={"ends_on": period_start + timedelta(days=rules.PERIOD_DAYS)}
    )
    regions = list(Region.objects.order_by("code"))
    lists = {cl.region_id: cl for cl in CandidateList.objects.select_for_update().filter(period=period)}
    locked = sorted(str(cl.region) for cl in lists.values() if cl.status != ListStatus.COMPUTED)
    if locked:
        raise LeadersError(
            _("The lists of %(regions)s for this period are already submitted or fixed; nothing was recomputed.")
            % {"regions": ", ".join(locked)}
        )

    counts = venue_counts(start=start, end=end)
    chosen = []
    for row in counts:
        limit = rules.threshold(tier=row["venue__category__tier"], region_kind=row["venue__region__kind"])
        if rules.is_candidate(checkins=row["checkins"], threshold=limit):
            chosen.append((row, limit))
    daily = _daily_counts(venue_ids=[row["venue_id"] for row, _limit in chosen], start=start, end=end)

    for region in regions:
        if region.pk in lists:
            lists[region.pk].computed_at = now
        else:
            lists[region.pk] = CandidateList(period=period, region=region, computed_at=now)
    CandidateList.objects.bulk_create([cl for cl in lists.values() if cl.pk is None])
    CandidateList.objects.filter(period=period).update(computed_at=now)
    Candidate.objects.filter(list__period=period).delete()
    Candidate.objects.bulk_create(
        Candidate(
            list=lists[row["venue__region_id"]],
            venue_id=row["venue_id"],
            checkins=row["checkins"],
            threshold=limit,
            flags=rules.suspicious_flags(
                checkins=row["checkins"], capacity=row["venue__capacity"], daily=daily[row["venue_id"]]
            ),
        )
        for row, limit in chosen
    )
    result = {region.code: 0 for region in regions}
    by_id = {region.pk: region.code for region in regions}
    for row, _limit in chosen:
        result[by_id[row["venue__region_id"]]] += 1
    audit_record(actor=actor, action="leaders.compute", obj=period, candidates=result)
    return result
