"""The owner's panel on his venue page: its sanctions (R-MN-4, R-MN-5) and the recorded
outages (R-MN-6; seed Q27: the failure procedure goes to the participants)."""

from django import template
from django.utils import timezone

from monitoring import selectors
from monitoring.models import SanctionState
from venues.standing import rules as standing_rules
from venues.standing.selectors import standing_at

register = template.Library()


@register.inclusion_tag("monitoring/_venue_sanctions_panel.html")
def venue_sanctions(venue):
    now = timezone.now()
    sanctions = selectors.sanctions_for_owner(venue=venue)
    current = standing_at(venue, now)  # R-VN-9: one read for the whole panel
    awaiting = current is not None and current.kind == standing_rules.AWAITING_RETURN
    for sanction in sanctions:
        sanction.may_return = awaiting and current.ref == sanction.pk
        sanction.may_appeal = sanction.state == SanctionState.ACTIVE and not hasattr(sanction, "appeal")
    return {
        "sanctions": sanctions,
        "excluded": current is not None and current.kind in standing_rules.EXCLUDED_KINDS,
        "outages": selectors.outages_for_venue(now=now),
    }


@register.inclusion_tag("monitoring/_venue_sanctions_list.html")
def venue_sanctions_list(venue):
    """The venue's sanctions as a list, newest first (the owner's figures page); the
    appeals and returns are on the venue page's panel."""
    return {"sanctions": selectors.sanctions_for_owner(venue=venue)}
