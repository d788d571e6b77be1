"""The stored risk list of a region (R-MN-7)."""

from datetime import datetime

from django.db import transaction

from monitoring.models import (
    RiskEntry,
    RiskList,
)
from monitoring.risk import risk_list


@transaction.atomic
def risk_list_store(*, region, now: datetime, days: int = 14) -> RiskList:
    """R-MN-7: compute `region`'s risk list over the `days` before `now` and store it in
    place of the previous one (the page reads the stored list)."""
    rows = risk_list(region=region, now=now, days=days)
    stored, _created = RiskList.objects.select_for_update().update_or_create(
        region=region, defaults={"computed_at": now, "days": days}
    )
    RiskEntry.objects.filter(risk_list=stored).delete()
    RiskEntry.objects.bulk_create(
        RiskEntry(
            risk_list=stored,
            venue=row.venue,
            score=row.score,
            checkins=row.checkins,
            outside_hours_checkins=row.outside_hours_checkins,
            over_limit_hours=row.over_limit_hours,
            peak_inside=row.peak_inside,
            peak_allowed=row.peak_allowed,
            peak_hour=row.peak_hour,
            burst_hours=row.burst_hours,
            max_hourly=row.max_hourly,
            burst_threshold=row.burst_threshold,
            worst_hour=row.worst_hour,
        )
        for row in rows
    )
    return stored
