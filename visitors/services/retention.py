"""R-PR-2 as now decided: the check-ins and the status look-ups are deleted once older
than 28 days (the check-ins only once counted: visitors.services.counts), so that what
Ashyq holds of them stays the size of four weeks however long it runs; their anonymous
counts are kept. So are the remote checks (counted too) and the door reports (R-CI-3)
of those days; the staff audit log goes after a year (R-PR-2 Decided).

On PostgreSQL a day's rows are a table (visitors.partitions): a day goes whole, its
table dropped, once its last moment is 28 days old and counted — nothing is read or
rewritten, whatever the size of the day. The default partition (moments no day holds)
and SQLite lose theirs by bounded deletes. `retention_run` also makes the next week's
partitions, and forgets the visit windows that ended (R-CI-5). Hourly (beat) and
`manage.py retention`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from ashyq.core.batches import BATCH, delete_in_batches
from ashyq.core.models import AuditEvent
from visitors import partitions, rules
from visitors.models import CountsMark, DoorReport, RemoteCheck, StatusLookup, Visit, VisitWindow
from visitors.services.counts import counted_until, counts_rollup

AUDIT_RETENTION = timedelta(days=365)  # R-PR-2 Decided: the staff audit log is kept for a year
AHEAD_DAYS = 7  # partitions made ahead, so a day's first check-in never waits for one


@dataclass
class Retention:
    """What a run dropped, deleted and kept (`dry_run`: what it would)."""

    dropped: list[str] = field(default_factory=list)  # the day partitions
    deleted_checkins: int = 0
    deleted_lookups: int = 0
    deleted_windows: int = 0
    deleted_remote_checks: int = 0
    deleted_door_reports: int = 0
    deleted_audit_events: int = 0
    made: list[str] = field(default_factory=list)  # partitions made ahead
    kept_from: date | None = None  # the first local day of check-ins kept
    counted_until: datetime | None = None
    dry_run: bool = False


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _delete_before(model, column: str, before: datetime, *, dry_run: bool) -> int:
    """Delete `model`'s rows whose `column` is before `before`, a batch at a time; how many."""
    return delete_in_batches(model.objects.filter(**{f"{column}__lt": before}), dry_run=dry_run, batch=BATCH)


def _default_partition_delete(table: str, column: str, before: datetime, *, dry_run: bool) -> int:
    """The same for the default partition of a partitioned table (PostgreSQL)."""
    quote = connection.ops.quote_name
    name = quote(partitions.default_name(table))
    with connection.cursor() as cursor:
        if dry_run:
            cursor.execute(f"SELECT count(*) FROM {name} WHERE {quote(column)} < %s", [before])  # noqa: S608
            return cursor.fetchone()[0]
        deleted = 0
        while True:
            with transaction.atomic():
                cursor.execute(
                    f"DELETE FROM {name} WHERE ctid IN (SELECT ctid FROM {name} "  # noqa: S608 (our names)
                    f"WHERE {quote(column)} < %s LIMIT %s)",
                    [before, BATCH],
                )
                if cursor.rowcount == 0:
                    return deleted
                deleted += cursor.rowcount


def retention_run(*, now: datetime, dry_run: bool = False) -> Retention:
    """Delete the check-ins and look-ups older than 28 days (the check-ins counted), make
    the next week's partitions, forget ended visit windows; with `dry_run`, change
    nothing and say what would go."""
    until = counted_until() if dry_run else counts_rollup(now=now)
    cutoff = now - rules.IDENTIFIER_RETENTION
    # Check-ins go once 28 days old and counted; a day's table once its last moment is.
    checkins_before = min(cutoff, until) if until is not None else None
    report = Retention(counted_until=until, dry_run=dry_run)
    today = timezone.localdate(now)
    if checkins_before is not None:
        first_kept = timezone.localdate(checkins_before)
        if _midnight(first_kept + timedelta(days=1)) <= checkins_before:  # the day ends right at the cut
            first_kept += timedelta(days=1)
        report.kept_from = first_kept
    if partitions.partitioned():
        report.made = (
            [] if dry_run else partitions.partitions_ensure(today + timedelta(days=n) for n in range(AHEAD_DAYS + 1))
        )
        lookups_first_kept = timezone.localdate(cutoff)
        if _midnight(lookups_first_kept + timedelta(days=1)) <= cutoff:
            lookups_first_kept += timedelta(days=1)
        report.dropped = _droppable(checkins_before_day=report.kept_from, lookups_before_day=lookups_first_kept)
        if not dry_run:
            _drop(report.dropped)
        if checkins_before is not None:
            report.deleted_checkins = _default_partition_delete(
                Visit._meta.db_table, "entered_at", checkins_before, dry_run=dry_run
            )
        report.deleted_lookups = _default_partition_delete(StatusLookup._meta.db_table, "at", cutoff, dry_run=dry_run)
    else:
        if checkins_before is not None:
            report.deleted_checkins = _delete_before(Visit, "entered_at", checkins_before, dry_run=dry_run)
        report.deleted_lookups = _delete_before(StatusLookup, "at", cutoff, dry_run=dry_run)
    expired = VisitWindow.objects.filter(until__lte=now)
    report.deleted_windows = expired.count() if dry_run else expired.delete()[0]
    if checkins_before is not None:
        report.deleted_remote_checks = _delete_before(RemoteCheck, "at", checkins_before, dry_run=dry_run)
    report.deleted_door_reports = _delete_before(DoorReport, "at", cutoff, dry_run=dry_run)
    report.deleted_audit_events = _delete_before(AuditEvent, "at", now - AUDIT_RETENTION, dry_run=dry_run)
    if not dry_run and report.kept_from is not None:
        CountsMark.objects.filter(pk=1).update(rows_kept_from=report.kept_from)
    return report


def _droppable(*, checkins_before_day: date | None, lookups_before_day: date) -> list[str]:
    """The day partitions wholly before their table's first kept day."""
    names = []
    checkin_days = partitions.partitions(Visit._meta.db_table)
    if checkins_before_day is not None:
        names += [name for day, name in sorted(checkin_days.items()) if day < checkins_before_day]
    lookup_days = partitions.partitions(StatusLookup._meta.db_table)
    names += [name for day, name in sorted(lookup_days.items()) if day < lookups_before_day]
    return names


def _drop(names: list[str]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # The foreign keys are checked at commit: rows written in the caller's open
        # transaction (a test's) must be checked before their table may go.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in names:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(name)}")
