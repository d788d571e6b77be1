"""Reads of monitoring: the exclusion hooks other apps ask (R-MN-4) and the pages' reads."""

from datetime import date, datetime, time, timedelta

from django.db.models import Case, Q, QuerySet, When
from django.utils import timezone

from ashyq.core.models import AuditEvent
from monitoring.models import (
    Appeal,
    AppealDecision,
    Outage,
    RiskList,
    Sanction,
    SanctionKind,
    SanctionState,
    Violation,
    ViolationState,
)


def _excluding(at: datetime) -> Q:
    """R-MN-4: an exclusion in force at `at`: not cancelled on appeal, started, and
    either not yet ended or ended but the owner has not asked to return."""
    return Q(
        kind=SanctionKind.EXCLUSION,
        state=SanctionState.ACTIVE,
        starts_at__lte=at,
    ) & (Q(ends_at__gt=at) | Q(returned_at__isnull=True))


def has_active_exclusion(*, company, address: str, at: datetime) -> bool:
    """Whether `company`, or the venue at `address`, is excluded from the project at
    moment `at` (R-VN-3: an application of an excluded venue is refused).

    Decided: refused when an excluded venue has the same normalised address
    (venues.rules.addresses_match) and belongs to `company` or to any company — a new
    legal entity at the same door does not escape the exclusion; another venue of the
    same company at another address is not refused. One query; excluded venues are few.
    """
    from venues.rules import addresses_match

    addresses = Sanction.objects.filter(_excluding(at)).values_list("venue__address", flat=True)
    return any(addresses_match(address, other) for other in addresses)


def venue_excluded(*, venue, at: datetime) -> bool:
    """Whether `venue` is excluded from the project at moment `at` (R-MN-4): its QR
    codes stop working and check-ins at it are refused (R-CI-7)."""
    return Sanction.objects.filter(_excluding(at), venue=venue).exists()


def excluded_venue_ids(*, region=None, at: datetime) -> QuerySet:
    """The ids of the venues excluded at `at` (a subquery for list filters)."""
    sanctions = Sanction.objects.filter(_excluding(at))
    if region is not None:
        sanctions = sanctions.filter(venue__region=region)
    return sanctions.values("venue_id")


def venues_excluded_during(*, start: datetime, end: datetime) -> QuerySet:
    """The ids of the venues excluded at any moment of [start, end) (R-LD-4), as a
    values queryset of `venue_id` (a subquery for the leaders computation).

    An exclusion not cancelled on appeal is in force from `starts_at` until `ends_at`,
    and past it until the owner returns (_excluding): it overlaps when it starts before
    `end` and either ends after `start` or the owner has not returned yet.
    """
    return Sanction.objects.filter(
        Q(kind=SanctionKind.EXCLUSION, state=SanctionState.ACTIVE, starts_at__lt=end)
        & (Q(ends_at__gt=start) | Q(returned_at__isnull=True))
    ).values("venue_id")


def sanctions_for_owner(*, venue) -> list[Sanction]:
    """The venue's sanctions for the owner's panel, newest first, with their appeals."""
    return list(
        Sanction.objects.filter(venue=venue)
        .select_related("appeal", "violation", "inactivity_flag")
        .order_by("-starts_at", "-id")[:20]
    )


def venue_history(venue) -> dict:
    """Everything the venue's history page shows (issue 6, item 7)."""
    violations = (
        Violation.objects.filter(venue=venue)
        .select_related("filed_by", "decided_by")
        .prefetch_related("photos")
        .order_by("-filed_at", "-id")
    )
    sanctions = Sanction.objects.filter(venue=venue).select_related("appeal", "violation", "inactivity_flag")
    audit = (
        AuditEvent.objects.filter(action__startswith="monitoring.", details__venue=venue.pk)
        .select_related("actor")
        .order_by("-id")[:50]
    )
    return {"violations": violations, "sanctions": sanctions, "audit": audit}


def venues_for_inspector(user, q: str = "") -> QuerySet:
    """Venues of the inspector's region, by name, BIN or address."""
    from venues.models import Venue

    venues = Venue.objects.filter(region_id=user.region_id).select_related("company", "category")
    q = q.strip()
    if q:
        condition = Q(company__bin=q)
        for variant in {q, q.lower(), q.upper(), q.capitalize(), q.title()}:
            condition |= Q(name__icontains=variant) | Q(address__icontains=variant)
        venues = venues.filter(condition)
    return venues.order_by("name", "id")


def violations_awaiting(user) -> QuerySet:
    """Filed violations of the inspector's region that another inspector filed."""
    return (
        Violation.objects.filter(venue__region_id=user.region_id, state=ViolationState.FILED)
        .exclude(filed_by=user)
        .select_related("venue", "filed_by")
        .prefetch_related("photos")
        .order_by("filed_at", "id")
    )


def appeals_for_akimat(user) -> QuerySet:
    """Appeals of the akimat's region, pending first."""
    return (
        Appeal.objects.filter(sanction__venue__region_id=user.region_id)
        .select_related("sanction__venue", "sanction__violation", "filed_by")
        .order_by(Case(When(decision=AppealDecision.PENDING, then=0), default=1), "-filed_at", "-id")
    )


def stored_risk_list(region):
    """R-MN-7: the region's risk list as last stored (hourly), or None before the first."""
    return RiskList.objects.filter(region=region).first()


# --- Outages (R-MN-6) ---------------------------------------------------------------------


def outage_at(moment: datetime) -> Outage | None:
    """The outage recorded as lasting at `moment` (starts_at ≤ moment < ends_at), or
    None. R-MN-6: no sanction follows from a failure to check statuses during it."""
    return (
        Outage.objects.filter(starts_at__lte=moment, ends_at__gt=moment)
        .select_related("recorded_by")
        .order_by("-starts_at", "-id")
        .first()
    )


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def outage_days(*, start: date, end: date) -> set[date]:
    """The local days from `start` to `end` (both included) that any outage touches,
    even for a minute (R-MN-2: days on which an outage was recorded do not count). An
    outage ending exactly at midnight does not touch the day that begins then."""
    if end < start:
        return set()
    window_start, window_end = _local_midnight(start), _local_midnight(end + timedelta(days=1))
    periods = Outage.objects.filter(starts_at__lt=window_end, ends_at__gt=window_start).values_list(
        "starts_at", "ends_at"
    )
    days: set[date] = set()
    for starts_at, ends_at in periods:
        day = max(timezone.localdate(starts_at), start)
        last = min(timezone.localdate(ends_at - timedelta(microseconds=1)), end)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def outages_page_queryset():
    """Every outage, newest first (the operators' list, paginated by the view)."""
    return Outage.objects.select_related("recorded_by").order_by("-starts_at", "-id")
