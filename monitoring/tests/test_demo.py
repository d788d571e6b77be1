"""seed_demo's monitoring: violations in each state, an excluded venue under appeal; twice is once."""

from django.utils import timezone

from ashyq.accounts import demo as accounts_demo
from monitoring import demo
from monitoring.models import Appeal, AppealDecision, Sanction, SanctionKind, Violation, ViolationState
from venues import demo as venues_demo
from venues.codes import demo as codes_demo
from venues.models import Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import kind_at
from visitors import demo as visitors_demo


def test_demo_monitoring_is_idempotent_and_excludes_the_bank(db):
    accounts_demo.seed()
    venues_demo.seed()
    codes_demo.seed()
    visitors_demo.seed()

    demo.seed()
    counts = [Violation.objects.count(), Sanction.objects.count(), Appeal.objects.count()]
    demo.seed()
    assert [Violation.objects.count(), Sanction.objects.count(), Appeal.objects.count()] == counts

    assert set(Violation.objects.values_list("state", flat=True)) == set(ViolationState.values)
    sanction = Sanction.objects.select_related("venue").get(violation__isnull=False)
    assert (sanction.venue.name, sanction.kind) == (demo.BANK, SanctionKind.EXCLUSION)
    # R-MN-2: the billiard club, silent for five days, is the one venue flagged.
    flagged = Sanction.objects.select_related("venue").get(inactivity_flag__isnull=False)
    assert flagged.venue.name == visitors_demo.SILENT_VENUE
    assert Appeal.objects.get().decision == AppealDecision.PENDING
    now = timezone.now()
    assert kind_at(sanction.venue, now) in standing_rules.EXCLUDED_KINDS
    assert kind_at(Venue.objects.get(name=demo.CAFE), now) not in standing_rules.EXCLUDED_KINDS
