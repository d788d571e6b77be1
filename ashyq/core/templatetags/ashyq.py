from django import template
from django.utils.translation import gettext_lazy as _

from ashyq.reference.models import Zone

register = template.Library()


@register.filter
def zone_label(value: str | None) -> str:
    """The translated name of a zone code ("red" → "красная зона")."""
    return Zone(value).label if value in Zone.values else ""


STATUS_LABELS = {"red": _("Red"), "yellow": _("Yellow"), "green": _("Green"), "blue": _("Blue")}


@register.filter
def status_label(value) -> str:
    """The translated name of a colour status ("green" → "Зелёный")."""
    return STATUS_LABELS.get(str(value), "")
