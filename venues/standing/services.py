"""The writes of a venue's standing history (R-VN-9), one per change of standing.

Each locks the venue's row, reads the intervals that end after the moment of the
change, applies the pure operation of venues.standing.rules and writes the result:
the intervals wholly before the moment stay as they were. Called inside the caller's
transaction (the sanction, the return, the decision…), so the history changes with the
fact that changed it or not at all.
"""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from ashyq.core.services import audit_record
from venues.models import Standing, Venue
from venues.standing import rules

Operation = Callable[[list[rules.Interval]], list[rules.Interval]]


@transaction.atomic
def _standing_change(*, venue_id: int, at: datetime, operation: Operation) -> list[rules.Interval]:
    """Apply `operation` to the venue's history from `at` on; returns the intervals
    that end after `at` as written."""
    Venue.objects.select_for_update().filter(pk=venue_id).values_list("pk").first()
    rows = Standing.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at), venue_id=venue_id).order_by("starts_at")
    tail = [row.interval() for row in rows]
    changed = operation(tail)
    # The tail's intervals that begin before `at` begin the new tail too (splice keeps
    # them, shortened): write the difference only.
    old = {(i.starts_at, i.kind, i.ends_at, i.cause, i.ref) for i in tail}
    new = {(i.starts_at, i.kind, i.ends_at, i.cause, i.ref) for i in changed}
    gone = [row.pk for row in rows if (row.starts_at, row.kind, row.ends_at, row.cause, row.ref) not in new]
    Standing.objects.filter(pk__in=gone).delete()
    Standing.objects.bulk_create(
        [
            Standing(venue_id=venue_id, kind=kind, starts_at=starts_at, ends_at=ends_at, cause=cause, ref=ref)
            for starts_at, kind, ends_at, cause, ref in sorted(new - old, key=lambda row: row[0])
        ]
    )
    return changed


def _volunteer(venue: Venue) -> bool:
    return bool(venue.category.is_volunteer)


def standing_open(*, venue: Venue, at: datetime) -> None:
    """An approved venue whose codes are not issued yet (`applied`)."""
    _standing_change(venue_id=venue.pk, at=at, operation=lambda tail: rules.opened(tail, at))


def standing_issue(*, venue: Venue, at: datetime) -> None:
    """R-VN-5: the first issue of the venue's codes starts its test mode."""
    volunteer = _volunteer(venue)
    _standing_change(venue_id=venue.pk, at=at, operation=lambda tail: rules.issued(tail, at, volunteer=volunteer))


def standing_exclude(*, venue: Venue, at: datetime, until: datetime, sanction: int) -> None:
    """R-MN-4: excluded from `at` until `until`, then awaiting the owner's return."""
    _standing_change(
        venue_id=venue.pk, at=at, operation=lambda tail: rules.excluded(tail, at, until=until, sanction=sanction)
    )


def standing_return(*, venue: Venue, at: datetime, sanction: int) -> None:
    """R-MN-4: the owner's return is accepted."""
    volunteer = _volunteer(venue)
    _standing_change(
        venue_id=venue.pk,
        at=at,
        operation=lambda tail: rules.returned(tail, at, volunteer=volunteer, sanction=sanction),
    )


def standing_lift(
    *, venue: Venue, at: datetime, sanction: int, leader_until: datetime | None = None, decision: int | None = None
) -> None:
    """R-MN-5, R-MN-2: the exclusion is lifted at once (a leader term still running
    goes on until `leader_until`)."""
    volunteer = _volunteer(venue)
    _standing_change(
        venue_id=venue.pk,
        at=at,
        operation=lambda tail: rules.lifted(
            tail, at, volunteer=volunteer, sanction=sanction, leader_until=leader_until, decision=decision
        ),
    )


def standing_lead(*, venue_id: int, at: datetime, until: datetime, decision: int) -> None:
    """R-LD-3: a leader from `at` until `until` while a participant."""
    _standing_change(
        venue_id=venue_id, at=at, operation=lambda tail: rules.leads(tail, at, until=until, decision=decision)
    )


@transaction.atomic
def standing_rebuild(*, venue: Venue, history: list[rules.Interval]) -> None:
    """Replace the venue's whole history with `history` (its facts replayed: manage.py
    standing_check --rebuild, after a fix made by hand), audited."""
    rules.check(history)
    Venue.objects.select_for_update().filter(pk=venue.pk).values_list("pk").first()
    removed, _counts = Standing.objects.filter(venue=venue).delete()
    Standing.objects.bulk_create(
        Standing(venue=venue, kind=i.kind, starts_at=i.starts_at, ends_at=i.ends_at, cause=i.cause, ref=i.ref)
        for i in history
    )
    audit_record(
        actor=None,
        action="venues.standing_rebuilt",
        obj=venue,
        region=venue.region,
        removed=removed,
        written=len(history),
    )
