"""`{% venue_conditions venue as conditions %}`: the venue's operating conditions now
(R-OP-2) for the owner's venue page, without each view computing them."""

from django import template
from django.utils import timezone

from venues.conditions import Conditions, conditions_at

register = template.Library()


@register.simple_tag
def venue_conditions(venue) -> Conditions:
    return conditions_at(venue, timezone.now())
