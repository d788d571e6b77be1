"""The end of the hourly counts no Leader Ashyq computation can read (R-PR-2 with R-LD-1).

VenueHour keeps each venue's counted check-ins per hour beyond the 28 days of
check-ins, for the flags of a period computed again later (R-LD-2). Only a candidate's
hours are read (leaders.services.compute.hourly_counts), and whether a venue is a
candidate of a period is decided by its daily counts (VenueDay, kept for good): a venue
that counted no more than the lowest threshold of all (rules.LOWEST_THRESHOLD) over a
period can never be one. Once a period's check-ins are all gone (they are counted and
final), the hours of those venues in that period go: a recomputed period gives the same
list and the same flags, and what stays is the hours of the few venues above the lowest
threshold instead of every venue's every open hour.

Nightly (beat) and `manage.py retention`. Only the periods that became final in the
last PERIODS_WINDOW are looked at, so a night costs what it brings, not the years of
counts before it.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Sum

from leaders import rules
from visitors.models import CountsMark, VenueDay, VenueHour

PERIODS_WINDOW = timedelta(days=3)  # a night or two without the job loses nothing


def final_periods(*, kept_from) -> list[tuple]:
    """The periods (start, end) whose end fell within PERIODS_WINDOW before `kept_from`,
    the first local day whose check-ins are kept: their counts are final."""
    found = set()
    for days in range(1, PERIODS_WINDOW.days + 1):
        start, end = rules.period_containing(kept_from - timedelta(days=days))
        if end <= kept_from and end > kept_from - PERIODS_WINDOW:
            found.add((start, end))
    return sorted(found)


def venue_hours_prune(*, dry_run: bool = False) -> int:
    """Delete (`dry_run`: count) the hourly counts of the venues that cannot be candidates
    of a period that became final lately; how many rows."""
    kept_from = CountsMark.objects.filter(pk=1).values_list("rows_kept_from", flat=True).first()
    if kept_from is None:
        return 0
    total = 0
    for start, end in final_periods(kept_from=kept_from):
        since, until = rules.period_bounds_utc(start)
        above = (
            VenueDay.objects.filter(day__gte=start, day__lt=end)
            .values("venue")
            .annotate(total=Sum("checkins"))
            .filter(total__gt=rules.LOWEST_THRESHOLD)
            .values("venue")
        )
        # A day at a time (by the hour index): short transactions, whatever the period holds.
        for day in range(rules.PERIOD_DAYS):
            day_since, day_until = since + timedelta(days=day), since + timedelta(days=day + 1)
            below = VenueHour.objects.filter(hour__gte=day_since, hour__lt=min(day_until, until)).exclude(
                venue__in=above
            )
            if dry_run:
                total += below.count()
            else:
                with transaction.atomic():
                    total += below.delete()[0]
    return total
