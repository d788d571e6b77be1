"""The check-ins and the status look-ups kept one local day per table (R-PR-2), on
PostgreSQL: each of visitors_visit and visitors_statuslookup is partitioned by range of
its moment, one partition per local day (`visitors_visit_p20210503`: 3 May 2021,
00:00 to 24:00 in Asia/Almaty) and a default partition for a moment no day holds yet.
A day's rows go with its table, dropped whole (visitors.services.retention): no row is
read or rewritten to forget it.

Django sees the tables as before (the models and their state are unchanged): the
primary key is (id, moment) in the database, as PostgreSQL asks of a partitioned
table, and `id` alone stays unique in practice (one sequence). Elsewhere (SQLite) the
tables are plain and these functions do nothing.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

# The partitioned tables and the column each is partitioned by.
TABLES = {"visitors_visit": "entered_at", "visitors_statuslookup": "at"}
_NAME = re.compile(r"_p(\d{8})$")


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def partition_name(table: str, day: date) -> str:
    return f"{table}_p{day:%Y%m%d}"


def default_name(table: str) -> str:
    return f"{table}_default"


def partitions(table: str) -> dict[date, str]:
    """The day partitions of `table`: local day → table name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        names = [name for (name,) in cursor.fetchall()]
    found = {}
    for name in names:
        match = _NAME.search(name)
        if match:
            found[datetime.strptime(match.group(1), "%Y%m%d").date()] = name  # noqa: DTZ007 (a date)
    return found


def _ddl(sql: str, params: dict) -> str:
    """`sql` with its values written in: PostgreSQL takes no bound parameter in DDL, and
    the connection binds on the server (prepared statements, ashyq.settings)."""
    return connection.ops.compose_sql(sql, params)


def partitions_ensure(days: Iterable[date]) -> list[str]:
    """A partition for each of `days` in every partitioned table; the names made. Rows
    of such a day already in the default partition move into the new one first."""
    if not partitioned():
        return []
    made = []
    quote = connection.ops.quote_name
    for table, column in TABLES.items():
        existing = partitions(table)
        for day in sorted(set(days)):
            if day in existing:
                continue
            name = partition_name(table, day)
            start, end = _midnight(day), _midnight(day + timedelta(days=1))
            bounds = {"start": start, "end": end}
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {quote(default_name(table))} "  # noqa: S608 (our names)
                    f"WHERE {quote(column)} >= %(start)s AND {quote(column)} < %(end)s)",
                    bounds,
                )
                if cursor.fetchone()[0]:
                    cursor.execute(
                        f"CREATE TABLE {quote(name)} (LIKE {quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                    )
                    cursor.execute(
                        f"WITH moved AS (DELETE FROM {quote(default_name(table))} "  # noqa: S608
                        f"WHERE {quote(column)} >= %(start)s AND {quote(column)} < %(end)s RETURNING *) "
                        f"INSERT INTO {quote(name)} SELECT * FROM moved",
                        bounds,
                    )
                    cursor.execute(
                        _ddl(
                            f"ALTER TABLE {quote(table)} ATTACH PARTITION {quote(name)} "
                            "FOR VALUES FROM (%(start)s) TO (%(end)s)",
                            bounds,
                        )
                    )
                else:
                    cursor.execute(
                        _ddl(
                            f"CREATE TABLE {quote(name)} PARTITION OF {quote(table)} "
                            "FOR VALUES FROM (%(start)s) TO (%(end)s)",
                            bounds,
                        )
                    )
            made.append(name)
    return made


def convert(schema_editor, table: str, column: str, days: Iterable[date]) -> None:
    """Make `table` (a plain table, as Django made it) a partitioned one with the same
    name, columns, constraints and indexes, its rows in partitions of `days` (and the
    default one). For a migration: PostgreSQL only."""
    quote = schema_editor.quote_name
    run = schema_editor.execute
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('c', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> %s",
            [table, f"{table}_pkey"],
        )
        indexes = cursor.fetchall()
    old = f"{table}_unpartitioned"
    run(f"ALTER TABLE {quote(table)} RENAME TO {quote(old)}")
    for name, _definition in indexes:
        run(f"ALTER INDEX {quote(name)} RENAME TO {quote(name + '_old')}")
    run(f"ALTER INDEX {quote(table + '_pkey')} RENAME TO {quote(table + '_pkey_old')}")
    run(
        f"CREATE TABLE {quote(table)} (LIKE {quote(old)} INCLUDING DEFAULTS INCLUDING IDENTITY, "
        f"PRIMARY KEY (id, {quote(column)})) PARTITION BY RANGE ({quote(column)})"
    )
    run(f"CREATE TABLE {quote(default_name(table))} PARTITION OF {quote(table)} DEFAULT")
    for name, definition in constraints:
        run(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
    for _name, definition in indexes:  # the old indexes were renamed: these name the new table
        run(definition)
    for day in sorted(set(days)):
        start, end = _midnight(day), _midnight(day + timedelta(days=1))
        run(
            f"CREATE TABLE {quote(partition_name(table, day))} PARTITION OF {quote(table)} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    run(f"INSERT INTO {quote(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {quote(old)}")  # noqa: S608
    run(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (our names)
        f"COALESCE((SELECT max(id) FROM {quote(table)}), 0) + 1, false)"
    )
    run(f"DROP TABLE {quote(old)}")
