"""Reads of companies, applications and venues, scoped by who asks."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from ashyq.accounts.models import Role
from ashyq.reference.models import Admission, Category, OkedCode, Region
from ashyq.reference.selectors import admission_for, zone_on
from venues import rules
from venues.models import OPEN_CLAIMS, Application, ApplicationStatus, Company, CompanyClaim, Venue
from venues.rules import AdmissionFacts, addresses_match
from venues.standing import rules as standing_rules
from venues.standing.selectors import venue_ids_in


def _require_owner(user) -> None:
    """403 for anyone who is not a business owner (superusers pass, as everywhere)."""
    if not user.is_authenticated or (user.role != Role.OWNER and not user.is_superuser):
        raise PermissionDenied


def venues_for_owner(user) -> QuerySet[Venue]:
    """The venues of the companies `user` owns — nobody else's."""
    return Venue.objects.filter(company__owner=user).select_related("region", "category", "company")


def get_venue_for_owner(user, pk) -> Venue:
    """The venue `pk` of one of `user`'s companies: 404 for another owner's venue (so
    its existence does not leak), 403 for a user who is not an owner at all."""
    _require_owner(user)
    qs = Venue.objects.select_related("region", "category", "company", "application")
    if not user.is_superuser:
        qs = qs.filter(company__owner=user)
    venue = qs.filter(pk=pk).first()
    if venue is None:
        raise Http404
    return venue


def venues_page_for_owner(user) -> QuerySet[Venue]:
    """My venues: with the number of entrances, without a query per row."""
    return venues_for_owner(user).annotate(entrance_count=Count("entrances")).order_by("name", "id")


def companies_for_owner(user) -> QuerySet[Company]:
    return Company.objects.filter(owner=user).order_by("name", "id")


def claims_for_owner(user) -> list[CompanyClaim]:
    """The owner's claims of companies still open (the code, an operator, a dispute)."""
    return list(CompanyClaim.objects.filter(claimant=user, state__in=OPEN_CLAIMS).order_by("created_at", "pk"))


def get_open_claim_for_owner(user, pk: int) -> CompanyClaim:
    """One of the owner's open claims, else 404 (existence does not leak)."""
    claim = CompanyClaim.objects.filter(pk=pk, claimant=user, state__in=OPEN_CLAIMS).first()
    if claim is None:
        raise Http404
    return claim


def applications_for_owner(user) -> QuerySet[Application]:
    """My applications, newest first."""
    return (
        Application.objects.filter(company__owner=user)
        .select_related("company", "region", "category", "venue")
        .order_by("-submitted_at", "-id")
    )


def get_application_for_owner(user, pk) -> Application:
    """Like `get_venue_for_owner`: 404 for another owner's application, 403 for a
    non-owner."""
    _require_owner(user)
    qs = Application.objects.select_related("company", "region", "category", "venue", "submitted_by")
    if not user.is_superuser:
        qs = qs.filter(company__owner=user)
    application = qs.filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def admission_facts(*, category: Category, region: Region, on: date) -> AdmissionFacts:
    """What the admissions table says of `category` in `region` on day `on` (R-REF-4),
    for the application check. Three queries at most."""
    zone = zone_on(region, on)
    if admission_for(category=category, region=region, on=on, zone=zone) is not None:
        return AdmissionFacts(admitted=True, zone=zone)
    rows = Admission.objects.filter(category=category).filter(Q(region=region) | Q(region__isnull=True))
    # None admits it today, so a green-only row in force means the region is not green.
    green_zone_only = rows.filter(admitted_from__lte=on, green_zone_only=True).exists()
    next_from = rows.filter(admitted_from__gt=on).order_by("admitted_from").values_list("admitted_from", flat=True)
    return AdmissionFacts(admitted=False, zone=zone, green_zone_only=green_zone_only, next_from=next_from.first())


def notification_in_use(*, number: str) -> bool:
    """Whether a venue already stands on the sanitary notification `number` (an approved
    application of it, automatically or by an operator). Index application_notification."""
    return Application.objects.filter(
        notification_number=number, status=ApplicationStatus.APPROVED, venue__isnull=False
    ).exists()


def oked_codes_for(category: Category) -> set[str]:
    """The OKED codes that match `category` (R-REF-5)."""
    return set(OkedCode.objects.filter(categories=category).values_list("code", flat=True))


def application_initial(user, from_pk: str | None) -> dict:
    """The form's initial values copied from one of `user`'s applications ("fix and
    apply again"); empty for anything else."""
    if not from_pk or not (from_pk.isascii() and from_pk.isdecimal()):  # "²".isdigit() is True
        return {}
    application = Application.objects.filter(company__owner=user, pk=int(from_pk)).first()
    if application is None:
        return {}
    fields = ["name", "address", "region", "category", "oked", "notification_number", "notification_date"]
    initial = {name: getattr(application, name) for name in fields}
    return initial | {
        "company": application.company_id,
        "region": application.region_id,
        "category": application.category_id,
        "capacity": application.capacity,
        "entrances": "\n".join(application.entrances),
        "phone": application.phone,
    }


def address_excluded(*, address: str, at: datetime) -> bool:
    """Whether a venue at `address` is excluded from the project at `at` (R-VN-3: an
    application for it is refused; R-MN-4: until its owner's return is accepted).

    Decided: refused when an excluded venue has the same normalised address
    (venues.rules.addresses_match), whichever its company — a new legal entity at the
    same door does not escape the exclusion; another venue of the same company at
    another address is not refused. One query; excluded venues are few."""
    addresses = Venue.objects.filter(pk__in=venue_ids_in(standing_rules.EXCLUDED_KINDS, at)).values_list(
        "address", flat=True
    )
    return any(addresses_match(address, other) for other in addresses)


def check_names(stored_checks) -> dict[str, dict[str, str]]:
    """The names, in the active language, of the categories and regions that stored
    checks name by code (venues.rules.Names): at most one query per kind, for a whole
    page of applications."""
    codes = rules.named_codes(stored_checks)
    models: dict[str, type[Category] | type[Region]] = {"category": Category, "region": Region}
    return {
        kind: {row.code: row.name for row in models[kind].objects.filter(code__in=codes[kind])} if codes[kind] else {}
        for kind in rules.NAMED_KINDS
    }
