"""Recording outages of the system or of the SMS gateway (R-MN-6)."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from monitoring.models import Outage, OutageKind, Sanction, SanctionState, ViolationKind
from monitoring.services.inactivity import flags_withdraw_for_outage
from monitoring.services.sanctions import sanction_withdraw

# Decided: an outage may be recorded while it still lasts, with the end the operator

# expects, but that end may lie at most one day ahead (a longer one is recorded again
# when it is known); its start may not lie in the future.
MAX_EXPECTED_END = timedelta(days=1)


def outage_record(*, operator, starts_at: datetime, ends_at: datetime, kind: str, note: str, now: datetime) -> Outage:
    """An operator records an outage (R-MN-6), audited. Raises PermissionDenied for any
    other role and ValidationError (nothing saved) for a bad period or kind."""
    if not (operator.is_superuser or operator.role == Role.OPERATOR):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if kind not in OutageKind.values:
        errors["kind"] = _("Choose what failed.")
    if starts_at > now:
        errors["starts_at"] = _("An outage cannot start in the future.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    elif ends_at > now + MAX_EXPECTED_END:
        errors["ends_at"] = _("The expected end may be at most one day ahead; record a longer outage again later.")
    if errors:
        raise ValidationError(errors)
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
        ends_at=ends_at.isoformat(),
    )
    _sanctions_withdraw(outage=outage, now=now)
    return outage


def _sanctions_withdraw(*, outage: Outage, now: datetime) -> None:
    """What an outage recorded after the fact spares is lifted at once: the flags that
    counted one of its days (R-MN-2), and the sanctions of violations of not checking
    statuses that happened during it (R-MN-6)."""
    flags_withdraw_for_outage(outage=outage, now=now)
    spared = Sanction.objects.filter(
        state=SanctionState.ACTIVE,
        violation__kind=ViolationKind.NO_STATUS_CHECK,
        violation__occurred_at__gte=outage.starts_at,
        violation__occurred_at__lt=outage.ends_at,
    ).select_related("venue__region")
    for sanction in spared:
        sanction_withdraw(sanction=sanction, reason=f"outage:{outage.pk}", now=now)
