"""The risk list (R-MN-7): from anonymous counts of check-ins only (venue and time — no
person), the venues of a region that inspectors should look at first, with the figures
that put each there.

"Outside working hours" uses each venue's real conditions of each day (R-OP-1, R-OP-2:
its region's zone, its participation, its leader's extra hours — R-LD-5), looked up for
all the listed venues and days at once (venues.conditions.hours_for)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Count
from django.utils import timezone

from ashyq.core.hours import LocalHours, UtcHour
from ashyq.core.rows import values_rows
from leaders.rules import closed_hours
from venues.conditions import Hours, hours_for
from venues.models import Venue
from visitors.models import Visit

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


def _evaluate(row: RiskRow, hours: dict[tuple[int, date], Hours | None], local: LocalHours) -> None:
    """The row's figures; `hours` maps (venue id, local day) to the allowed hours, the
    day before the first included (its night may run past midnight); `local` makes the
    UTC hours local."""
    counts = [n for _hour, n in row.hourly]
    row.checkins = sum(counts)
    row.median_hourly = median(counts)
    row.burst_threshold = max(BURST_FLOOR, BURST_FACTOR * row.median_hourly)
    row.max_hourly = max(counts)
    row.worst_hour = max(row.hourly, key=lambda item: (item[1], item[0]))[0]
    pk, capacity, threshold = row.venue.pk, row.venue.capacity, row.burst_threshold
    closed_on: dict[date, frozenset[int]] = {}
    for hour, n in row.hourly:
        at = local[hour]
        day = at.date()
        closed = closed_on.get(day)
        if closed is None:
            closed = closed_on[day] = closed_hours(hours.get((pk, day)), hours.get((pk, day - timedelta(days=1))))
        if at.hour in closed:
            row.outside_hours_checkins += n
        if n > capacity:
            row.over_capacity_hours += 1
        if n > threshold:
            row.burst_hours += 1


def risk_list(*, region, now: datetime, days: int = 14) -> list[RiskRow]:
    """The venues of `region` with at least one signal over the `days` before `now`,
    highest score first (R-MN-7). Six queries whatever the number of venues: the
    entries per venue and hour, the venues that have any, and the four of their
    allowed hours on each day (venues.conditions.hours_for). A check-in is outside
    when its local hour lies wholly outside the venue's opening that day and the night
    of the day before (leaders.rules.hour_outside); a day it may not open, every hour
    is outside."""
    since = now - timedelta(days=days)
    # Per UTC hour (one local hour each, ashyq.core.hours), read with psycopg's C loader
    # (issue 9, B6: Almaty's list took 21 s in the worker, 17 of them Python).
    buckets = (
        Visit.objects.filter(venue__region=region, entered_at__gte=since, entered_at__lt=now)
        .annotate(hour=UtcHour("entered_at"))
        .values_list("venue_id", "hour")
        .annotate(n=Count("*"))
        .order_by()
    )
    hourly: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for venue_id, hour, n in values_rows(buckets):
        hourly[venue_id].append((hour, n))
    if not hourly:
        return []
    venues = list(Venue.objects.filter(pk__in=hourly).select_related("category"))
    first, last = timezone.localdate(since), timezone.localdate(now)
    days = [first + timedelta(days=n) for n in range(-1, (last - first).days + 1)]
    hours = hours_for(venues, days)
    rows, local = [], LocalHours()
    for venue in venues:
        row = RiskRow(venue=venue, hourly=sorted(hourly[venue.pk]))
        _evaluate(row, hours, local)
        if row.score > 0:
            rows.append(row)
    rows.sort(key=lambda row: (-row.score, row.venue.name, row.venue.pk))
    return rows
