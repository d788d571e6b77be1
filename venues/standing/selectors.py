"""The one reader of a venue's standing (R-VN-9): what it was at a moment or on a day.

Every rule that asks what a venue was reads it here — the codes (R-CI-7), the public
list (R-VN-6), the operating conditions (R-OP-2, R-LD-5), leader eligibility (R-LD-4),
inactivity (R-MN-2) and the sanction ladder (R-MN-3) — never from today's fields.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet, Subquery

from venues.models import Standing
from venues.standing import rules
from venues.standing.rules import Day, Interval


def _covering(at) -> Q:
    """The intervals in force at `at` (a moment, or an expression such as OuterRef)."""
    return Q(starts_at__lte=at) & (Q(ends_at__isnull=True) | Q(ends_at__gt=at))


def _overlapping(start: datetime, end: datetime) -> Q:
    return Q(starts_at__lt=end) & (Q(ends_at__isnull=True) | Q(ends_at__gt=start))


def history_of(venue) -> list[Interval]:
    """The venue's whole history, oldest first (one query)."""
    venue_id = getattr(venue, "pk", venue)
    return [row.interval() for row in Standing.objects.filter(venue_id=venue_id).order_by("starts_at")]


def standing_at(venue, at: datetime) -> Interval | None:
    """The interval in force at `at`; None before the venue had any (applied)."""
    venue_id = getattr(venue, "pk", venue)
    row = Standing.objects.filter(_covering(at), venue_id=venue_id).first()
    return row.interval() if row else None


def kind_at(venue, at: datetime) -> str:
    found = standing_at(venue, at)
    return found.kind if found else rules.APPLIED


def kind_subquery(venue_ref, at) -> Subquery:
    """The kind in force at `at` of the venue `venue_ref` (an OuterRef), for a query
    that reads it with other things (the check-in's door facts, a scanned code); NULL
    when it has none (applied)."""
    return Subquery(Standing.objects.filter(_covering(at), venue_id=venue_ref).values("kind")[:1])


def kinds_at(venue_ids: Iterable[int], at: datetime) -> dict[int, str]:
    """venue id → the kind in force at `at` (one query; applied when it has none)."""
    venue_ids = list(venue_ids)
    found = dict(Standing.objects.filter(_covering(at), venue_id__in=venue_ids).values_list("venue_id", "kind"))
    return {venue_id: found.get(venue_id, rules.APPLIED) for venue_id in venue_ids}


def intervals_at(venue_ids: Iterable[int], at: datetime) -> dict[int, Interval]:
    """venue id → the interval in force at `at`, for the venues that have one (one query)."""
    rows = Standing.objects.filter(_covering(at), venue_id__in=list(venue_ids))
    return {row.venue_id: row.interval() for row in rows}


def venue_ids_in(kinds: Collection[str], at: datetime) -> QuerySet:
    """The ids of the venues whose standing at `at` is one of `kinds`, as a values
    queryset (a subquery); index (kind, ends_at)."""
    return Standing.objects.filter(_covering(at), kind__in=list(kinds)).values("venue_id")


def venue_ids_in_during(kinds: Collection[str], start: datetime, end: datetime) -> QuerySet:
    """The ids of the venues that had one of `kinds` at any moment of [start, end)."""
    return Standing.objects.filter(_overlapping(start, end), kind__in=list(kinds)).values("venue_id")


def histories(venue_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, list[Interval]]:
    """Each venue's intervals that share a moment with [start, end), oldest first (one
    query); a venue with none maps to []."""
    result: dict[int, list[Interval]] = defaultdict(list)
    venue_ids = list(venue_ids)
    rows = (
        Standing.objects.filter(_overlapping(start, end), venue_id__in=venue_ids)
        .order_by("venue_id", "starts_at")
        .values_list("venue_id", "kind", "starts_at", "ends_at", "cause", "ref")
    )
    for venue_id, kind, starts_at, ends_at, cause, ref in rows:
        result[venue_id].append(Interval(kind, starts_at, ends_at, cause, ref))
    return {venue_id: result.get(venue_id, []) for venue_id in venue_ids}


def standing_on(venue_ids: Iterable[int], days: Iterable[date]) -> dict[tuple[int, date], Day]:
    """(venue id, local day) → what the venue was that day (rules.on_day), for every
    venue and day in one query."""
    days = sorted(set(days))
    venue_ids = list(venue_ids)
    if not days or not venue_ids:
        return {}
    found = histories(venue_ids, rules.local_midnight(days[0]), rules.local_midnight(days[-1] + timedelta(days=1)))
    return {(venue_id, day): rules.on_day(found[venue_id], day) for venue_id in venue_ids for day in days}
