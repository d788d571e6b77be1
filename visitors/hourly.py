"""Check-ins and people inside per hour, for every venue of a region at once (R-CI-6 with
R-CI-4, for the risk list of R-MN-7): one statement, set-based, no loop per visit.

A visit is inside from its entry to its exit, or to its automatic close 4 hours after
the entry (R-CI-4 Decided), whichever comes first; a visitor refused at the door
(R-CI-3) is counted as a check-in but never inside. The statement lays every entry (+1)
and exit (−1) in time order per venue and keeps a running sum over each moment and all
before it (a window function's RANGE frame, on PostgreSQL and SQLite alike): the people
inside once everything of that moment happened — one person leaving as another comes
in is one inside, two leaving at once never leave one behind for an instant. Grouped by
UTC hour (each one local hour, ashyq.core.hours), each hour with an event gives its
entries, the most people inside at once during it, and how many were
inside when it ended (the running sum of the hours' net changes, a second window over
the few hourly rows); an hour without an event keeps the number the hour before
ended with, which `inside_per_hour` fills in. On PostgreSQL the statement gets the
memory to sort a large region's events in memory (work_mem, for it alone).

Plain SQL (the ORM cannot put a window over a union), with named columns, in this one
module; its test runs it on both databases.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from venues.models import Venue
from visitors.models import ExitMethod, Visit
from visitors.rules import AUTO_CLOSE_AFTER

HOUR = timedelta(hours=1)

_STATEMENT = """
WITH visits AS (
    SELECT v.venue_id AS venue_id,
           {entered} AS entered_at,
           {left_at} AS left_at,
           CASE WHEN v.exit_method IS NOT NULL AND v.exit_method = %(refused)s THEN 0 ELSE 1 END AS admitted
    FROM {visit} v JOIN {venue} ve ON ve.id = v.venue_id
    WHERE ve.region_id = %(region)s AND v.entered_at >= %(carry_from)s AND v.entered_at < %(stored_end)s
),
events AS (
    SELECT venue_id, entered_at AS moment, admitted AS step, 1 AS entry FROM visits
    UNION ALL
    SELECT venue_id, left_at AS moment, -1 AS step, 0 AS entry FROM visits WHERE admitted = 1 AND left_at < %(end)s
),
running AS (
    SELECT venue_id, moment, step, entry,
           SUM(step) OVER (PARTITION BY venue_id ORDER BY moment RANGE UNBOUNDED PRECEDING) AS inside
    FROM events
),
hourly AS (
    SELECT venue_id, {hour} AS hour_start, moment, step, entry, inside FROM running
),
per_hour AS (
    SELECT venue_id, hour_start,
           SUM(CASE WHEN moment >= %(start)s THEN entry ELSE 0 END) AS entries,
           MAX(inside) AS peak,
           SUM(step) AS net,
           MAX(CASE WHEN moment = hour_start THEN 1 ELSE 0 END) AS on_the_hour
    FROM hourly
    GROUP BY venue_id, hour_start
)
SELECT venue_id, hour_start, entries, peak,
       SUM(net) OVER (PARTITION BY venue_id ORDER BY hour_start ROWS UNBOUNDED PRECEDING) AS at_end,
       on_the_hour
