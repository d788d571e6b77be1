"""The anonymous counts per venue and day and per venue and hour, kept for good, and the
mark of how far the check-ins are counted (visitors.services.counts). Every check-in
kept so far is counted here once, and the daily statistics of those days counted again
from the same rows, so that from now on each is counted once, incrementally."""

from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def count_existing(apps, schema_editor):
    from visitors.services.counts import _count, _midnight  # the rollup's own statements

    Visit = apps.get_model("visitors", "Visit")
    RemoteCheck = apps.get_model("visitors", "RemoteCheck")
    DailyStats = apps.get_model("visitors", "DailyStats")
    CountsMark = apps.get_model("visitors", "CountsMark")
    now = timezone.now()
    firsts = [
        Visit.objects.order_by("entered_at").values_list("entered_at", flat=True).first(),
        RemoteCheck.objects.order_by("at").values_list("at", flat=True).first(),
    ]
    firsts = [moment for moment in firsts if moment is not None and moment < now]
    if firsts:
        start = _midnight(timezone.localdate(min(firsts)))
        DailyStats.objects.filter(day__gte=timezone.localdate(start)).delete()
        while start < now:
            end = min(start + timedelta(days=1), now)
            _count(start, end)
            start = end
    CountsMark.objects.create(pk=1, counted_until=now)


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0006_standing"),
        ("visitors", "0003_venue_index_covers_exit"),
    ]

    operations = [
        migrations.CreateModel(
            name="CountsMark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("counted_until", models.DateTimeField(verbose_name="counted until")),
                ("rows_kept_from", models.DateField(blank=True, null=True, verbose_name="check-ins kept from")),
            ],
            options={
                "verbose_name": "counts mark",
                "verbose_name_plural": "counts mark",
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="counts_mark_one_row")],
            },
        ),
        migrations.CreateModel(
            name="VenueDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="day")),
                ("checkins", models.PositiveIntegerField(default=0, verbose_name="check-ins")),
                ("refused", models.PositiveIntegerField(default=0, verbose_name="refused at the door")),
                ("by_guard", models.PositiveIntegerField(default=0, verbose_name="check-ins typed by a guard")),
                (
                    "venue",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="venues.venue",
                        verbose_name="venue",
                    ),
                ),
            ],
            options={
                "verbose_name": "a venue's day",
                "verbose_name_plural": "venues' days",
                "indexes": [models.Index(fields=["day", "venue"], include=("checkins",), name="venue_day_day")],
                "constraints": [models.UniqueConstraint(fields=("venue", "day"), name="venue_day_unique")],
            },
        ),
        migrations.CreateModel(
            name="VenueHour",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("hour", models.DateTimeField(verbose_name="hour")),
                ("checkins", models.PositiveIntegerField(default=0, verbose_name="check-ins")),
                (
                    "venue",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="venues.venue",
                        verbose_name="venue",
                    ),
                ),
            ],
            options={
                "verbose_name": "a venue's hour",
                "verbose_name_plural": "venues' hours",
                "constraints": [models.UniqueConstraint(fields=("venue", "hour"), name="venue_hour_unique")],
            },
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
