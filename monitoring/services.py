"""Every write of monitoring (DOMAIN.md §10): violations, sanctions, appeals, returns.

Each is one transaction with an audit row (issue 6, item 7); e-mails are queued after
the commit."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from ashyq.photos import clean_photo
from ashyq.queue import enqueue
from monitoring import rules
from monitoring.models import (
    Appeal,
    AppealDecision,
    Outage,
    RiskEntry,
    RiskList,
    Sanction,
    SanctionKind,
    SanctionState,
    Violation,
    ViolationKind,
    ViolationPhoto,
    ViolationState,
)
from monitoring.outages import outage_at
from monitoring.risk import risk_list


@dataclass(frozen=True)
class Filed:
    violation: Violation
    outage: Outage | None  # R-MN-6: an outage covered the time of the violation


def _check_region(user, venue, role: Role) -> None:
    if user.role != role or user.region_id is None or user.region_id != venue.region_id:
        raise PermissionDenied


@transaction.atomic
def violation_file(*, inspector, venue, kind: str, occurred_at: datetime, description: str, photos, now) -> Filed:
    """R-MN-1: an inspector of the venue's region files a violation with up to 5 photos."""
    _check_region(inspector, venue, Role.INSPECTOR)
    photos = list(photos or [])
    if len(photos) > rules.MAX_PHOTOS:
        raise ValidationError(_("At most 5 photos."), code="photo_count")
    if occurred_at > now:
        raise ValidationError(_("The time of the violation is in the future."), code="future")
    cleaned = [clean_photo(photo) for photo in photos]  # all checked before anything is saved
    violation = Violation.objects.create(
        venue=venue, kind=kind, occurred_at=occurred_at, description=description, filed_by=inspector, filed_at=now
    )
    for content in cleaned:
        ViolationPhoto.objects.create(violation=violation, image=content)
    outage = outage_at(occurred_at)
    audit_record(
        actor=inspector,
        action="monitoring.violation_file",
        obj=violation,
        region=venue.region,
        venue=venue.pk,
        kind=kind,
        photos=len(cleaned),
        outage=outage.pk if outage else None,
    )
    return Filed(violation, outage)


@transaction.atomic
def violation_decide(*, inspector, violation: Violation, confirm: bool, note: str, now) -> Sanction | None:
    """R-MN-1: another inspector of the region confirms or rejects a filed violation;
    a confirmation is a sanction trigger (R-MN-3) unless R-MN-6 spares it."""
    venue = violation.venue
    _check_region(inspector, venue, Role.INSPECTOR)
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
    spared = confirm and violation.kind == ViolationKind.NO_STATUS_CHECK and outage is not None
    audit_record(
        actor=inspector,
        action="monitoring.violation_confirm" if confirm else "monitoring.violation_reject",
        obj=violation,
        region=venue.region,
        venue=venue.pk,
        no_sanction_outage=outage.pk if spared else None,
    )
    if not confirm or spared:  # R-MN-6: no sanction for not checking during an outage
        return None
    return sanction_for_trigger(violation=violation, now=now)


@transaction.atomic
def sanction_for_trigger(*, violation: Violation | None = None, inactivity_flag=None, now) -> Sanction:
    """R-MN-3: the sanction of a confirmed violation or an inactivity flag; an exclusion
    takes effect at `now` (R-MN-4: every hook of monitoring.selectors answers it)."""
    if (violation is None) == (inactivity_flag is None):
        raise ValueError("exactly one trigger")
    trigger = violation if violation is not None else inactivity_flag
    venue = trigger.venue
    prior = Sanction.objects.filter(
        venue=venue, kind=SanctionKind.EXCLUSION, state=SanctionState.ACTIVE, starts_at__lte=now
    ).count()
    kind, ends_at = rules.sanction_for(
        in_test_mode=venue.in_test_mode_on(timezone.localdate(now)), prior_exclusions=prior, at=now
    )
    sanction = Sanction.objects.create(
        venue=venue,
        kind=kind,
        violation=violation,
        inactivity_flag=inactivity_flag,
        starts_at=now,
        ends_at=ends_at,
        created_at=now,
    )
    audit_record(
        actor=None,
        action="monitoring.sanction",
        obj=sanction,
        region=venue.region,
        venue=venue.pk,
        kind=kind,
        ends_at=ends_at.isoformat() if ends_at else None,
        trigger=f"violation:{violation.pk}" if violation else f"inactivity:{inactivity_flag.pk}",
    )
    from monitoring.tasks import sanction_mail

    enqueue(sanction_mail, sanction.pk)
    return sanction


