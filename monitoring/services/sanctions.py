"""Sanctions (R-MN-3, R-MN-4, R-MN-5): the sanction of a trigger, appeals, returns.

Each write is one transaction with an audit row; e-mails are queued after the commit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from ashyq.queue import enqueue
from monitoring import rules
from monitoring.models import (
    Appeal,
    AppealDecision,
    Sanction,
    SanctionKind,
    SanctionState,
    Violation,
)
from monitoring.tasks import sanction_mail


def _check_region(user, venue, role: Role) -> None:
    if user.role != role or user.region_id is None or user.region_id != venue.region_id:
        raise PermissionDenied


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
