"""Recording outages of the system or of the SMS gateway (R-MN-6), and changing one
recorded: its end once known, or a correction."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from monitoring.models import Outage, OutageKind, Sanction, SanctionState, ViolationKind
from monitoring.services.inactivity import flags_withdraw_for_outage
from monitoring.services.sanctions import sanction_withdraw

# Decided: an outage still lasting is recorded without an end (ongoing: it covers
# every moment from its start up to now) and its end recorded when known; an end the
# operator expects may also be given, at most one day ahead. The start may not lie in
# the future.
MAX_EXPECTED_END = timedelta(days=1)


def _check(*, operator, starts_at: datetime, ends_at: datetime | None, kind: str, now: datetime) -> None:
    """PermissionDenied for any role but an operator; ValidationError (nothing saved)
    for a bad period or kind."""
    if not (operator.is_superuser or operator.role == Role.OPERATOR):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if kind not in OutageKind.values:
        errors["kind"] = _("Choose what failed.")
    if starts_at > now:
        errors["starts_at"] = _("An outage cannot start in the future.")
    if ends_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        elif ends_at > now + MAX_EXPECTED_END:
            errors["ends_at"] = _(
                "The expected end may be at most one day ahead; leave the end empty while the outage lasts."
            )
    if errors:
        raise ValidationError(errors)


def outage_record(
    *, operator, starts_at: datetime, ends_at: datetime | None, kind: str, note: str, now: datetime
) -> Outage:
    """An operator records an outage (R-MN-6), ongoing when `ends_at` is None; audited.
    What it spares is lifted at once."""
    _check(operator=operator, starts_at=starts_at, ends_at=ends_at, kind=kind, now=now)
    return _outage_create(operator=operator, starts_at=starts_at, ends_at=ends_at, kind=kind, note=note, now=now)


@transaction.atomic
def _outage_create(*, operator, starts_at, ends_at, kind, note, now) -> Outage:
    outage = Outage.objects.create(
        starts_at=starts_at, ends_at=ends_at, kind=kind, note=note.strip(), recorded_by=operator, recorded_at=now
    )
    audit_record(
        actor=operator,
        action="monitoring.outage_recorded",
        obj=outage,
        kind=kind,
        starts_at=starts_at.isoformat(),
        ends_at=ends_at.isoformat() if ends_at else None,
    )
    _sanctions_withdraw(outage=outage, now=now)
    return outage


@transaction.atomic
def outage_change(
    *, operator, outage: Outage, starts_at: datetime, ends_at: datetime | None, kind: str, note: str, now: datetime
) -> Outage:
    """An operator records an ongoing outage's end, or corrects one recorded (R-MN-6),
    audited with what it was. Decided: what the outage covers after the change is
    spared as when it is recorded — a counted day of an inactivity flag, a violation
    of not checking statuses (R-MN-2) — and lifted at once; what it no longer covers
    is not sanctioned again by the change (a withdrawn sanction stays withdrawn; the
    nightly inactivity count sees the days it gave back)."""
    _check(operator=operator, starts_at=starts_at, ends_at=ends_at, kind=kind, now=now)
    locked = Outage.objects.select_for_update().get(pk=outage.pk)
    before = {
        "kind": locked.kind,
        "starts_at": locked.starts_at.isoformat(),
        "ends_at": locked.ends_at.isoformat() if locked.ends_at else None,
    }
    locked.starts_at, locked.ends_at, locked.kind, locked.note = starts_at, ends_at, kind, note.strip()
    locked.save(update_fields=["starts_at", "ends_at", "kind", "note"])
    audit_record(
        actor=operator,
        action="monitoring.outage_changed",
        obj=locked,
        before=before,
        kind=kind,
        starts_at=starts_at.isoformat(),
        ends_at=ends_at.isoformat() if ends_at else None,
    )
    _sanctions_withdraw(outage=locked, now=now)
    return locked


def _sanctions_withdraw(*, outage: Outage, now: datetime) -> None:
    """What an outage recorded after the fact spares is lifted at once: the flags that
    counted one of its days (R-MN-2), and the sanctions of violations of not checking
    statuses that happened during it (R-MN-6; an ongoing one: up to now)."""
    flags_withdraw_for_outage(outage=outage, now=now)
    spared = Sanction.objects.filter(
        state=SanctionState.ACTIVE,
        violation__kind=ViolationKind.NO_STATUS_CHECK,
        violation__occurred_at__gte=outage.starts_at,
        violation__occurred_at__lt=outage.ends_at or now,
    ).select_related("venue__region")
    for sanction in spared:
        sanction_withdraw(sanction=sanction, reason=f"outage:{outage.pk}", now=now)
