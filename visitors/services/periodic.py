"""Periodic work of the visitors app: automatic closes (R-CI-4), erasure (R-PR-2) and the
daily anonymous counts (R-CI-9)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from visitors import rules
from visitors.models import (
    Colour,
    DailyStats,
    ExitMethod,
    RemoteCheck,
    StatusLookup,
    Visit,
    VisitWindow,
)

# --- Periodic work (R-CI-4, R-PR-2, R-CI-9) -------------------------------------------------


@transaction.atomic
def visits_auto_close(*, now: datetime) -> int:
    """R-CI-4 Decided: every visit still open 4 hours after its entry is closed at
    entry + 4 h (exactly 4 h old is closed). One UPDATE; returns how many."""
    return Visit.objects.filter(exited_at__isnull=True, entered_at__lte=now - rules.AUTO_CLOSE_AFTER).update(
        exited_at=F("entered_at") + rules.AUTO_CLOSE_AFTER, exit_method=ExitMethod.AUTO
    )


@transaction.atomic
def identifiers_erase(*, now: datetime) -> int:
    """R-PR-2: visits and look-ups 28 days old or older lose the person (and the
    citizen's account); expired visit windows are deleted. The rows and the daily
    counts stay. One statement per table; returns the rows changed."""
    cutoff = now - rules.IDENTIFIER_RETENTION
    visits = Visit.objects.filter(Q(person__isnull=False) | Q(user__isnull=False), entered_at__lte=cutoff).update(
        person=None, user=None
    )
    lookups = StatusLookup.objects.filter(person__isnull=False, at__lte=cutoff).update(person=None, birth_key=None)
    windows, _deleted = VisitWindow.objects.filter(until__lte=now).delete()
    return visits + lookups + windows


_STAT_FIELDS = ("checkins", "red_at_door", "yellow_at_door", "remote_checks", "red_remote")


def _local_day_span(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return start, end


@transaction.atomic
def stats_rollup(*, day: date) -> int:
    """R-CI-9: the anonymous counts of one local day per region, computed again from
    the rows (one GROUP BY per table) and upserted; running it twice changes nothing.
    Returns the number of DailyStats rows written."""
    start, end = _local_day_span(day)
    rows: dict[int | None, dict[str, int]] = {}
    visits = (
        Visit.objects.filter(entered_at__gte=start, entered_at__lt=end)
        .values("venue__region")
        .annotate(
            checkins=Count("id"),
            red_at_door=Count("id", filter=Q(colour=Colour.RED)),
            yellow_at_door=Count("id", filter=Q(colour=Colour.YELLOW)),
        )
        .order_by()
    )
    for row in visits:
        rows.setdefault(row.pop("venue__region"), {}).update(row)
    remote = (
        RemoteCheck.objects.filter(at__gte=start, at__lt=end)
        .values("region")
        .annotate(remote_checks=Count("id"), red_remote=Count("id", filter=Q(colour=Colour.RED)))
        .order_by()
    )
    for row in remote:
        rows.setdefault(row.pop("region"), {}).update(row)
    regional = [
        DailyStats(region_id=region, day=day, **{name: counts.get(name, 0) for name in _STAT_FIELDS})
        for region, counts in rows.items()
        if region is not None
    ]
    DailyStats.objects.bulk_create(
        regional, update_conflicts=True, unique_fields=["region", "day"], update_fields=list(_STAT_FIELDS)
    )
    # A NULL region never conflicts on (region, day): its row is updated or created apart.
    national = rows.get(None)
    if national is not None:
        values = {name: national.get(name, 0) for name in _STAT_FIELDS}
        if not DailyStats.objects.filter(region__isnull=True, day=day).update(**values):
            DailyStats.objects.create(region=None, day=day, **values)
    # Rows of the day that no longer have anything behind them (never, while rows are
    # only erased, not deleted — but a recomputation must not keep stale counts).
    stale = DailyStats.objects.filter(day=day).exclude(region_id__in=[r for r in rows if r is not None])
    if national is not None:
        stale = stale.exclude(region__isnull=True)
    stale.update(**dict.fromkeys(_STAT_FIELDS, 0))
    return len(regional) + (national is not None)
