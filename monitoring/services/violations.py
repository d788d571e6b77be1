"""Violations (R-MN-1): an inspector files one with its photos; another inspector of
the region confirms or rejects it, and a confirmation is a sanction trigger (R-MN-3)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from ashyq.photos import clean_photo
from monitoring import rules
from monitoring.models import (
    Outage,
    PhotoDraft,
    Sanction,
    Violation,
    ViolationKind,
    ViolationPhoto,
    ViolationState,
)
from monitoring.selectors import outage_at
from monitoring.services.sanctions import check_region, sanction_for_trigger
from venues.standing import rules as standing_rules
from venues.standing.selectors import kind_at


@dataclass(frozen=True)
class Filed:
    violation: Violation
    outage: Outage | None  # R-MN-6: an outage covered the time of the violation


@transaction.atomic
def violation_file(
    *, inspector, venue, kind: str, occurred_at: datetime, description: str, photos, now, drafts=()
) -> Filed:
    """R-MN-1: an inspector of the venue's region files a violation with up to 5 photos:
    uploads (`photos`), and his drafts kept from the form's earlier tries (`drafts`,
    monitoring.services.inspections.photo_drafts_add), which become its photos."""
    check_region(inspector, venue, Role.INSPECTOR)
    photos, drafts = list(photos or []), list(drafts or [])
    if any(draft.uploaded_by_id != inspector.pk for draft in drafts):
        raise PermissionDenied
    if len(photos) + len(drafts) > rules.MAX_PHOTOS:
        raise ValidationError(_("At most 5 photos."), code="photo_count")
    if occurred_at > now:
        raise ValidationError(_("The time of the violation is in the future."), code="future")
    standing = kind_at(venue, occurred_at)
    # Decided: Ashyq's rules bind a venue while it takes part — from its first codes
    # (R-VN-5) and not while it is excluded or awaiting its return (R-MN-4: it is out
    # of the project then, its codes refused). So a violation always happened while
    # the codes worked, and one confirmed during an exclusion happened before it began
    # (R-MN-3): two exclusions never cover the same moment.
    if standing == standing_rules.APPLIED:
        raise ValidationError(_("At that time the venue had not joined Ashyq yet."), code="before_joining")
    if standing in standing_rules.EXCLUDED_KINDS:
        raise ValidationError(
            _("At that time the venue was excluded from Ashyq: its rules did not bind it."), code="excluded"
        )
    cleaned = [clean_photo(photo) for photo in photos]  # all checked before anything is saved
    violation = Violation.objects.create(
        venue=venue, kind=kind, occurred_at=occurred_at, description=description, filed_by=inspector, filed_at=now
    )
    for draft in drafts:  # the file stays where it is: the photo takes it over
        ViolationPhoto.objects.create(
            violation=violation, image=draft.image.name, width=draft.width, height=draft.height
        )
    for content in cleaned:
        ViolationPhoto.objects.create(violation=violation, image=content)
    PhotoDraft.objects.filter(pk__in=[draft.pk for draft in drafts]).delete()
    outage = outage_at(occurred_at)
    audit_record(
        actor=inspector,
        action="monitoring.violation_file",
        obj=violation,
        region=venue.region,
        venue=venue.pk,
        kind=kind,
        photos=len(cleaned) + len(drafts),
        outage=outage.pk if outage else None,
    )
    return Filed(violation, outage)


@transaction.atomic
def violation_decide(*, inspector, violation: Violation, confirm: bool, note: str, now) -> Sanction | None:
    """R-MN-1: another inspector of the region confirms or rejects a filed violation;
    a confirmation is a sanction trigger (R-MN-3) unless R-MN-6 spares it."""
    venue = violation.venue
    check_region(inspector, venue, Role.INSPECTOR)
    if inspector.pk == violation.filed_by_id:
        raise PermissionDenied(_("You cannot decide on a violation you filed."))
    state = ViolationState.CONFIRMED if confirm else ViolationState.REJECTED
    updated = Violation.objects.filter(pk=violation.pk, state=ViolationState.FILED).update(
        state=state, decided_by=inspector, decided_at=now, decision_note=note
    )
    if updated != 1:
        raise ValidationError(_("This violation has already been decided."), code="decided")
    violation.refresh_from_db()
    outage = outage_at(violation.occurred_at) if confirm else None
    # R-MN-6: the outage that spares a confirmed violation of not checking statuses.
    spared_by = outage if violation.kind == ViolationKind.NO_STATUS_CHECK else None
    audit_record(
        actor=inspector,
        action="monitoring.violation_confirm" if confirm else "monitoring.violation_reject",
        obj=violation,
        region=venue.region,
        venue=venue.pk,
        no_sanction_outage=spared_by.pk if spared_by is not None else None,
    )
    if not confirm or spared_by is not None:  # R-MN-6: no sanction for not checking during an outage
        return None
    return sanction_for_trigger(violation=violation, now=now)
