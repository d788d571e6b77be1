"""Writes of the statuses app: the registry sync (R-RG-2, R-RG-3) and the colour history (R-ST-10).

A sync pulls the feed page by page from the stored cursor. Each page is one
transaction: its good records are upserted in bulk, its bad ones logged (masked) and
skipped, the cursor advanced, the version bumped and the persons it touched marked
HistoryDue — so a sync killed at any moment has either applied a page completely or
not at all, and re-running it loses and duplicates nothing. After its pages a run
brings the history of every person due in line (history_catch_up): once per person,
however many of his records the run brought (a backlog: BENCHMARKS.md, B3), in chunks of
their own transactions; what a killed run left due, the next one does.

Two runs of the same registry never overlap: a lease on the SyncState row (a
conditional UPDATE, so it works on SQLite and PostgreSQL, across worker processes
and hosts, without Redis), one minute long and renewed before every fetch, with every
page and every history chunk: a worker killed with SIGKILL frees the registry within
a minute. A run that lost its lease (a step took longer than the lease, and another
run took over) fails its page's cursor check and stops without applying it.

Speed (BENCHMARKS.md, B3): the next page is fetched and parsed while one is applied; a
page's records are written with one INSERT … ON CONFLICT (on PostgreSQL from a binary
COPY into a scratch table, on SQLite one prepared statement run per row), and only the
persons whose records changed in what the rules read (a new record, another person,
another result or moment) have their history recomputed: a record the registry sends
again unchanged changes no colour. History rows are written the same way. A person
already due is locked by the page's upsert of his mark, not written again. On
PostgreSQL the persons an earlier run left due are caught up on a second connection
beside the pages; the run's own wait for the end of its pages (each would be due again
with his next record).
"""

import itertools
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Field, Max, Model, Q
from django.utils import timezone

from ashyq.core.batches import BATCH, delete_in_batches
from ashyq.core.rows import values_rows
from ashyq.registries import FeedPage, RegistryError, RegistryUnavailable
from statuses import clients, rules
from statuses.clients import HEALTH_REGISTRIES
from statuses.models import (
    CURSOR_MAX_LENGTH,
    RECORD_MODELS,
    Contact,
    HistoryDue,
    PcrResult,
    QuarantinedRecord,
    Registry,
    StatusChange,
    SyncState,
    Vaccination,
)
from statuses.selectors import RULE_FIELDS, PersonRecords, among, records_for

logger = logging.getLogger(__name__)

