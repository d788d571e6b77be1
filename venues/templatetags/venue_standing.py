"""The names of a venue's standings and their causes (R-VN-9), for the pages."""

from django import template

from venues.models import StandingCause, StandingKind

register = template.Library()


@register.filter
def standing_label(kind: str) -> str:
    """ "test_mode" → "тестовый режим", in the reader's language."""
    return str(StandingKind(kind).label) if kind in StandingKind.values else ""


@register.filter
def standing_cause_label(cause: str) -> str:
    return str(StandingCause(cause).label) if cause in StandingCause.values else ""
