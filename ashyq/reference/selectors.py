"""Reads of the reference data that applications, venues and pages share."""

from datetime import date

from django.db.models import Q, QuerySet

from ashyq.reference.models import Admission, Category, Region, Zone, ZoneChange


def _admissions(*, category: Category, region: Region, on: date, zone: str | None) -> QuerySet[Admission]:
    rows = Admission.objects.filter(category=category, admitted_from__lte=on).filter(
        Q(region=region) | Q(region__isnull=True)
    )
    if zone != Zone.GREEN:
        # R-REF-4: banquet halls join only while the venue's region is in the green zone.
        rows = rows.filter(green_zone_only=False)
    return rows


def admission_for(*, category: Category, region: Region, on: date, zone: str | None) -> Admission | None:
    """The admission that lets `category` join in `region` on day `on` (R-REF-4), or None.

    `zone` is the region's zone that day (see `zone_on`); it matters only for rows that
    are `green_zone_only`. When several rows apply, the one that does not depend on the
    zone comes first, then the earliest. One query.
    """
    rows = _admissions(category=category, region=region, on=on, zone=zone)
    return rows.order_by("green_zone_only", "admitted_from", "id").first()


def is_admitted(*, category: Category, region: Region, on: date, zone: str | None) -> bool:
    """Whether `category` may join in `region` on day `on` (R-REF-4). One query."""
    return _admissions(category=category, region=region, on=on, zone=zone).exists()


def zone_on(region: Region, on: date) -> str | None:
    """The zone of `region` in force on day `on` (R-REF-2): the latest change that took
    effect on or before it; None before the first one. One query."""
    changes = ZoneChange.objects.filter(region=region, effective_from__lte=on)
    # Two changes on one day: the one recorded last wins.
    return changes.order_by("-effective_from", "-id").values_list("zone", flat=True).first()
