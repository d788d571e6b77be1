"""Writes of the statuses app: the registry sync (R-RG-2, R-RG-3) and the colour history (R-ST-10).

A sync pulls the feed page by page from the stored cursor. Each page is one
transaction: its good records are upserted in bulk, its bad ones logged (masked) and
skipped, the cursor advanced, the version bumped and the history of the persons it
touched brought in line — so a sync killed at any moment has either applied a page
completely or not at all, and re-running it loses and duplicates nothing.

Two runs of the same registry never overlap: a lease on the SyncState row (a
conditional UPDATE, so it works on SQLite and PostgreSQL, across worker processes
and hosts, without Redis), renewed with every page. A run that lost its lease (it ran
longer than the lease, and another run took over) fails its page's cursor check and
stops without applying it.
"""

import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ashyq.registries import FeedPage, RegistryError, RegistryUnavailable
from statuses import clients, rules
from statuses.clients import HEALTH_REGISTRIES
from statuses.models import RECORD_MODELS, StatusChange, SyncState
from statuses.selectors import PersonRecords, records_for

logger = logging.getLogger(__name__)

# Records asked for per feed request (the contract allows 1 to 5000).
PAGE_SIZE = 1000
# Longer than the sync task's hard time limit: a worker killed mid-run frees the
# registry when the lease runs out.
LEASE = timedelta(minutes=7)
# Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement (Django
# splits by its own, lower limit on SQLite).
_BATCH = 1000
# Values per IN (...) query: below the parameter limits of PostgreSQL and of SQLite
# from 3.32 (32,766; Debian 12 ships 3.40).
_CHUNK = 2000
_CURSOR_MAX_LENGTH = SyncState._meta.get_field("cursor").max_length
# Before any record: the start of every person's timeline.
_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


class SyncBusy(Exception):
    """Another sync of this registry holds the lease (or took it over during this run)."""


@dataclass
class SyncReport:
    registry: str
    pages: int = 0
    applied: int = 0
    skipped: int = 0
    cursor: str = ""
    complete: bool = False  # reached the end of the feed: the data is current as of `now`
    error: str = ""


# --- Sync ------------------------------------------------------------------------------


def registry_sync(
    *,
    registry: str,
    now: datetime,
    max_pages: int | None = None,
    limit: int = PAGE_SIZE,
    time_budget: float | None = None,
) -> SyncReport:
    """Pull `registry` from its cursor to the end of the feed.

    Stops early after `max_pages` pages, or once `time_budget` seconds have passed (at
    least one page is applied): then `report.complete` is False and the next run goes
    on from the cursor. Raises the RegistryError that stopped it (after recording it on
    the SyncState and keeping every page committed before), or SyncBusy when another
    run holds the lease.
    """
    report, error = _sync(registry, now=now, max_pages=max_pages, limit=limit, time_budget=time_budget)
    if error is not None:
        raise error
    return report


def sync_all(*, now: datetime, max_pages: int | None = None, limit: int = PAGE_SIZE) -> list[SyncReport]:
    """One sync of each health registry; a failure of one does not stop the others."""
    reports = []
    for registry in HEALTH_REGISTRIES:
        try:
            report, _error = _sync(registry, now=now, max_pages=max_pages, limit=limit, time_budget=None)
        except SyncBusy as exc:
            report = SyncReport(registry=registry, error=str(exc))
        reports.append(report)
    return reports


def sync_states_ensure() -> None:
    """A SyncState row for every health registry (the admin page lists them all)."""
    for registry in HEALTH_REGISTRIES:
        SyncState.objects.get_or_create(registry=registry)


def _sync(registry: str, *, now: datetime, max_pages: int | None, limit: int, time_budget: float | None):
    if registry not in HEALTH_REGISTRIES:
        raise ValueError(f"not a health registry: {registry}")
    deadline = None if time_budget is None else time.monotonic() + time_budget
    SyncState.objects.get_or_create(registry=registry)
    token = _lease_acquire(registry, now=now)
    try:
        cursor = SyncState.objects.values_list("cursor", flat=True).get(registry=registry)
        report = SyncReport(registry=registry, cursor=cursor)
        try:
            while max_pages is None or report.pages < max_pages:
                if deadline is not None and report.pages and time.monotonic() >= deadline:
                    break
                page = clients.feed_page(registry, since=cursor or None, limit=limit)
                if page.more and page.next == cursor:
                    raise RegistryUnavailable(f"{registry}: the feed says there is more but its cursor did not move")
                if len(page.next) > _CURSOR_MAX_LENGTH:
                    raise RegistryUnavailable(f"{registry}: the feed's cursor is longer than {_CURSOR_MAX_LENGTH}")
                if page.records or page.next != cursor:
                    applied, skipped = _page_apply(registry, page, cursor=cursor, token=token, now=now)
                else:
                    applied = skipped = 0  # nothing new: no write, no cache invalidated
                report.pages += 1
                report.applied += applied
                report.skipped += skipped
                cursor = report.cursor = page.next
                if not page.more:
                    report.complete = True
                    break
        except (RegistryError, SyncBusy) as exc:
            report.error = str(exc)
            if isinstance(exc, RegistryError):
                # R-RG-3: visible to operators; every page committed before stays.
                SyncState.objects.filter(registry=registry).update(last_error=str(exc)[:2000], last_error_at=now)
            logger.warning("Sync of %s stopped after %d page(s): %s", registry, report.pages, exc)
            return report, exc
        except Exception as exc:  # a bug, the database, the task's time limit: shown too, then raised
            error = f"{type(exc).__name__}: {exc}"[:2000]
            SyncState.objects.filter(registry=registry).update(last_error=error, last_error_at=now)
            raise
        if report.complete:
            # R-ST-9: the data is current as of the start of this run.
            SyncState.objects.filter(registry=registry).update(last_success_at=now)
        return report, None
    finally:
        _lease_release(registry, token)


