"""The owner's sanctions panel on his venue page (R-MN-4, R-MN-5)."""

from django import template
from django.utils import timezone

from monitoring import selectors

register = template.Library()


@register.inclusion_tag("monitoring/_venue_sanctions_panel.html")
def venue_sanctions(venue):
    now = timezone.now()
    sanctions = selectors.sanctions_for_owner(venue=venue)
    for sanction in sanctions:
        sanction.may_return = (
            sanction.kind == "exclusion"
            and sanction.state == "active"
            and sanction.returned_at is None
            and sanction.ends_at <= now
        )
        sanction.may_appeal = sanction.state == "active" and not hasattr(sanction, "appeal")
    return {"sanctions": sanctions, "excluded": selectors.venue_excluded(venue=venue, at=now)}
