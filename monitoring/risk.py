"""The risk list (R-MN-7): from anonymous counts only (venue and time — no person), the
venues of a region that inspectors should look at first, with the figures that put
each there:

- people inside above the allowed limit (R-MN-7 with R-CI-6): the hours in which more
  people were inside at once than the venue's capacity × the share its conditions
  allowed that day (R-OP-2) — from entries and exits, a visit with no exit lasting to
  its automatic close 4 hours after the entry (R-CI-4; seed Q45: exits are scanned so
  that simultaneous occupancy can be seen), read by visitors.hourly. Many short
  visits in an hour are not many people at once; a few who stay long can be;
- check-ins outside the working hours of that day (R-OP-1, R-OP-2: its region's
  zone, its participation, its leader's extra hours — R-LD-5);
- bursts: an hour with far more entries than the venue's usual hour.

The conditions of all the listed venues and days are looked up at once
(venues.conditions.conditions_bulk)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.utils import timezone

from ashyq.core.hours import LocalHours
from leaders.rules import closed_hours
from venues.conditions import Conditions, conditions_bulk
from venues.models import Venue
from visitors.hourly import Hour, event_hours, inside_per_hour
from visitors.rules import allowed_occupancy

# (c) a burst: an hour with more than max(BURST_FLOOR, BURST_FACTOR × the venue's
# median hourly entries over the hours with any entry in the period).
BURST_FLOOR = 20
BURST_FACTOR = 5
# The score that ranks the list (Decided): each check-in outside the working hours
# counts 1, each hour over the allowed occupancy 10, each burst hour 5.
WEIGHT_OUTSIDE = 1
WEIGHT_OVER_LIMIT = 10
WEIGHT_BURST = 5


@dataclass
class RiskRow:
    venue: Venue
    checkins: int = 0
    outside_hours_checkins: int = 0
    # R-MN-7 with R-CI-6: hours with more people inside at once than allowed.
    over_limit_hours: int = 0
    peak_inside: int = 0  # the most people inside at once in the period…
    peak_allowed: int = 0  # …the limit then…
    peak_hour: datetime | None = None  # …and the hour (UTC) it was reached, the latest of equals
    max_hourly: int = 0
    median_hourly: float = 0
    burst_threshold: float = BURST_FLOOR
    burst_hours: int = 0
    worst_hour: datetime | None = None
    hours: list[Hour] = field(default_factory=list, repr=False)

    @property
    def score(self) -> int:
        return (
            WEIGHT_OUTSIDE * self.outside_hours_checkins
            + WEIGHT_OVER_LIMIT * self.over_limit_hours
            + WEIGHT_BURST * self.burst_hours
        )


def _evaluate(row: RiskRow, conditions: dict[tuple[int, date], Conditions], local: LocalHours) -> None:
    """The row's figures from its hours; `conditions` maps (venue id, local day) to the
    conditions of that day, the day before the first included (its night may run past
    midnight); `local` makes the UTC hours local."""
    entered = [(hour.hour, hour.entries) for hour in row.hours if hour.entries]
    counts = [n for _hour, n in entered]
    if counts:
        row.checkins = sum(counts)
        row.median_hourly = median(counts)
        row.burst_threshold = max(BURST_FLOOR, BURST_FACTOR * row.median_hourly)
        row.max_hourly = max(counts)
        row.worst_hour = max(entered, key=lambda item: (item[1], item[0]))[0]
    pk, capacity, threshold = row.venue.pk, row.venue.capacity, row.burst_threshold
    closed_on: dict[date, frozenset[int]] = {}
    for hour in row.hours:
        at = local[hour.hour]
        day = at.date()
        today = conditions.get((pk, day))
        closed = closed_on.get(day)
        if closed is None:
            yesterday = conditions.get((pk, day - timedelta(days=1)))
            closed = closed_on[day] = closed_hours(
                today.hours if today else None, yesterday.hours if yesterday else None
            )
        if at.hour in closed:
            row.outside_hours_checkins += hour.entries
        if hour.entries > threshold:
            row.burst_hours += 1
        # Decided: a day the venue may not open at all has no limit to exceed; its
        # visitors are check-ins outside the working hours.
        if today is None or not today.may_open:
            continue
        allowed = allowed_occupancy(capacity, today.occupancy_percent)
        if hour.inside > allowed:
            row.over_limit_hours += 1
        if hour.inside >= row.peak_inside and hour.inside > 0:
            row.peak_inside, row.peak_allowed, row.peak_hour = hour.inside, allowed, hour.hour


def risk_list(*, region, now: datetime, days: int = 14) -> list[RiskRow]:
    """The venues of `region` with at least one signal over the `days` before `now`,
    highest score first (R-MN-7). Five queries whatever the number of venues: the
    entries and the people inside per venue and hour (visitors.hourly), the venues
    that have any, and the three of their conditions on each day
    (venues.conditions.conditions_bulk) — and on PostgreSQL the work_mem the first
    sets for itself. A check-in is outside when its local hour
    lies wholly outside the venue's opening that day and the night of the day before
    (leaders.rules.hour_outside); a day it may not open, every hour is outside."""
    since = now - timedelta(days=days)
    found = event_hours(region_id=region.pk, start=since, end=now)
    hours = {venue_id: list(inside_per_hour(rows, start=since, end=now)) for venue_id, rows in found.items()}
    hours = {venue_id: listed for venue_id, listed in hours.items() if listed}
    if not hours:
        return []
    venues = list(Venue.objects.filter(pk__in=hours).select_related("category"))
    first, last = timezone.localdate(since), timezone.localdate(now)
    looked_at = [first + timedelta(days=n) for n in range(-1, (last - first).days + 1)]
    conditions = conditions_bulk(venues, looked_at)
    rows, local = [], LocalHours()
    for venue in venues:
        row = RiskRow(venue=venue, hours=hours[venue.pk])
        _evaluate(row, conditions, local)
        if row.score > 0:
            rows.append(row)
    rows.sort(key=lambda row: (-row.score, row.venue.name, row.venue.pk))
    return rows
