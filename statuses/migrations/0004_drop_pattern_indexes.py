"""Drop the *_like twins PostgreSQL got of the registry tables' `person` and `source_id`
indexes (issue 9, B3).

Django gives every indexed or unique CharField a second, varchar_pattern_ops index on
PostgreSQL, for LIKE 'abc%'. Nothing searches a blind index or a registry id by prefix
(the admin lists these tables by date, with no search box): the status look-up and the
sync use "=" and IN, which the plain index serves. Each twin was one more index written per record synced (6 → 4 per PCR
result) and gigabytes of cache at tens of millions of records.

The fields keep their db_index/unique: the model state is unchanged, and Django drops a
twin with IF EXISTS should a later migration alter the field. CONCURRENTLY, so neither
the sync nor a look-up waits on a lock while a large index goes. Not reversed: nothing
needs the twins.
"""

from django.db import migrations

TABLES = ["statuses_pcrresult", "statuses_contact", "statuses_vaccination"]


def drop_pattern_indexes(*tables: str):
    """A RunPython operation dropping the pattern-ops indexes of `tables` (PostgreSQL)."""

    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # only PostgreSQL's schema editor makes them
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) AND indexdef LIKE '%%pattern_ops%%'",
                [list(tables)],
            )
            names = [name for (name,) in cursor.fetchall()]
        for name in names:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")

    return operation


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("statuses", "0003_quarantine"),
    ]

    operations = [
        migrations.RunPython(drop_pattern_indexes(*TABLES), migrations.RunPython.noop, elidable=False),
    ]