# Records asked for per feed request (the contract allows 1 to 5000): the most, as a
# page's fixed costs (a request, a transaction, ~12 queries) are then spread widest.
PAGE_SIZE = 5000
# How long a run holds its registry past its last sign of life: it renews the lease at
# every step (a fetch, bounded by REGISTRY_TIMEOUT; a page; a history chunk), so a
# worker killed mid-run frees the registry within this.
LEASE = timedelta(minutes=1)
# Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement (Django
# splits by its own, lower limit on SQLite).
_BATCH = 1000
# Records or persons per read (one JSON parameter each, selectors.among): a page of
# 5,000 in one go, and memory bounded whatever the page size.
_CHUNK = 5000
# Names of the scratch tables of _rows_insert, unique within a transaction.
_SCRATCH = itertools.count()


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
    history_behind: bool = False  # persons still due a history update (the time budget ran out)
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
        # While a page is applied, the next one is already on its way (one thread, HTTP
        # and parsing only, no database): the registry serves it and it is parsed while
        # we wait on the database. It is used only if this run gets
        # that far; a failure to fetch it surfaces when its turn comes, after the page
        # before it committed, as it would without the read-ahead.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sync-{registry}")
        ahead: tuple[str, Future] | None = None

        def renew() -> None:
            _lease_renew(registry, token)

        # R-ST-10 beside the pages (PostgreSQL): after each page, a chunk of the persons
        # left due by earlier runs (a killed one, one out of time) is caught up on a
        # connection of its own while the next page is fetched and applied; FOR UPDATE
        # SKIP LOCKED keeps it and the run's last catch-up apart, and a page marking a
        # person it holds waits for it (_page_apply). Not the persons this run marks:
        # in a backlog his later records come in later pages, and each would make him
        # due again (B3 measured it: the history of each person done up to four times,
        # the pages waiting on its locks, CPU per record +60 %). Not inside a caller's
        # transaction (it could not see the marks, and would wait on its locks), nor on
        # SQLite (one writer at a time).
        helper = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"history-{registry}")
        catching: Future | None = None
        try:
            while max_pages is None or report.pages < max_pages:
                if deadline is not None and report.pages and time.monotonic() >= deadline:
                    break
                _lease_renew(registry, token)
                if ahead is not None and ahead[0] == cursor:
                    page, parsed = ahead[1].result()
                else:
                    page, parsed = _fetch(registry, since=cursor or None, limit=limit)
                ahead = None
                if page.more and page.next == cursor:
                    raise RegistryUnavailable(f"{registry}: the feed says there is more but its cursor did not move")
                if len(page.next) > CURSOR_MAX_LENGTH:
                    raise RegistryUnavailable(f"{registry}: the feed's cursor is longer than {CURSOR_MAX_LENGTH}")
                # Not on SQLite: little gain, and where the registry is served by this
                # process on the same connection (the tests' live server over an
                # in-memory database) a fetch would run inside the page's transaction.
                if (
                    connection.vendor != "sqlite"
                    and page.more
                    and (max_pages is None or report.pages + 1 < max_pages)
                    and (deadline is None or time.monotonic() < deadline)
                ):
                    ahead = (page.next, pool.submit(_fetch, registry, since=page.next, limit=limit))
                if page.records or page.next != cursor:
                    applied, skipped = _page_apply(registry, page, cursor=cursor, token=token, now=now, parsed=parsed)
                    if helper is not None and (catching is None or catching.done()):
                        # What stopped it (the lease lost) stops the run; once it finds
                        # nobody left from before, nobody can be (this run marks `now`).
                        if catching is None or catching.result():
                            catching = helper.submit(
                                history_catch_up, now=now, deadline=0, renew=renew, marked_before=now
                            )
                        else:
                            helper.submit(_connection_close)
                            helper.shutdown(wait=True)
                            helper = None
                else:
                    applied = skipped = 0  # nothing new: no write, no cache invalidated
                report.pages += 1
                report.applied += applied
                report.skipped += skipped
                cursor = report.cursor = page.next
                if not page.more:
                    report.complete = True
                    break
            if catching is not None:
                catching.result()
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
        finally:
            if ahead is not None:
                ahead[1].cancel()
            pool.shutdown(wait=True)  # a read-ahead in flight ends within the client's timeout
            if helper is not None:
                helper.submit(_connection_close)  # its thread's own, once its chunk is done
                helper.shutdown(wait=True)
        # R-ST-10: the history of everyone this run (or a killed one before it) touched,
        # and the helper has not done yet.
        report.history_behind = history_catch_up(now=now, deadline=deadline, renew=renew)
        if report.complete:
            # R-ST-9: the data is current as of the start of this run.
            SyncState.objects.filter(registry=registry).update(last_success_at=now)
        return report, None
    finally:
        _lease_release(registry, token)


def _connection_close() -> None:
    """Close the database connection of the thread this runs in (Django opens one per thread)."""
    connection.close()


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


def _lease_renew(registry: str, token: str) -> None:
    """Another LEASE from now, if this run still holds the lease; SyncBusy if not."""
    renewed = SyncState.objects.filter(registry=registry, lock_token=token).update(locked_until=timezone.now() + LEASE)
    if renewed != 1:
        raise SyncBusy(f"another sync of {registry} took over")


def _lease_release(registry: str, token: str) -> None:
    SyncState.objects.filter(registry=registry, lock_token=token).update(locked_until=None, lock_token="")


def _fetch(registry: str, *, since: str | None, limit: int) -> tuple[FeedPage, tuple[list, list]]:
    """One page of the feed and its records parsed: (page, (good, bad)). No database."""
    page = clients.feed_page(registry, since=since, limit=limit)
    return page, clients.parse_records(registry, page.records)


