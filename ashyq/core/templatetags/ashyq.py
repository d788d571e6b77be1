from django import template

from ashyq.reference.models import Zone

register = template.Library()


@register.filter
def zone_label(value: str | None) -> str:
    """The translated name of a zone code ("red" → "красная зона")."""
    return Zone(value).label if value in Zone.values else ""
