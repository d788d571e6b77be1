"""Periodic work of the visitors app: automatic closes (R-CI-4) and erasure (R-PR-2).
The anonymous counts are visitors.services.counts."""

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q

from visitors import rules
from visitors.models import (
    ExitMethod,
    StatusLookup,
    Visit,
    VisitWindow,
)

# --- Periodic work (R-CI-4, R-PR-2, R-CI-9) -------------------------------------------------


@transaction.atomic
def visits_auto_close(*, now: datetime) -> int:
    """R-CI-4 Decided: every visit still open 4 hours after its entry is closed at
    entry + 4 h (exactly 4 h old is closed). One UPDATE; returns how many."""
    return Visit.objects.filter(exited_at__isnull=True, entered_at__lte=now - rules.AUTO_CLOSE_AFTER).update(
        exited_at=F("entered_at") + rules.AUTO_CLOSE_AFTER, exit_method=ExitMethod.AUTO
    )


@transaction.atomic
def identifiers_erase(*, now: datetime) -> int:
    """R-PR-2: visits and look-ups 28 days old or older lose the person (and the
    citizen's account); expired visit windows are deleted. The rows and the daily
    counts stay. One statement per table; returns the rows changed."""
    cutoff = now - rules.IDENTIFIER_RETENTION
    visits = Visit.objects.filter(Q(person__isnull=False) | Q(user__isnull=False), entered_at__lte=cutoff).update(
        person=None, user=None
    )
    lookups = StatusLookup.objects.filter(person__isnull=False, at__lte=cutoff).update(person=None, birth_key=None)
    windows, _deleted = VisitWindow.objects.filter(until__lte=now).delete()
    return visits + lookups + windows
