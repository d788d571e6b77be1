"""`{% monitoring_cards user %}`: the monitoring part of a regional staff member's home
page — what waits for him, counted (appeals to decide, violations to confirm, outages
still lasting, the region's participants) — rendered here so that core imports no
domain app."""

from django import template
from django.utils import timezone

from ashyq.accounts.models import Role
from monitoring.models import Appeal, AppealDecision, Outage, Violation, ViolationState
from monitoring.selectors import JOINED
from venues.standing.selectors import venue_ids_in

register = template.Library()


@register.inclusion_tag("monitoring/_home_cards.html")
def monitoring_cards(user):
    now = timezone.now()
    context = {"role": user.role, "ongoing_outages": Outage.objects.filter(ends_at__isnull=True).count()}
    if user.role == Role.AKIMAT:
        context["pending_appeals"] = Appeal.objects.filter(
            sanction__venue__region_id=user.region_id, decision=AppealDecision.PENDING
        ).count()
        context["participants"] = venue_ids_in(JOINED, now).filter(venue__region_id=user.region_id).count()
    if user.role == Role.INSPECTOR:
        context["to_confirm"] = (
            Violation.objects.filter(venue__region_id=user.region_id, state=ViolationState.FILED)
            .exclude(filed_by=user)
            .count()
        )
    return context