@transaction.atomic
def appeal_file(*, owner, sanction: Sanction, text: str, now) -> Appeal:
    """R-MN-5: the venue's owner appeals a sanction once (the OneToOne backs it)."""
    if sanction.venue.company.owner_id != owner.pk:
        raise PermissionDenied
    if not text.strip():
        raise ValidationError(_("Write the text of the appeal."), code="empty")
    if Appeal.objects.filter(sanction=sanction).exists():
        raise ValidationError(_("This sanction has already been appealed."), code="appealed")
    if sanction.state != SanctionState.ACTIVE:
        raise ValidationError(_("This sanction is no longer in force."), code="cancelled")
    appeal = Appeal.objects.create(sanction=sanction, text=text.strip(), filed_by=owner, filed_at=now)
    audit_record(
        actor=owner, action="monitoring.appeal_file", obj=appeal, region=sanction.venue.region, venue=sanction.venue_id
    )
    return appeal


@transaction.atomic
def appeal_decide(*, akimat, appeal: Appeal, cancel: bool, reason: str, now) -> Appeal:
    """R-MN-5: the akimat of the venue's region upholds or cancels; a cancelled sanction
    is lifted at once (and no longer counts as a prior exclusion, R-MN-3)."""
    sanction = appeal.sanction
    _check_region(akimat, sanction.venue, Role.AKIMAT)
    if not reason.strip():
        raise ValidationError(_("Give the reason of the decision."), code="no_reason")
    decision = AppealDecision.CANCELLED if cancel else AppealDecision.UPHELD
    updated = Appeal.objects.filter(pk=appeal.pk, decision=AppealDecision.PENDING).update(
        decision=decision, decided_by=akimat, decided_at=now, reason=reason.strip()
    )
    if updated != 1:
        raise ValidationError(_("This appeal has already been decided."), code="decided")
    if cancel:
        Sanction.objects.filter(pk=sanction.pk).update(state=SanctionState.CANCELLED)
    appeal.refresh_from_db()
    audit_record(
        actor=akimat,
        action="monitoring.appeal_cancel" if cancel else "monitoring.appeal_uphold",
        obj=appeal,
        region=sanction.venue.region,
        venue=sanction.venue_id,
        sanction=sanction.pk,
    )
    return appeal


@transaction.atomic
def return_request(*, owner, sanction: Sanction, now) -> Sanction:
    """R-MN-4: after the end of an exclusion the owner asks to return; the venue comes
    back with its codes and no new test mode."""
    if sanction.venue.company.owner_id != owner.pk:
        raise PermissionDenied
    if sanction.kind != SanctionKind.EXCLUSION or sanction.ends_at is None or now < sanction.ends_at:
        raise ValidationError(_("The exclusion has not ended yet."), code="not_ended")
    updated = Sanction.objects.filter(pk=sanction.pk, returned_at__isnull=True).update(returned_at=now)
    if updated != 1:
        raise ValidationError(_("The venue has already returned."), code="returned")
    sanction.refresh_from_db()
    audit_record(
        actor=owner, action="monitoring.return", obj=sanction, region=sanction.venue.region, venue=sanction.venue_id
    )
    return sanction


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
            over_capacity_hours=row.over_capacity_hours,
            burst_hours=row.burst_hours,
            max_hourly=row.max_hourly,
            burst_threshold=row.burst_threshold,
            worst_hour=row.worst_hour,
        )
        for row in rows
    )
    return stored
