"""`{% registry_sync_states %}`: where each health registry's sync stands (R-RG-3,
R-ST-9), for the operators' system page, which belongs to no domain app."""

from django import template
from django.utils import timezone

from statuses.models import HistoryDue, Registry
from statuses.selectors import sync_states

register = template.Library()


@register.inclusion_tag("statuses/_sync_states.html")
def registry_sync_states():
    now = timezone.now()
    states = [(Registry(state.registry).label, state) for state in sync_states(now=now)]
    return {"states": states, "histories_due": HistoryDue.objects.count(), "now": now}
