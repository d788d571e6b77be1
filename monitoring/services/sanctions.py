"""Sanctions (R-MN-3, R-MN-4, R-MN-5): the sanction of a trigger, appeals, returns, and
the withdrawal of a sanction an outage recorded later spares (R-MN-2, R-MN-6).

Each write is one transaction with an audit row, and writes the venue's standing
history (venues.standing.services) with the sanction that changes it; e-mails are
queued after the commit.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from ashyq.queue import enqueue
from leaders.selectors import leader_term_at
from monitoring import rules
from monitoring.models import (
    Appeal,
    AppealDecision,
    InactivityFlag,
    Sanction,
    SanctionKind,
    SanctionState,
    Violation,
)
from monitoring.selectors import exclusion_in_force, sanction_facts
from monitoring.tasks import sanction_mail
from venues.models import Venue
from venues.standing import rules as standing_rules
from venues.standing.services import standing_exclude, standing_lift, standing_return


def check_region(user, venue, role: Role) -> None:
    """403 unless `user` has `role` in the venue's region."""
    if user.role != role or user.region_id is None or user.region_id != venue.region_id:
        raise PermissionDenied


def occurred_at(*, violation: Violation | None = None, inactivity_flag: InactivityFlag | None = None) -> datetime:
    """R-MN-3 Decided: the moment a trigger happened, by which it is judged — a
    violation's time, or the end of the flag's last counted day (R-MN-2: the flag is
    raised when the fourth full day without a check-in ends)."""
    if violation is not None:
        return violation.occurred_at
    if inactivity_flag is None:
        raise ValueError("a trigger is needed")
    return standing_rules.local_midnight(inactivity_flag.last_day + timedelta(days=1))


@transaction.atomic
def sanction_for_trigger(
    *, violation: Violation | None = None, inactivity_flag: InactivityFlag | None = None, now: datetime
) -> Sanction | None:
    """R-MN-3: the sanction of a confirmed violation or an inactivity flag, judged by the
    moment it happened (`occurred_at`) and starting at `now`:

    - none when it happened before the venue's current sanction began (violations of
      one inspection confirmed one after the other make one sanction);
    - a warning when the venue was in test mode at that moment (R-VN-5);
    - otherwise an exclusion: 2 weeks the first time, 2 calendar months each later
      time (earlier exclusions cancelled or withdrawn do not count). It takes effect at
      once (R-MN-4); one that finds the venue excluded already takes the rest of the
      earlier one's place, so two exclusions never cover the same moment.

    The venue's row is locked first: two confirmations at once decide one after the
    other."""
    if violation is not None and inactivity_flag is None:
        venue_id, trigger_name = violation.venue_id, f"violation:{violation.pk}"
    elif inactivity_flag is not None and violation is None:
        venue_id, trigger_name = inactivity_flag.venue_id, f"inactivity:{inactivity_flag.pk}"
    else:
        raise ValueError("exactly one trigger")
    venue = Venue.objects.select_for_update().select_related("region", "category").get(pk=venue_id)
    happened = occurred_at(violation=violation, inactivity_flag=inactivity_flag)
    facts = sanction_facts([venue.pk], first=happened, last=happened, now=now)[venue.pk]
    outcome = facts.outcome(happened=happened, at=now)  # as the confirming inspector's preview
    if outcome.kind == rules.NONE:
        audit_record(
            actor=None,
            action="monitoring.sanction_none",
            obj=venue,
            region=venue.region,
            venue=venue.pk,
            trigger=trigger_name,
            reason="before_current_sanction",
            current=facts.current.pk if facts.current else None,
        )
        return None
    kind, ends_at = outcome.kind, outcome.ends_at
    sanction = Sanction.objects.create(
        venue=venue,
        kind=kind,
        violation=violation,
        inactivity_flag=inactivity_flag,
        starts_at=now,
        ends_at=ends_at,
        created_at=now,
    )
    if kind == SanctionKind.EXCLUSION and ends_at is not None:  # an exclusion has an end (R-MN-3)
        standing_exclude(venue=venue, at=now, until=ends_at, sanction=sanction.pk)
    audit_record(
        actor=None,
        action="monitoring.sanction",
        obj=sanction,
        region=venue.region,
        venue=venue.pk,
        kind=kind,
        ends_at=ends_at.isoformat() if ends_at else None,
        trigger=trigger_name,
        occurred_at=happened.isoformat(),
    )
    enqueue(sanction_mail, sanction.pk)
    return sanction


def _lift(*, sanction: Sanction, state: str, now: datetime) -> bool:
    """Mark `sanction` lifted (cancelled or withdrawn) at `now` and, when it is the
    exclusion in force, lift it in the standing history at once: the venue goes on as
    it would have, a leader term still running included. False when it was lifted
    already."""
    if Sanction.objects.filter(pk=sanction.pk, state=SanctionState.ACTIVE).update(state=state, lifted_at=now) != 1:
        return False
    if exclusion_in_force(sanction, now) is not None:
        term = leader_term_at(sanction.venue_id, now)
        standing_lift(
            venue=sanction.venue,
            at=now,
            sanction=sanction.pk,
            leader_until=term.until if term else None,
            decision=term.decision_id if term else None,
        )
    sanction.state, sanction.lifted_at = state, now
    return True


@transaction.atomic
def sanction_withdraw(*, sanction: Sanction, reason: str, now: datetime) -> bool:
    """R-MN-2, R-MN-6: an outage recorded later spares the trigger of `sanction` (a
    counted day of its inactivity flag, or the moment of a violation of not checking
    statuses): the sanction is lifted at once. False when it was no longer in force."""
    if not _lift(sanction=sanction, state=SanctionState.WITHDRAWN, now=now):
        return False
    audit_record(
        actor=None,
        action="monitoring.sanction_withdrawn",
        obj=sanction,
        region=sanction.venue.region,
        venue=sanction.venue_id,
        reason=reason,
    )
    return True


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
    check_region(akimat, sanction.venue, Role.AKIMAT)
    if not reason.strip():
        raise ValidationError(_("Give the reason of the decision."), code="no_reason")
    decision = AppealDecision.CANCELLED if cancel else AppealDecision.UPHELD
    updated = Appeal.objects.filter(pk=appeal.pk, decision=AppealDecision.PENDING).update(
        decision=decision, decided_by=akimat, decided_at=now, reason=reason.strip()
    )
    if updated != 1:
        raise ValidationError(_("This appeal has already been decided."), code="decided")
    if cancel:
        _lift(sanction=sanction, state=SanctionState.CANCELLED, now=now)
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
    back at once with its codes and no new test mode."""
    if sanction.venue.company.owner_id != owner.pk:
        raise PermissionDenied
    Venue.objects.select_for_update().filter(pk=sanction.venue_id).values_list("pk").first()
    interval = exclusion_in_force(sanction, now)
    if interval is None:
        raise ValidationError(_("The venue is not awaiting its return from this exclusion."), code="returned")
    if interval.kind == standing_rules.EXCLUDED:
        raise ValidationError(_("The exclusion has not ended yet."), code="not_ended")
    Sanction.objects.filter(pk=sanction.pk).update(returned_at=now)
    standing_return(venue=sanction.venue, at=now, sanction=sanction.pk)
    sanction.refresh_from_db()
    audit_record(
        actor=owner, action="monitoring.return", obj=sanction, region=sanction.venue.region, venue=sanction.venue_id
    )
    return sanction
