"""The anonymous counts of the check-ins, each check-in counted once (R-CI-9, R-LD-1,
R-PR-2): per venue and local day (VenueDay, with the guards' look-ups), per venue and hour (VenueHour), per region
and local day (DailyStats, with the remote checks).

`counts_rollup` runs every few minutes: it counts what happened between the mark
(CountsMark.counted_until) and a few minutes ago, adds it to the counts and moves the
mark, in one transaction — so a run killed halfway counts nothing twice, and nothing
is read twice. A check-in is written with its moment (`entered_at` = now) in a short
transaction: LAG after it, it is committed. The counts outlive the rows: the rows of a
day are dropped after 28 days (visitors.services.retention), only once counted.

`counts_rebuild(day)` counts a day again from its rows, as far as the mark — for rows
written with past moments (the demo, a data set, tests) and for an operator after a
fix; the rollup goes on from the mark.
"""

from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from venues.models import Venue
from visitors.models import CountsMark, DailyStats, RemoteCheck, StatusLookup, VenueDay, VenueHour, Visit

LAG = timedelta(minutes=10)
# One run counts at most a day (a worker down for a week catches up run by run).
MAX_WINDOW = timedelta(days=1)
HOUR = timedelta(hours=1)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _slices(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at the UTC hours: each piece lies in one hour, so in one local
    day (Asia/Almaty's offsets are whole hours)."""
    pieces = []
    at = start
    while at < end:
        hour = at.replace(minute=0, second=0, microsecond=0)
        stop = min(hour + HOUR, end)
        pieces.append((at, stop))
        at = stop
    return pieces


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Added to what the counts hold (ON CONFLICT … DO UPDATE SET x = x + excluded.x), one
# statement per count and hour; the same SQL on PostgreSQL and SQLite.
_VENUE_DAY = """
    INSERT INTO {table} (venue_id, day, checkins, refused, by_guard, lookups)
    SELECT venue_id, %(day)s,
           SUM(CASE WHEN exit_method = 'refused' THEN 0 ELSE 1 END),
           SUM(CASE WHEN exit_method = 'refused' THEN 1 ELSE 0 END),
           SUM(CASE WHEN method = 'guard' AND (exit_method IS NULL OR exit_method <> 'refused') THEN 1 ELSE 0 END), 0
    FROM {visits} WHERE entered_at >= %(start)s AND entered_at < %(end)s
    GROUP BY venue_id
    ON CONFLICT (venue_id, day) DO UPDATE SET
        checkins = {table}.checkins + excluded.checkins,
        refused = {table}.refused + excluded.refused,
        by_guard = {table}.by_guard + excluded.by_guard
"""
_VENUE_LOOKUPS = """
    INSERT INTO {table} (venue_id, day, checkins, refused, by_guard, lookups)
    SELECT venue_id, %(day)s, 0, 0, 0, COUNT(*)
    FROM {lookups} WHERE at >= %(start)s AND at < %(end)s AND venue_id IS NOT NULL
    GROUP BY venue_id
    ON CONFLICT (venue_id, day) DO UPDATE SET lookups = {table}.lookups + excluded.lookups
"""
_VENUE_HOUR = """
    INSERT INTO {table} (venue_id, hour, checkins)
    SELECT venue_id, %(hour)s, COUNT(*)
    FROM {visits} WHERE entered_at >= %(start)s AND entered_at < %(end)s
      AND (exit_method IS NULL OR exit_method <> 'refused')
    GROUP BY venue_id
    ON CONFLICT (venue_id, hour) DO UPDATE SET checkins = {table}.checkins + excluded.checkins
"""
_REGION_DAY = """
    INSERT INTO {table} (region_id, day, checkins, red_at_door, yellow_at_door, remote_checks, red_remote)
    SELECT v.region_id, %(day)s, COUNT(*),
           SUM(CASE WHEN vi.colour = 'red' THEN 1 ELSE 0 END),
           SUM(CASE WHEN vi.colour = 'yellow' THEN 1 ELSE 0 END), 0, 0
    FROM {visits} vi JOIN {venues} v ON v.id = vi.venue_id
    WHERE vi.entered_at >= %(start)s AND vi.entered_at < %(end)s
    GROUP BY v.region_id
    ON CONFLICT (region_id, day) DO UPDATE SET
        checkins = {table}.checkins + excluded.checkins,
        red_at_door = {table}.red_at_door + excluded.red_at_door,
        yellow_at_door = {table}.yellow_at_door + excluded.yellow_at_door
"""
# Remote checks tied to no region (R-CI-8: a citizen's account has none) go in the
# day's row with no region, whose unique index is a partial one.
_REMOTE_NO_REGION = """
    INSERT INTO {table} (region_id, day, checkins, red_at_door, yellow_at_door, remote_checks, red_remote)
    SELECT NULL, %(day)s, 0, 0, 0, COUNT(*), SUM(CASE WHEN colour = 'red' THEN 1 ELSE 0 END)
    FROM {remote} WHERE at >= %(start)s AND at < %(end)s AND region_id IS NULL
    HAVING COUNT(*) > 0
    ON CONFLICT (day) WHERE region_id IS NULL DO UPDATE SET
        remote_checks = {table}.remote_checks + excluded.remote_checks,
        red_remote = {table}.red_remote + excluded.red_remote
"""
_REMOTE_REGION = """
    INSERT INTO {table} (region_id, day, checkins, red_at_door, yellow_at_door, remote_checks, red_remote)
    SELECT region_id, %(day)s, 0, 0, 0, COUNT(*), SUM(CASE WHEN colour = 'red' THEN 1 ELSE 0 END)
    FROM {remote} WHERE at >= %(start)s AND at < %(end)s AND region_id IS NOT NULL
    GROUP BY region_id
    ON CONFLICT (region_id, day) DO UPDATE SET
        remote_checks = {table}.remote_checks + excluded.remote_checks,
        red_remote = {table}.red_remote + excluded.red_remote
"""


def _statements() -> list[str]:
    names = {
        "visits": _table(Visit),
        "venues": _table(Venue),
        "remote": _table(RemoteCheck),
        "lookups": _table(StatusLookup),
    }
    return [
        _VENUE_DAY.format(table=_table(VenueDay), **names),
        _VENUE_LOOKUPS.format(table=_table(VenueDay), **names),
        _VENUE_HOUR.format(table=_table(VenueHour), **names),
        _REGION_DAY.format(table=_table(DailyStats), **names),
        _REMOTE_NO_REGION.format(table=_table(DailyStats), **names),
        _REMOTE_REGION.format(table=_table(DailyStats), **names),
    ]


def _count(start: datetime, end: datetime) -> None:
    """Add what happened in [start, end) to the counts."""
    statements = _statements()
    moment = connection.ops.adapt_datetimefield_value  # SQLite keeps UTC text; PostgreSQL as is
    with connection.cursor() as cursor:
        for piece_start, piece_end in _slices(start, end):
            values = {
                "start": moment(piece_start),
                "end": moment(piece_end),
                "day": timezone.localdate(piece_start),
                "hour": moment(piece_start.replace(minute=0, second=0, microsecond=0)),
            }
            for statement in statements:
                cursor.execute(statement, values)


def _mark(now: datetime) -> CountsMark:
    """The mark, locked; made at `now` - LAG when there is none (nothing before it is
    counted then: counts_rebuild counts the days before)."""
    mark = CountsMark.objects.select_for_update().filter(pk=1).first()
    if mark is None:
        CountsMark.objects.bulk_create([CountsMark(pk=1, counted_until=now - LAG)], ignore_conflicts=True)
        mark = CountsMark.objects.select_for_update().get(pk=1)
    return mark


@transaction.atomic
def counts_rollup(*, now: datetime) -> datetime:
    """Count what happened from the mark to LAG before `now` (at most MAX_WINDOW) and
    move the mark there; returns the mark. Safe to run twice or at once: the mark's
    row lock orders the runs, and the second finds nothing left."""
    mark = _mark(now)
    start = mark.counted_until
    end = min(now - LAG, start + MAX_WINDOW)
    if end <= start:
        return start
    _count(start, end)
    CountsMark.objects.filter(pk=1).update(counted_until=end)
    return end


def counted_until() -> datetime | None:
    """How far the counts go (None before the first run)."""
    return CountsMark.objects.filter(pk=1).values_list("counted_until", flat=True).first()


@transaction.atomic
def counts_rebuild(*, day: date, now: datetime | None = None) -> int:
    """Count local `day` again from its rows, up to the mark (what lies after it, the
    rollup counts): the day's counts are replaced, not added to. Returns how many rows
    of counts the day has. Only a day whose rows are still kept (28 days, R-PR-2) can
    be counted again: for an older one nothing changes and 0 is returned."""
    mark = _mark(now or timezone.now())
    if mark.rows_kept_from is not None and day < mark.rows_kept_from:
        return 0  # its rows are gone (R-PR-2): its counts are all there is
    start = _midnight(day)
    end = min(_midnight(day + timedelta(days=1)), mark.counted_until)
    if end <= start:
        return 0
    VenueDay.objects.filter(day=day).delete()
    VenueHour.objects.filter(hour__gte=start, hour__lt=end).delete()
    DailyStats.objects.filter(day=day).delete()
    _count(start, end)
    return (
        VenueDay.objects.filter(day=day).count()
        + VenueHour.objects.filter(hour__gte=start, hour__lt=end).count()
        + DailyStats.objects.filter(day=day).count()
    )
