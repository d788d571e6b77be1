"""Reads of the leaders app that other apps and pages share."""

from datetime import date

from leaders.models import Leader


def is_leader(venue, day: date) -> bool:
    """R-LD-3, R-LD-5: whether `venue` holds the Leader Ashyq status on local `day`
    (a Leader row with starts_on ≤ day < ends_on)."""
    venue_id = getattr(venue, "pk", venue)
    return Leader.objects.filter(venue_id=venue_id, starts_on__lte=day, ends_on__gt=day).exists()