def _lease_acquire(registry: str, *, now: datetime) -> str:
    # The lease is about real processes overlapping: the wall clock, not the operation's `now`.
    clock = timezone.now()
    token = uuid.uuid4().hex
    taken = (
        SyncState.objects.filter(registry=registry)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=clock))
        .update(locked_until=clock + LEASE, lock_token=token, last_attempt_at=now)
    )
    if taken != 1:
        raise SyncBusy(f"another sync of {registry} is running")
    return token


def _lease_release(registry: str, token: str) -> None:
    SyncState.objects.filter(registry=registry, lock_token=token).update(locked_until=None, lock_token="")


@transaction.atomic
def _page_apply(registry: str, page: FeedPage, *, cursor: str, token: str, now: datetime) -> tuple[int, int]:
    """Apply one page completely or not at all; returns (records applied, bad records skipped)."""
    good, bad = clients.parse_records(registry, page.records)
    for error in bad:
        logger.warning("Skipped a bad record: %s", error)  # BadRecord shows the person masked (R-ID-5)
    # A record changed twice within the page comes twice: the later one wins.
    rows = {fields["source_id"]: fields for fields in good}
    model = RECORD_MODELS[registry]
    touched = {fields["person"] for fields in rows.values()}
    # A correction may move a record to another person: that person's history changes too.
    for chunk in _chunks(list(rows)):
        touched.update(model.objects.filter(source_id__in=chunk).values_list("person", flat=True))
    if rows:
        update_fields = [name for name in next(iter(rows.values())) if name != "source_id"]
        model.objects.bulk_create(
            [model(**fields) for fields in rows.values()],
            update_conflicts=True,
            unique_fields=["source_id"],
            update_fields=update_fields,
            batch_size=_BATCH,
        )
    changes = {"cursor": page.next, "locked_until": timezone.now() + LEASE}
    if rows:
        changes |= {"version": F("version") + 1, "records_synced": F("records_synced") + len(rows)}
    if bad:
        changes["records_skipped"] = F("records_skipped") + len(bad)
    # R-RG-2: the cursor moves in the same transaction as the records, and only from
    # where this run found it: a run that lost its lease rolls its page back.
    if SyncState.objects.filter(registry=registry, cursor=cursor, lock_token=token).update(**changes) != 1:
        raise SyncBusy(f"another sync of {registry} took over")
    history_update(persons=touched, now=now)
    return len(rows), len(bad)


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- History (R-ST-10) -------------------------------------------------------------------


def colour_changes(records: PersonRecords, *, end: datetime) -> list[rules.Status]:
    """The person's changes of colour before `end`, oldest first, each with its cause.

    The engine's timeline also starts a new element when only the record behind a
    colour changes; the history keeps the change of colour and what caused it.
    """
    statuses = rules.timeline(
        pcrs=records.pcrs, contacts=records.contacts, vaccinations=records.vaccinations, start=_BEGINNING, end=end
    )
    changes: list[rules.Status] = []
    colour = rules.Colour.BLUE  # before any record (R-ST-1)
    for status in statuses:
        if status.since is not None and status.colour != colour:
            changes.append(status)
        colour = status.colour
    return changes


def _change_key(person: str, change: rules.Status) -> tuple:
    """A change as StatusChange stores it: (person, changed_at, colour, rule, registry, record)."""
    return (person, change.since, str(change.colour), change.rule, change.registry or "", change.record or "")


def history_update(*, persons: Iterable[str], now: datetime) -> dict[str, list[rules.Status]]:
    """Bring the StatusChange rows of `persons` in line with their records, up to `now`.

    Inserts the changes missing (time-driven ones too, such as red ending at 00:00 of
    D+14) and deletes the ones a late record contradicts. A constant number of queries
    per 2,000 persons. Returns each person's changes, oldest first.
    """
    result: dict[str, list[rules.Status]] = {}
    for chunk in _chunks(sorted(set(persons))):
        records = records_for(chunk)
        # (pk, changed_at, key) of every stored change, without building model instances.
        stored: dict[str, list[tuple]] = {person: [] for person in chunk}
        rows = StatusChange.objects.filter(person__in=chunk).values_list(
            "pk", "person", "changed_at", "colour", "rule", "registry", "record"
        )
        for pk, person, changed_at, *cause in rows:
            stored[person].append((pk, changed_at, (person, changed_at, *cause)))
        stale_ids, new_rows = [], []
        for person in chunk:
            # Judge every stored row, even one a later `now` wrote (tests travel in time).
            end = max([now, *(changed_at for _pk, changed_at, _key in stored[person])]) + timedelta(microseconds=1)
            wanted = colour_changes(records[person], end=end)
            result[person] = [change for change in wanted if change.since <= now]
            wanted_keys = {_change_key(person, change) for change in wanted}
            stored_keys = set()
            for pk, _changed_at, key in stored[person]:
                if key in wanted_keys:
                    stored_keys.add(key)
                else:
                    stale_ids.append(pk)
            new_rows += [
                StatusChange(
                    person=person,
                    colour=change.colour,
                    rule=change.rule,
                    registry=change.registry or "",
                    record=change.record or "",
                    changed_at=change.since,
                    recorded_at=now,
                )
                for change in wanted
                if _change_key(person, change) not in stored_keys
            ]
        if not stale_ids and not new_rows:
            continue  # a look-up that finds the history current takes no write lock
        with transaction.atomic(savepoint=False):  # inside a page's transaction: part of it
            StatusChange.objects.filter(pk__in=stale_ids).delete()
            # Another process may have stored the same change meanwhile: never a duplicate.
            StatusChange.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=_BATCH)
    return result
