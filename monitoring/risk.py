"""The risk list (R-MN-7): from anonymous counts of check-ins only (venue and time — no
person), the venues of a region that inspectors should look at first, with the figures
that put each there."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from venues.models import Venue
from visitors.models import Visit

# Decided default working hours until the operating conditions exist (R-OP-1).
DEFAULT_OPENS = time(8, 0)
DEFAULT_CLOSES = time(23, 0)
# (b) over-occupancy: more entries in one hour than the venue's capacity.
# (c) a burst: an hour with more than max(BURST_FLOOR, BURST_FACTOR × the venue's
# median hourly entries over the hours with any entry in the period).
BURST_FLOOR = 20
BURST_FACTOR = 5
# The score that ranks the list (Decided): each check-in outside the working hours
# counts 1, each hour over capacity 10, each burst hour 5.
WEIGHT_OUTSIDE = 1
WEIGHT_OVER_CAPACITY = 10
WEIGHT_BURST = 5


def allowed_hours(venue: Venue, day: date) -> tuple[time, time] | None:
    """The venue's allowed working hours on local `day` as (opens, closes), or None
    when it may not open at all that day; `closes` ≤ `opens` means past midnight.

    A hook: the working hours come from the operating conditions of the venue's
    category and zone (R-OP-1, R-OP-2), which the Leaders issue builds and which then
    replaces this body. Decided default until then: 08:00–23:00 every day, for every
    venue. Must not query the database per call (it runs per venue and day).
    """
    return DEFAULT_OPENS, DEFAULT_CLOSES


def _outside(hour_start: time, hours: tuple[time, time] | None) -> bool:
    """Whether the local hour beginning at `hour_start` lies wholly outside `hours`
    (the counts are per hour: an hour that is partly open counts as open)."""
    if hours is None:
        return True
    opens, closes = hours
    start = hour_start.hour * 60
    end = start + 60
    open_min, close_min = opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute
    spans = [(open_min, close_min)] if close_min > open_min else [(open_min, 24 * 60), (0, close_min)]
    return not any(start < span_end and span_start < end for span_start, span_end in spans)


@dataclass
class RiskRow:
    venue: Venue
    checkins: int = 0
    outside_hours_checkins: int = 0
    over_capacity_hours: int = 0
    max_hourly: int = 0
    median_hourly: float = 0
    burst_threshold: float = BURST_FLOOR
    burst_hours: int = 0
    worst_hour: datetime | None = None
    hourly: list[tuple[datetime, int]] = field(default_factory=list, repr=False)

    @property
    def score(self) -> int:
        return (
            WEIGHT_OUTSIDE * self.outside_hours_checkins
            + WEIGHT_OVER_CAPACITY * self.over_capacity_hours
            + WEIGHT_BURST * self.burst_hours
        )


def _evaluate(row: RiskRow) -> None:
    counts = [n for _hour, n in row.hourly]
    row.checkins = sum(counts)
    row.median_hourly = median(counts)
    row.burst_threshold = max(BURST_FLOOR, BURST_FACTOR * row.median_hourly)
    row.max_hourly = max(counts)
    row.worst_hour = max(row.hourly, key=lambda item: (item[1], item[0]))[0]
    for hour, n in row.hourly:
        local = timezone.localtime(hour)
        if _outside(local.time(), allowed_hours(row.venue, local.date())):
            row.outside_hours_checkins += n
        if n > row.venue.capacity:
            row.over_capacity_hours += 1
        if n > row.burst_threshold:
            row.burst_hours += 1


def risk_list(*, region, now: datetime, days: int = 14) -> list[RiskRow]:
    """The venues of `region` with at least one signal over the `days` before `now`,
    highest score first (R-MN-7). Two queries: the entries per venue and local hour,
    and the venues that have any."""
    since = now - timedelta(days=days)
    buckets = (
        Visit.objects.filter(venue__region=region, entered_at__gte=since, entered_at__lt=now)
        .annotate(hour=TruncHour("entered_at"))
        .values_list("venue_id", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    hourly: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for venue_id, hour, n in buckets:
        hourly[venue_id].append((hour, n))
    if not hourly:
        return []
    venues = Venue.objects.filter(pk__in=hourly).select_related("category")
    rows = []
    for venue in venues:
        row = RiskRow(venue=venue, hourly=sorted(hourly[venue.pk]))
        _evaluate(row)
        if row.score > 0:
            rows.append(row)
    rows.sort(key=lambda row: (-row.score, row.venue.name, row.venue.pk))
    return rows
