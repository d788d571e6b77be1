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


@register.filter
def account_name(user) -> str:
    """How a signed-in person is named to himself: his phone for a citizen or a guard
    (their accounts' usernames are internal), else the username he signs in with."""
    return getattr(user, "phone", None) or user.get_username()
