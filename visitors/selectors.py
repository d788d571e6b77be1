"""Reads of the visitors app: occupancy (R-CI-6), a citizen's own lists (R-PR-4) and the
sanitary officers' door reports (R-CI-3)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from ashyq.accounts.access import scope_to_region
from visitors import rules
from visitors.models import DoorReport, StatusLookup, Visit


@dataclass(frozen=True)
class Occupancy:
    """R-CI-6: people inside now against the allowed number; `percent` is of the
    allowed number (over 100 when over the limit)."""

    inside: int
    allowed: int
    percent: int
    over: bool


def allowed_percent(venue, day: date) -> int:
    """The share of the capacity a venue may fill on `day` (R-OP-1, R-OP-2): the
    operating conditions (the region's zone, participation, leader status — R-LD-5);
    0 when the venue may not open. occupancy() and the guard page follow it."""
    from leaders.conditions import conditions_for

    return conditions_for(venue, day).occupancy_percent


def occupancy(venue, *, now: datetime) -> Occupancy:
    """R-CI-6: entries minus exits and automatic closes. A visit counts inside while it
    is open and less than 4 hours old (R-CI-4: an older one is closed, whether or
    not the periodic task has run yet). One COUNT on the open-visits index."""
    inside = Visit.objects.filter(
        venue=venue, exited_at__isnull=True, entered_at__gt=now - rules.AUTO_CLOSE_AFTER, entered_at__lte=now
    ).count()
    allowed = rules.allowed_occupancy(venue.capacity, allowed_percent(venue, timezone.localdate(now)))
    return Occupancy(
        inside=inside,
        allowed=allowed,
        percent=rules.occupancy_percent(inside, allowed),
        over=inside > allowed,
    )


def lookups_of(person: str, *, now: datetime) -> QuerySet[StatusLookup]:
    """R-PR-4: the look-ups of `person`'s status by others in the last 28 days, newest
    first, with the venue (page it with a Paginator). Index (person, at)."""
    return (
        StatusLookup.objects.filter(person=person, at__gt=now - rules.IDENTIFIER_RETENTION, at__lte=now)
        .select_related("venue")
        .order_by("-at", "-id")
    )


def visits_of(person: str, *, now: datetime) -> QuerySet[Visit]:
    """R-PR-4: `person`'s check-ins of the last 28 days, newest first, with the venue
    and entrance. Index (person, entered_at)."""
    return (
        Visit.objects.filter(person=person, entered_at__gt=now - rules.IDENTIFIER_RETENTION, entered_at__lte=now)
        .select_related("venue", "entrance")
        .order_by("-entered_at", "-id")
    )


def door_reports_for(user) -> QuerySet[DoorReport]:
    """R-CI-3: the reports `user` may see — a sanitary officer (or any regional
    role) his region's, national roles all, anybody else none; newest first.
    Index (region, at)."""
    return scope_to_region(user, DoorReport.objects.all()).select_related("venue", "region").order_by("-at", "-id")
