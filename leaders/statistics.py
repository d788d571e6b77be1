"""Reads behind the statistics pages (R-CI-9) and the exports of a region's period.

Every figure is per local day (Asia/Almaty). The queries are a fixed handful per page,
whatever the number of days or regions: counts are grouped in the database and laid
out per day in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from leaders.models import Candidate
from leaders.rules import LOCAL_TZ
from leaders.services.compute import counted_days
from venues.models import Standing, StandingKind, Venue
from visitors.models import DailyStats

# The ranges a statistics page may ask for.
DEFAULT_DAYS = 28
MAX_DAYS = 92
# R-PR-5 Decided: public statistics never show a count below 10 for a region and day.
PUBLIC_MINIMUM = 10

# The counts of visitors.models.DailyStats shown on the pages (R-CI-9).
DOOR_MEASURES = ("checkins", "red_at_door", "yellow_at_door", "remote_checks", "red_remote")
MEASURES = (*DOOR_MEASURES, "participants", "leaders")
LABELS = {
    "checkins": _("Check-ins"),
    "red_at_door": _("Red at the door"),
    "yellow_at_door": _("Yellow at the door"),
    "remote_checks": _("Remote status checks"),
    "red_remote": _("Red found by remote checks"),
    "participants": _("Participating venues"),
    "leaders": _("Leader Ashyq venues"),
}
# Counts that flow in a day (summed over a range) and stocks held on a day.
STOCKS = ("participants", "leaders")
# Measures broken down by region on each page; remote checks (and the red they find)
# are not tied to a region today (visitors.models.RemoteCheck), so they are national
# only.
REGIONAL_MEASURES = ("checkins", "red_at_door", "yellow_at_door", "participants", "leaders")
# R-PR-5: what the public sees per region and day; the national totals of every
# measure are public too, suppressed below 10 as well.
PUBLIC_REGIONAL_MEASURES = ("checkins", "participants", "leaders")


def default_range(today: date) -> tuple[date, date]:
    """The last 28 days ending yesterday (today is not over yet)."""
    last = today - timedelta(days=1)
    return last - timedelta(days=DEFAULT_DAYS - 1), last


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


@dataclass
class Figures:
    """Per-day values of each measure, aligned with `days`: per region (id) and for
    the whole country."""

    days: list[date]
    regions: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    national: dict[str, list[int]] = field(default_factory=dict)

    def region_totals(self, region_id: int) -> dict[str, int]:
        """A region's flows summed over the range and its stocks on the last day."""
        series = self.regions.get(region_id) or _zeros(len(self.days))
        return {name: (values[-1] if name in STOCKS else sum(values)) for name, values in series.items()}


def _zeros(length: int) -> dict[str, list[int]]:
    return {name: [0] * length for name in MEASURES}


def daily_figures(*, first: date, last: date, region_ids: list[int]) -> Figures:
    """Every measure per day from `first` to `last` (inclusive) for the regions
    `region_ids`, and national totals (all regions and the remote checks tied to none).

    Four queries, whatever the range and the number of regions.
    """
    days = days_between(first, last)
    index = {day: n for n, day in enumerate(days)}
    figures = Figures(days=days, regions={pk: _zeros(len(days)) for pk in region_ids}, national=_zeros(len(days)))
    wanted = set(region_ids)

    def add(region_id, name: str, n: int, value: int) -> None:
        figures.national[name][n] += value
        if region_id in wanted:
            figures.regions[region_id][name][n] += value

    # R-CI-9: the daily roll-up; the NULL-region row of a day holds remote checks.
    for row in DailyStats.objects.filter(day__gte=first, day__lte=last).values("region_id", "day", *DOOR_MEASURES):
        for name in DOOR_MEASURES:
            add(row["region_id"], name, index[row["day"]], row[name])
    for region_id, values in _participants(first=first, last=last).items():
        for n, value in enumerate(values):
            add(region_id, "participants", n, value)
    for region_id, values in _leaders(days).items():
        for n, value in enumerate(values):
            add(region_id, "leaders", n, value)
    return figures


