"""The *_like twin PostgreSQL got of HistoryDue's primary key serves nothing either (see
0004). A migration of its own: the schema editor creates that index only at the end of
the migration that creates the table."""

from importlib import import_module

from django.db import migrations

drop_pattern_indexes = import_module("statuses.migrations.0004_drop_pattern_indexes").drop_pattern_indexes


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("statuses", "0005_history_due"),
    ]

    operations = [
        migrations.RunPython(drop_pattern_indexes("statuses_historydue"), migrations.RunPython.noop, elidable=False),
    ]
