"""R-PR-2 as now decided: on PostgreSQL the check-ins and the status look-ups are kept
one local day per partition (visitors.partitions), so that the days past 28 go whole,
with no row read or rewritten. The rows kept so far move into partitions of their
days; the days from four weeks ago to a week ahead get theirs; a default partition
takes a moment no day holds yet. The model state is unchanged; SQLite is left alone."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from visitors import partitions

    today = timezone.localdate()
    for table, column in partitions.TABLES.items():
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT ({schema_editor.quote_name(column)} AT TIME ZONE %s)::date "  # noqa: S608
                f"FROM {schema_editor.quote_name(table)}",
                [timezone.get_current_timezone_name()],
            )
            days = {day for (day,) in cursor.fetchall()}
        days |= {today + timedelta(days=n) for n in range(-28, 8)}
        partitions.convert(schema_editor, table, column, days)


class Migration(migrations.Migration):
    dependencies = [("visitors", "0005_no_duplicate_indexes")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