def _participants(*, first: date, last: date) -> dict[int, list[int]]:
    """R-VN-5: a venue participates from the local day of the first issue of its QR
    codes (test mode counts). Cumulative per region: the venues issued before the
    range, plus each day's new ones (two grouped queries).

    Decided: exclusions (R-MN-4) are not subtracted; the figure is "venues that
    joined", as the participants' programme reported it."""
    start, end = _local_midnight(first), _local_midnight(last + timedelta(days=1))
    length = (last - first).days + 1
    series: dict[int, list[int]] = defaultdict(lambda: [0] * length)
    before = Venue.objects.filter(codes_first_issued_at__lt=start).values("region_id").annotate(n=Count("id"))
    for row in before.order_by():
        series[row["region_id"]][0] += row["n"]
    joined = (
        Venue.objects.filter(codes_first_issued_at__gte=start, codes_first_issued_at__lt=end)
        .annotate(day=TruncDate("codes_first_issued_at", tzinfo=LOCAL_TZ))
        .values("region_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in joined:
        series[row["region_id"]][(row["day"] - first).days] += row["n"]
    for values in series.values():
        for n in range(1, length):
            values[n] += values[n - 1]
    return series


def _leaders(days: list[date]) -> dict[int, list[int]]:
    """R-LD-3, R-VN-9: the venues that were leaders at some time of each day, per
    region, from their standing (a leader excluded mid-term stops being one, R-MN-4):
    one query over the range, spread over the days in Python."""
    first, last = days[0], days[-1]
    start, end = _local_midnight(first), _local_midnight(last + timedelta(days=1))
    spans = Standing.objects.filter(kind=StandingKind.LEADER, starts_at__lt=end, ends_at__gt=start).values_list(
        "venue__region_id", "venue_id", "starts_at", "ends_at"
    )
    held: dict[int, list[set[int]]] = defaultdict(lambda: [set() for _day in days])
    for region_id, venue_id, starts_at, ends_at in spans:
        for n, day in enumerate(days):
            if starts_at < _local_midnight(day + timedelta(days=1)) and ends_at > _local_midnight(day):
                held[region_id][n].add(venue_id)
    return {region_id: [len(venues) for venues in per_day] for region_id, per_day in held.items()}


# --- R-PR-5: what the public may see ---------------------------------------------------------


def is_public(value: int) -> bool:
    """R-PR-5: a count is shown only from 10 up (9 is "fewer than 10")."""
    return value >= PUBLIC_MINIMUM


def suppress(value: int) -> int | None:
    """R-PR-5: the value, or None for "fewer than 10"."""
    return value if is_public(value) else None


def suppress_regions(values: dict[int, int]) -> dict[int, int | None]:
    """R-PR-5 for one measure and day across all regions: counts below 10 become None.

    The exact national total is public too, so a single hidden region could be
    worked out by subtracting the others from it; when exactly one region is hidden,
    the smallest shown one is hidden as well (secondary suppression).
    """
    shown = {pk: suppress(value) for pk, value in values.items()}
    hidden = [pk for pk, value in shown.items() if value is None]
    visible = sorted((value, pk) for pk, value in shown.items() if value is not None)
    if len(hidden) == 1 and visible:
        shown[visible[0][1]] = None
    return shown


@dataclass
class PublicFigures:
    """Figures with every value below 10 replaced by None (R-PR-5)."""

    days: list[date]
    regions: dict[int, dict[str, list[int | None]]]
    national: dict[str, list[int | None]]


def public_figures(figures: Figures) -> PublicFigures:
    """R-PR-5: national totals of every measure and, per region, the public measures;
    decided on all regions at once so that no page, alone or with another, gives a
    region's count below 10. `figures` must hold every region."""
    regions: dict[int, dict[str, list[int | None]]] = {
        pk: {name: [None] * len(figures.days) for name in PUBLIC_REGIONAL_MEASURES} for pk in figures.regions
    }
    for name in PUBLIC_REGIONAL_MEASURES:
        for n in range(len(figures.days)):
            shown = suppress_regions({pk: series[name][n] for pk, series in figures.regions.items()})
            for pk, value in shown.items():
                regions[pk][name][n] = value
    national = {name: [suppress(value) for value in values] for name, values in figures.national.items()}
    return PublicFigures(days=figures.days, regions=regions, national=national)


# --- Exports of a region's period -------------------------------------------------------


def candidates_for_export(candidate_list):
    """The candidates of one list with the venue's company and category, highest
    count first."""
    return (
        Candidate.objects.filter(list=candidate_list)
        .select_related("venue__company", "venue__category")
        .order_by("-checkins", "venue__name", "venue_id")
    )


def venue_checkins(*, region, start: datetime, end: datetime):
    """Every venue of `region` that participated during [start, end) or had a
    check-in in it, with its counted check-ins (leaders.services.compute.counted_days:
    visitors refused at the door are not counted; kept for good), by name. One query."""
    counts = (
        counted_days(start=start, end=end)
        .filter(venue=OuterRef("pk"))
        .order_by()
        .values("venue")
        .annotate(n=Sum("checkins"))
        .values("n")
    )
    return (
        Venue.objects.filter(region=region)
        .annotate(checkins=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)))
        .filter(Q(codes_first_issued_at__lt=end) | Q(checkins__gt=0))
        .select_related("company", "category")
        .order_by("name", "id")
    )