FROM per_hour
ORDER BY venue_id, hour_start
"""

# The expressions each database writes its own way: a visit's end, and the UTC hour.
_POSTGRESQL = {
    "entered": "v.entered_at",
    "left_at": "LEAST(COALESCE(v.exited_at, v.entered_at + %(auto_close)s), v.entered_at + %(auto_close)s)",
    "hour": "DATE_BIN('1 hour', moment, TIMESTAMPTZ '2000-01-01 00:00+00')",
}
_SQLITE = {
    # Stored as text, 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC: every moment is written
    # alike (to the millisecond), so that equal moments compare equal as text.
    "entered": "strftime('%%Y-%%m-%%d %%H:%%M:%%f', v.entered_at)",
    "left_at": (
        "MIN(COALESCE(strftime('%%Y-%%m-%%d %%H:%%M:%%f', v.exited_at),"
        " strftime('%%Y-%%m-%%d %%H:%%M:%%f', v.entered_at, %(auto_close)s)),"
        " strftime('%%Y-%%m-%%d %%H:%%M:%%f', v.entered_at, %(auto_close)s))"
    ),
    "hour": "strftime('%%Y-%%m-%%d %%H:00:00.000', moment)",
}


@dataclass(frozen=True)
class Hour:
    """One UTC hour of one venue: the check-ins that began in it, and the most people
    inside at once during it (R-CI-6)."""

    hour: datetime
    entries: int
    inside: int


def _sql() -> str:
    parts = _POSTGRESQL if connection.vendor == "postgresql" else _SQLITE
    quote = connection.ops.quote_name
    return _STATEMENT.format(visit=quote(Visit._meta.db_table), venue=quote(Venue._meta.db_table), **parts)


@contextmanager
def _sort_memory():
    """On PostgreSQL, work_mem for the window's sort of a region's events (Almaty's two
    weeks: a million events and more, which spilled to disk with the default 4 MB),
    for this statement only; as leaders.services.compute does for its aggregate."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '128MB'")
        yield


def _moment(value) -> datetime:
    if isinstance(value, str):  # SQLite
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _stored(moment: datetime):
    """`moment` as the database compares it with a stored column."""
    return connection.ops.adapt_datetimefield_value(moment)


def _written(moment: datetime):
    """`moment` as the statement writes the moments of its events."""
    if connection.vendor == "sqlite":
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return moment


Row = tuple[datetime, int, int, int, bool]


def event_hours(*, region_id: int, start: datetime, end: datetime) -> dict[int, list[Row]]:
    """venue id → [(UTC hour, entries from `start` on, most inside after one of its
    events, inside at its end, whether an event fell on the hour itself)] for the hours
    with an entry or an exit, oldest first. The visits that entered in the 4 hours
    before `start` are read too (they may still be inside): their hours before `start`
    carry their people in. One statement."""
    # SQLite adds a modifier to a date ("+14400 seconds"), PostgreSQL an interval.
    seconds = int(AUTO_CLOSE_AFTER.total_seconds())
    auto_close = f"+{seconds} seconds" if connection.vendor == "sqlite" else AUTO_CLOSE_AFTER
    params = {
        "region": region_id,
        "start": _written(start),
        "end": _written(end),
        "stored_end": _stored(end),
        "carry_from": _stored(start - AUTO_CLOSE_AFTER),
        "auto_close": auto_close,
        "refused": ExitMethod.REFUSED.value,
    }
    found: dict[int, list[Row]] = {}
    with _sort_memory(), connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        for venue_id, hour, entries, peak, at_end, on_the_hour in cursor.fetchall():
            found.setdefault(venue_id, []).append(
                (_moment(hour), int(entries), int(peak), int(at_end), bool(on_the_hour))
            )
    return found


def inside_per_hour(rows: list[Row], *, start: datetime, end: datetime) -> Iterator[Hour]:
    """Every hour from the one holding `start` to the one before `end` in which the
    venue had a check-in or someone inside, from event_hours' rows. Pure.

    The people the hour before ended with are inside from the hour's start: all
    through an hour without an event, and until the first event of one that has some —
    unless that event falls on the hour itself (a visit closed at 14:00:00 is not
    inside in the hour from 14:00)."""
    first = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    level, previous = 0, None
    for hour, entries, peak, at_end, on_the_hour in rows:
        if previous is not None and level > 0:
            between = max(previous + HOUR, first)
            while between < hour:
                yield Hour(between, 0, level)
                between += HOUR
        most = peak if on_the_hour else max(level, peak)
        if hour >= first and (entries or most > 0):
            yield Hour(hour, entries, most)
        level, previous = at_end, hour
    if previous is not None and level > 0:
        between = max(previous + HOUR, first)
        while between < end:
            yield Hour(between, 0, level)
            between += HOUR