@transaction.atomic
def _page_apply(
    registry: str, page: FeedPage, *, cursor: str, token: str, now: datetime, parsed: tuple[list, list] | None = None
) -> tuple[int, int]:
    """Apply one page completely or not at all; returns (records applied, bad records skipped).

    `parsed` is clients.parse_records of the page's records, when the caller has it already.
    """
    good, bad = parsed if parsed is not None else clients.parse_records(registry, page.records)
    for error in bad:
        logger.warning("Skipped a bad record: %s", error)  # BadRecord shows the person masked (R-ID-5)
    if bad:  # R-RG-4: kept for the registry's operators, in the page's transaction
        QuarantinedRecord.objects.bulk_create(
            QuarantinedRecord(
                registry=registry,
                source_id=(error.source_id or "")[:64],
                person=error.who[:40],
                problem=error.problem,
                cursor=cursor[:200],
                received_at=now,
            )
            for error in bad
        )
    # A record changed twice within the page comes twice: the later one wins.
    rows = {fields["source_id"]: fields for fields in good}
    model = RECORD_MODELS[registry]
    touched = _persons_changed(registry, rows)
    if rows:
        names = list(next(iter(rows.values())))
        _rows_insert(
            model,
            names,
            [tuple(fields[name] for name in names) for fields in rows.values()],
            unique=["source_id"],
            update=[name for name in names if name != "source_id"],
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
    # R-ST-10, in this transaction: a page applied is a history due, never lost. DO
    # UPDATE, not DO NOTHING: a person history_catch_up holds (FOR UPDATE) makes the page
    # wait until it has committed, and once it has deleted him the row is inserted anew
    # — due again for records it could not yet see. A person already due since an
    # earlier page of the run is locked so, not written again (a new row version and
    # index entry per person and page, in a backlog: BENCHMARKS.md, B3).
    marks = [(person, now) for person in sorted(touched)]
    _rows_insert(HistoryDue, ["person", "marked_at"], marks, unique=["person"], update=["marked_at"], if_changed=True)
    return len(rows), len(bad)


def history_catch_up(
    *,
    now: datetime,
    deadline: float | None = None,
    renew: Callable[[], None] | None = None,
    marked_before: datetime | None = None,
) -> bool:
    """Bring the history (R-ST-10) of the persons marked HistoryDue in line with their
    records, _CHUNK at a time, each chunk in its own transaction; chunks another
    process holds are skipped (it is doing them). Stops once `deadline` (time.monotonic)
    has passed, after at least one chunk; returns whether persons are still due.
    `renew`: called before each chunk (a sync renews its lease). `marked_before`: only
    the persons marked before it (those a run left, not the ones it marks itself)."""
    due = HistoryDue.objects.all()
    if marked_before is not None:
        due = due.filter(marked_at__lt=marked_before)
    while True:
        if renew is not None:
            renew()
        with transaction.atomic():
            chunk = list(
                due.select_for_update(skip_locked=True).order_by("person").values_list("person", flat=True)[:_CHUNK]
            )
            if not chunk:
                return False
            history_update(persons=chunk, now=now, changes=False)
            HistoryDue.objects.filter(person__in=among(chunk)).delete()
        if deadline is not None and time.monotonic() >= deadline:
            return HistoryDue.objects.exists()


def _persons_changed(registry: str, rows: dict[str, dict]) -> set[str]:
    """The persons whose records the upsert of `rows` changes in what the rules read.

    A new record, or one whose person, result or moments change: its person's history
    may change, and so may the former person's when a correction moves the record
    (R-ST-10). A record sent again as we have it changes no one's colour.
    """
    fields = RULE_FIELDS[registry]
    model = RECORD_MODELS[registry]
    stored: dict[str, tuple] = {}
    for chunk in _chunks(list(rows)):
        found = model.objects.filter(source_id__in=among(chunk)).values_list("source_id", "person", *fields)
        for source_id, *values in values_rows(found):
            stored[source_id] = tuple(values)
    touched = set()
    for source_id, row in rows.items():
        old = stored.get(source_id)
        if old is None or old != (row["person"], *(row[field] for field in fields)):
            touched.add(row["person"])
            if old is not None:
                touched.add(old[0])
    return touched


def _rows_insert(
    model: type[Model], names: list[str], rows: list[tuple], *, unique: list[str], update=(), if_changed=False
) -> None:
    """INSERT `rows` (tuples of the fields `names`) in one go; on a conflict on `unique`
    update the fields `update`, or (none given) leave the stored row alone.

    `if_changed`: a stored row whose fields `update` already hold the new values is not
    written again (no new row version), only locked as an update would lock it.

    PostgreSQL gets a binary COPY into a scratch table and one INSERT … SELECT, whatever
    the number of rows; SQLite one prepared statement run for each row. Both format the
    rows in C, with no model instance per row.
    """
    if not rows:
        return
    meta = model._meta
    fields = [_concrete(model, name) for name in names]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    if update:
        updated = [quote(_concrete(model, name).column) for name in update]
        action = "DO UPDATE SET " + ", ".join(f"{column} = EXCLUDED.{column}" for column in updated)
        if if_changed:
            distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
            action += " WHERE " + " OR ".join(f"{table}.{column} {distinct} EXCLUDED.{column}" for column in updated)
        target = "(" + ", ".join(quote(_concrete(model, name).column) for name in unique) + ") "
    else:
        action, target = "DO NOTHING", ""
    # One transaction, the caller's if there is one: the scratch table lives until its commit.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY into a scratch table (dropped at the commit), then one INSERT … SELECT:
            # psycopg formats COPY rows in C, and the conflict clause still applies. Binary:
            # the server parses no text (moments above all), psycopg formats no text either.
            temp = quote(f"_rows_{meta.db_table}_{next(_SCRATCH)}")
            scratch = f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608
            cursor.execute(scratch)
            with cursor.copy(f"COPY {temp} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([_copy_type(field) for field in fields])
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {temp} ON CONFLICT {target}{action}")  # noqa: S608
        elif connection.vendor == "sqlite":
            adapt = [_sqlite_adapter(field) for field in fields]
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT {target}{action}",  # noqa: S608
                [tuple(value if a is None else a(value) for a, value in zip(adapt, row, strict=True)) for row in rows],
            )
        else:  # any other database: the ORM's own bulk upsert, through Django's documented
            # manager for code that is handed any model
            objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
            if update:
                model._default_manager.bulk_create(
                    objects, batch_size=_BATCH, update_conflicts=True, unique_fields=unique, update_fields=list(update)
                )
            else:
                model._default_manager.bulk_create(objects, batch_size=_BATCH, ignore_conflicts=True)


def _copy_type(field: Field) -> str:
    """The PostgreSQL type of `field`'s column as psycopg names it for a binary COPY:
    "varchar(64)" → "varchar" (the length is the column's check, not the format)."""
    column_type = field.db_type(connection)
    if column_type is None:
        raise ValueError(f"{field.name} has no column to COPY into")
    return column_type.split("(")[0].strip()


def _concrete(model: type[Model], name: str) -> Field:
    """The field `name` of `model` that has a column of its own (not a relation's other side)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} has no column")
    return field


def _sqlite_adapter(field):
    """How SQLite stores a value of `field`, as Django would write it (aware moments in UTC)."""
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        # connection.ops.adapt_datetimefield_value for an aware moment, without its checks.
        zone = connection.timezone
        return lambda value: None if value is None else str(value.astimezone(zone).replace(tzinfo=None))
    if kind == "DateField":
        return lambda value: None if value is None else connection.ops.adapt_datefield_value(value)
    return None


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- History (R-ST-10) -------------------------------------------------------------------


def colour_changes(records: PersonRecords, *, end: datetime) -> list[rules.Status]:
    """The person's changes of colour before `end`, oldest first, each with its cause.

    The engine's timeline also starts a new element when only the record behind a
    colour changes; the history keeps the change of colour and what caused it.
    """
    return rules.colour_changes(
        pcrs=records.pcrs, contacts=records.contacts, vaccinations=records.vaccinations, end=end
    )


def _change_key(person: str, change: rules.Status) -> tuple:
    """A change as StatusChange stores it: (person, changed_at, colour, rule, registry, record)."""
    return (person, change.since, str(change.colour), change.rule, change.registry or "", change.record or "")


_CHANGE_FIELDS = ["person", "colour", "rule", "registry", "record", "changed_at", "recorded_at"]


def history_update(*, persons: Iterable[str], now: datetime, changes: bool = True) -> dict[str, list[rules.Status]]:
    """Bring the StatusChange rows of `persons` in line with their records, up to `now`.

    Inserts the changes missing (time-driven ones too, such as red ending at 00:00 of
    D+14) and deletes the ones a late record contradicts, from the settled moment on
    (history_settled_before); before it the history stands. A constant number of
    queries per 5,000 persons. Returns each person's changes, oldest first, or (changes=False,
    as the sync calls it) nothing, sparing a Status and its reason per change.
    """
    result: dict[str, list[rules.Status]] = {}
    settled = history_settled_before()
    for chunk in _chunks(sorted(set(persons))):
        records = records_for(chunk)
        # (pk, changed_at, key) of every stored change not settled, without building
        # model instances. A settled one stands as it was recorded: the records that
        # made it may be gone (records_retention).
        stored: dict[str, list[tuple]] = {person: [] for person in chunk}
        unsettled = StatusChange.objects.filter(person__in=among(chunk))
        if settled is not None:
            unsettled = unsettled.filter(changed_at__gte=settled)
        rows = unsettled.values_list("pk", "person", "changed_at", "colour", "rule", "registry", "record")
        for pk, person, changed_at, *cause in values_rows(rows):
            stored[person].append((pk, changed_at, (person, changed_at, *cause)))
        stale_ids, new_rows = [], []
        for person in chunk:
            mine, found = stored[person], records[person]
            # Judge every stored row, even one a later `now` wrote (tests travel in time).
            end = max([now, *(changed_at for _pk, changed_at, _key in mine)]) + timedelta(microseconds=1)
            if changes:
                wanted = colour_changes(found, end=end)
                result[person] = [change for change in wanted if change.since is not None and change.since <= now]
                wanted_keys = [_change_key(person, change) for change in wanted]
            else:
                wanted_keys = [
                    (person, since, str(colour), rule, registry or "", record or "")
                    for since, colour, rule, registry, record in rules.colour_change_keys(
                        pcrs=found.pcrs, contacts=found.contacts, vaccinations=found.vaccinations, end=end
                    )
                ]
            if settled is not None:
                wanted_keys = [key for key in wanted_keys if key[1] is not None and key[1] >= settled]
            wanted_set = set(wanted_keys)
            stored_keys = set()
            for pk, _changed_at, key in mine:
                if key in wanted_set:
                    stored_keys.add(key)
                else:
                    stale_ids.append(pk)
            new_rows += [
                (person, colour, rule, registry, record, since, now)
                for _person, since, colour, rule, registry, record in wanted_keys
                if (_person, since, colour, rule, registry, record) not in stored_keys
            ]
        if not stale_ids and not new_rows:
            continue  # a look-up that finds the history current takes no write lock
        with transaction.atomic(savepoint=False):  # inside a page's transaction: part of it
            StatusChange.objects.filter(pk__in=stale_ids).delete()
            # Another process may have stored the same change meanwhile: never a duplicate.
            _rows_insert(StatusChange, _CHANGE_FIELDS, new_rows, unique=["person", "changed_at"])
    return result


def history_settled_before() -> datetime | None:
    """The moment before which the history is settled: the latest a records_retention
    run set (None: no record was ever deleted, every change is judged again)."""
    return SyncState.objects.aggregate(settled=Max("settled_before"))["settled"]


# --- Retention of the registry copies (docs/rules.md, R-PR-2) ----------------------------

# The days of colour history read each night for changes that passed HISTORY_KEPT: a
# few, so that a night or two without the job loses nothing, and never the whole table.
HISTORY_WINDOW = timedelta(days=3)
QUARANTINE_KEPT = timedelta(days=90)  # long enough for a registry's operators to act


@dataclass
class RecordsRetention:
    """What a records_retention run deleted (`dry_run`: would delete)."""

    settled_before: datetime
    deleted_pcr: int = 0
    deleted_contacts: int = 0
    deleted_changes: int = 0
    deleted_quarantined: int = 0
    dry_run: bool = False


def records_retention(*, now: datetime, dry_run: bool = False) -> RecordsRetention:
    """Delete the PCR results and contacts that acted for the last time more than a month
    ago (rules.RECORDS_KEPT), the colour changes older than a year but the one in force
    then (rules.HISTORY_KEPT), and the quarantined records of 90 days; nightly (beat)
    and `manage.py retention`. Vaccinations act with no end and stay. The time it takes
    follows what passed its age since the last night, not the size of the tables."""
    report = RecordsRetention(settled_before=now - rules.HISTORY_SETTLED, dry_run=dry_run)
    if not dry_run:
        # First: from now on no history from this moment back is judged from records.
        for registry in (Registry.PCR, Registry.CONTACTS):
            SyncState.objects.update_or_create(registry=registry, defaults={})
        SyncState.objects.filter(Q(settled_before__isnull=True) | Q(settled_before__lt=report.settled_before)).update(
            settled_before=report.settled_before
        )
    cutoff = now - rules.RECORDS_KEPT
    report.deleted_pcr = delete_in_batches(PcrResult.objects.filter(sampled_at__lt=cutoff), dry_run=dry_run)
    report.deleted_contacts = delete_in_batches(
        Contact.objects.filter(contact_date__lt=rules.local_date(cutoff)), dry_run=dry_run
    )
    report.deleted_changes = _history_expire(now - rules.HISTORY_KEPT, dry_run=dry_run)
    for name in RECORD_MODELS:
        report.deleted_quarantined += delete_in_batches(
            QuarantinedRecord.objects.filter(registry=name, received_at__lt=now - QUARANTINE_KEPT),
            dry_run=dry_run,
        )
    return report


def _history_expire(cutoff: datetime, *, dry_run: bool) -> int:
    """Delete the changes before `cutoff` of each person with a later one before it: the
    one in force at `cutoff` stays. Only the persons with a change in the last
    HISTORY_WINDOW before `cutoff` are looked at (by the time index): their earlier
    changes went out of force as that one came in, found from each of those persons
    by the person and time index — never a pass over the whole history."""
    table = connection.ops.quote_name(StatusChange._meta.db_table)
    bounds = [connection.ops.adapt_datetimefield_value(moment) for moment in (cutoff - HISTORY_WINDOW, cutoff)]
    window = (
        f"WITH w AS (SELECT person, MAX(changed_at) AS last FROM {table} "  # noqa: S608 (our names)
        f"WHERE changed_at >= %s AND changed_at < %s GROUP BY person) "
    )
    if connection.vendor == "postgresql":
        # Each person's earlier changes by the index, whatever the size of the table: the
        # planner, left to itself, prefers one pass over the whole history to thousands
        # of index look-ups (OFFSET 0 keeps the subquery from being folded into a join).
        older = (
            f"SELECT c.id FROM w, LATERAL (SELECT id FROM {table} "  # noqa: S608
            f"WHERE person = w.person AND changed_at < w.last OFFSET 0) c"
        )
    else:
        older = f"SELECT c.id FROM w JOIN {table} c ON c.person = w.person AND c.changed_at < w.last"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(window + older, bounds)
        ids = [row[0] for row in cursor.fetchall()]
    if dry_run:
        return len(ids)
    deleted = 0
    for chunk in _chunks(ids, BATCH):
        with transaction.atomic():
            deleted += StatusChange.objects.filter(pk__in=chunk).delete()[0]
    return deleted


# --- Doses entered in Ashyq (R-VP-2, R-VP-3) ------------------------------------------------


def own_vaccination_save(*, source_id: str, person: str, now: datetime, **fields) -> None:
    """A dose entered by hand counts from now on exactly as a synced one (R-ST-5): stored
    among the registry's under its own id (vaccinations.models.OWN_PREFIX), and the
    person's history brought in line (R-ST-10). Runs in the caller's transaction."""
    Vaccination.objects.update_or_create(source_id=source_id, defaults={"person": person, "changed_at": now, **fields})
    history_update(persons=[person], now=now, changes=False)


def own_vaccination_delete(*, source_id: str, now: datetime) -> None:
    """A dose entered by hand no longer counts (it was corrected); the history follows."""
    persons = list(Vaccination.objects.filter(source_id=source_id).values_list("person", flat=True))
    Vaccination.objects.filter(source_id=source_id).delete()
    if persons:
        history_update(persons=persons, now=now, changes=False)
