"""Periodic work of the visitors app: automatic closes (R-CI-4). The anonymous counts are
visitors.services.counts, the deletion after 28 days visitors.services.retention."""

from datetime import datetime

from django.db import transaction
from django.db.models import F

from visitors import rules
from visitors.models import (
    ExitMethod,
    Visit,
)

# --- Periodic work (R-CI-4, R-PR-2, R-CI-9) -------------------------------------------------


@transaction.atomic
def visits_auto_close(*, now: datetime) -> int:
    """R-CI-4 Decided: every visit still open 4 hours after its entry is closed at
    entry + 4 h (exactly 4 h old is closed). One UPDATE; returns how many."""
    return Visit.objects.filter(exited_at__isnull=True, entered_at__lte=now - rules.AUTO_CLOSE_AFTER).update(
        exited_at=F("entered_at") + rules.AUTO_CLOSE_AFTER, exit_method=ExitMethod.AUTO
    )
