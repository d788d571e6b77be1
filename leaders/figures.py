"""The owner's figures of one venue (issue of front-line users): its check-ins per day
and per hour of the last 28 days, the current period's count against its Leader Ashyq
threshold (R-LD-1, R-LD-2, R-LD-4), and its standing history (R-VN-9). Reads only; the
check-ins counted are those the leader lists count (a red or yellow visitor turned away
is not one), read from the rows themselves — kept 28 days (R-PR-2), as far back as the
page looks and a period reaches — so that the last minutes are there too. No count is
hidden: an owner sees his own venue's figures (R-PR-5 is for the public pages).

A few queries whatever the number of check-ins: one aggregate per day, one per hour,
one count for the period, one read of the exclusions during it, one of the history.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import ExtractHour, TruncDate

from leaders import rules
from venues.models import Venue
from venues.standing import rules as standing_rules
from venues.standing.rules import Interval
from venues.standing.selectors import history_of, venue_ids_in_during
from visitors.models import ExitMethod, Visit

DAYS = 28  # R-PR-2: check-ins are kept for 28 days


@dataclass(frozen=True)
class PeriodProgress:
    """R-LD-1, R-LD-2: the current period's check-ins so far against the threshold a
    candidate must exceed. `threshold` None: the venue can never be a leader (no tier,
    a volunteer, R-REF-3, R-LD-4); `excluded`: it was excluded during the period."""

    first_day: date
    last_day: date
    checkins: int
    threshold: int | None
    excluded: bool

    @property
    def eligible(self) -> bool:
        return self.threshold is not None and not self.excluded

    @property
    def missing(self) -> int:
        """Check-ins still needed to be "more than" the threshold (0 once it is)."""
        return max(0, (self.threshold or 0) + 1 - self.checkins)


@dataclass(frozen=True)
class VenueFigures:
    days: list[date]
    per_day: list[int]
    refused_per_day: list[int]
    per_hour: list[int]  # local hours 0–23, over the 28 days
    period: PeriodProgress
    history: list[Interval]  # newest first

    @property
    def total(self) -> int:
        return sum(self.per_day)


def counted_visits(*, start: datetime, end: datetime):
    """The check-ins of [start, end) that count for R-LD-1: all but the refused (R-CI-3)."""
    return Visit.objects.filter(entered_at__gte=start, entered_at__lt=end).exclude(exit_method=ExitMethod.REFUSED)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=rules.LOCAL_TZ)


def venue_figures(venue: Venue, *, now: datetime) -> VenueFigures:
    """`venue`'s figures at `now` (its category and region loaded with it)."""
    today = now.astimezone(rules.LOCAL_TZ).date()
    days = [today - timedelta(days=DAYS - 1 - n) for n in range(DAYS)]
    start = _local_midnight(days[0])
    visits = counted_visits(start=start, end=now).filter(venue=venue)
    per_day = dict(
        visits.annotate(day=TruncDate("entered_at", tzinfo=rules.LOCAL_TZ))
        .values_list("day")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("day", "n")
    )
    per_hour = dict(
        visits.annotate(hour=ExtractHour("entered_at", tzinfo=rules.LOCAL_TZ))
        .values_list("hour")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("hour", "n")
    )
    refused = dict(
        Visit.objects.filter(venue=venue, entered_at__gte=start, entered_at__lt=now, exit_method=ExitMethod.REFUSED)
        .annotate(day=TruncDate("entered_at", tzinfo=rules.LOCAL_TZ))
        .values_list("day")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("day", "n")
    )
    return VenueFigures(
        days=days,
        per_day=[per_day.get(day, 0) for day in days],
        refused_per_day=[refused.get(day, 0) for day in days],
        per_hour=[per_hour.get(hour, 0) for hour in range(24)],
        period=period_progress(venue, now=now),
        history=list(reversed(history_of(venue))),
    )


def period_progress(venue: Venue, *, now: datetime) -> PeriodProgress:
    """R-LD-1, R-LD-2, R-LD-4: the period holding `now`, its check-ins until `now`."""
    first, end = rules.period_containing(now.astimezone(rules.LOCAL_TZ).date())
    start, _ = rules.period_bounds_utc(first)
    category = venue.category
    threshold = None if category.is_volunteer else rules.threshold(tier=category.tier, region_kind=venue.region.kind)
    excluded = venue_ids_in_during(standing_rules.EXCLUDED_KINDS, start, now).filter(venue_id=venue.pk).exists()
    return PeriodProgress(
        first_day=first,
        last_day=end - timedelta(days=1),
        checkins=counted_visits(start=start, end=now).filter(venue=venue).count(),
        threshold=threshold,
        excluded=excluded,
    )
