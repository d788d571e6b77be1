"""Writes of the review (R-LD-3): the akimat strikes candidates and submits its region's
list; the commission secretary records the decision that fixes the submitted lists and
makes the leaders, for 2 weeks from the decision's date.

Each function locks the list(s) it changes (select_for_update) so that a strike cannot
land on a list being submitted, nor a submission on a list being fixed.
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ashyq.core.services import audit_record
from leaders import rules
from leaders.models import Candidate, CandidateList, Decision, Leader, ListStatus, Period
from leaders.rules import leader_dates
from venues.standing.rules import local_midnight
from venues.standing.services import standing_lead


class ReviewError(ValueError):
    """A review step refused; the message is for the user, and nothing was written."""


def _lock_list(pk: int) -> CandidateList:
    return CandidateList.objects.select_for_update().select_related("region").get(pk=pk)


def _require_computed(candidate_list: CandidateList) -> None:
    if candidate_list.status != ListStatus.COMPUTED:
        raise ReviewError(_("This list was already submitted to the commission; it can no longer be changed."))


@transaction.atomic
def strike(candidate: Candidate, *, reason: str, actor, now: datetime) -> Candidate:
    """R-LD-3: the akimat strikes a venue off its list, giving a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Give the reason for striking this venue off the list."))
    candidate_list = _lock_list(candidate.list_id)
    _require_computed(candidate_list)
    Candidate.objects.filter(pk=candidate.pk).update(struck=True, strike_reason=reason)
    candidate.struck, candidate.strike_reason = True, reason
    audit_record(
        actor=actor,
        action="leaders.strike",
        obj=candidate,
        region=candidate_list.region,
        venue=candidate.venue_id,
        reason=reason,
        at=now.isoformat(),
    )
    return candidate


@transaction.atomic
def unstrike(candidate: Candidate, *, actor, now: datetime) -> Candidate:
    """The akimat puts a struck venue back on its list (until the list is submitted)."""
    candidate_list = _lock_list(candidate.list_id)
    _require_computed(candidate_list)
    Candidate.objects.filter(pk=candidate.pk).update(struck=False, strike_reason="")
    candidate.struck, candidate.strike_reason = False, ""
    audit_record(
        actor=actor,
        action="leaders.unstrike",
        obj=candidate,
        region=candidate_list.region,
        venue=candidate.venue_id,
        at=now.isoformat(),
    )
    return candidate


@transaction.atomic
def submit(candidate_list: CandidateList, *, actor, now: datetime) -> CandidateList:
    """R-LD-3: the akimat submits its reviewed list to the commission; after this
    nothing in it changes, except that a decision fixes it."""
    locked = _lock_list(candidate_list.pk)
    _require_computed(locked)
    updated = CandidateList.objects.filter(pk=locked.pk, status=ListStatus.COMPUTED).update(
        status=ListStatus.SUBMITTED, submitted_at=now, submitted_by=actor
    )
    if updated != 1:  # cannot happen while the row is locked; never report a submit that did not happen
        raise ReviewError(_("This list was already submitted to the commission; it can no longer be changed."))
    candidate_list.status, candidate_list.submitted_at, candidate_list.submitted_by = ListStatus.SUBMITTED, now, actor
    audit_record(
        actor=actor,
        action="leaders.submit",
        obj=locked,
        region=locked.region,
        period=str(locked.period_id),
        candidates=locked.candidates.filter(struck=False).count(),
        struck=locked.candidates.filter(struck=True).count(),
    )
    return candidate_list


def _check_decision(*, period: Period, number: str, date: date, now: datetime) -> None:
    if not number:
        raise ReviewError(_("Enter the number of the decision."))
    if date < period.ends_on:
        raise ReviewError(
            _("The decision cannot be dated before the period closed (%(day)s).")
            % {"day": date_format(period.ends_on, "j E Y")}
        )
    if date > timezone.localdate(now):
        raise ReviewError(_("The decision cannot be dated in the future."))
    if Decision.objects.filter(number=number, date=date).exists():
        raise ReviewError(
            _("A decision № %(number)s of %(day)s is already recorded.")
            % {"number": number, "day": date_format(date, "j E Y")}
        )


@transaction.atomic
def record_decision(*, period: Period, number: str, date: date, actor, now: datetime) -> Decision:
    """R-LD-3: the commission's decision fixes every list of `period` submitted so far
    and makes a Leader of each of their venues not struck, from the decision's date
    for 2 weeks. A later decision for the same period fixes the lists submitted after
    this one. Refuses a blank or duplicate number, a date before the period's end or
    after today, and a period with no submitted list."""
    number = rules.decision_number(number)
    _check_decision(period=period, number=number, date=date, now=now)
    lists = list(
        CandidateList.objects.select_for_update()
        .filter(period=period, status=ListStatus.SUBMITTED)
        .select_related("region")
        .order_by("pk")
    )
    if not lists:
        raise ReviewError(_("No akimat has submitted its list for this period yet: there is nothing to fix."))
    try:
        with transaction.atomic():  # a savepoint: the constraint also guards a race
            decision = Decision.objects.create(
                period=period, number=number, date=date, recorded_by=actor, recorded_at=now
            )
    except IntegrityError:
        if not Decision.objects.filter(number=number, date=date).exists():
            raise  # not the duplicate this message is about
        raise ReviewError(
            _("A decision № %(number)s of %(day)s is already recorded.")
            % {"number": number, "day": date_format(date, "j E Y")}
        ) from None
    ids = [cl.pk for cl in lists]
    CandidateList.objects.filter(pk__in=ids, status=ListStatus.SUBMITTED).update(
        status=ListStatus.FIXED, decision=decision
    )
    starts_on, ends_on = leader_dates(date)
    leaders = Leader.objects.bulk_create(
        Leader(venue_id=venue_id, decision=decision, starts_on=starts_on, ends_on=ends_on)
        for venue_id in Candidate.objects.filter(list_id__in=ids, struck=False)
        .order_by("venue_id")
        .values_list("venue_id", flat=True)
    )
    # R-VN-9: each is a leader from now (not from the decision's date, when that lies a
    # few days back: nobody worked as a leader before it was known) to the end of the
    # term, wherever it is a participant (R-LD-4, R-MN-4: not while excluded).
    until = local_midnight(ends_on)
    for leader in leaders:
        standing_lead(venue_id=leader.venue_id, at=now, until=until, decision=decision.pk)
    audit_record(
        actor=actor,
        action="leaders.decide",
        obj=decision,
        period=period.starts_on.isoformat(),
        regions=sorted(cl.region.code for cl in lists),
        leaders=len(leaders),
    )
    return decision
