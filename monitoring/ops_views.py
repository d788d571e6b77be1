"""The monitoring operations pages: the operators' outage log (R-MN-6), and for a
region's inspectors (akimat staff and national roles read too) the risk list (R-MN-7)
and the inactivity flags (R-MN-2). A regional user asking for another region gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ashyq.accounts.access import get_region_for_user, role_required
from ashyq.accounts.models import Role
from ashyq.reference.models import Region
from monitoring.models import InactivityFlag
from monitoring.ops_forms import OutageForm
from monitoring.selectors import outages_page_queryset, stored_risk_list
from monitoring.services.outages import outage_record
from monitoring.services.risk import risk_list_store

PAGE_SIZE = 25
REGION_READERS = (Role.INSPECTOR, Role.AKIMAT, Role.OPERATOR, Role.COMMISSION)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
def outages(request):
    form = OutageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outage_record(operator=request.user, now=timezone.now(), **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The outage is recorded."))
            return redirect("monitoring_ops:outages")
    page = Paginator(outages_page_queryset(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "monitoring/ops/outages.html", {"form": form, "page": page}, status=400 if form.errors else 200
    )


def _region(request) -> Region | None:
    """The region asked for (?region=code, 404 outside the user's scope); a regional
    user's own region by default; None for a national user who has not chosen yet."""
    code = request.GET.get("region", "")[:20]
    if code:
        return get_region_for_user(request.user, code)
    if request.user.is_national:
        return None
    return get_region_for_user(request.user, request.user.region.code if request.user.region_id else "")


def _region_choice(request, template: str):
    regions = Region.objects.visible_to(request.user)
    return render(request, "monitoring/ops/region_choice.html", {"regions": regions, "template": template})


@require_GET
@role_required(*REGION_READERS)
def risk(request):
    region = _region(request)
    if region is None:
        return _region_choice(request, "risk")
    stored = stored_risk_list(region) or risk_list_store(region=region, now=timezone.now())
    entries = stored.entries.select_related("venue").order_by("-score", "venue__name", "venue_id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/ops/risk.html", {"region": region, "page": page, "risk_list": stored})


@require_GET
@role_required(*REGION_READERS)
def flags(request):
    region = _region(request)
    if region is None:
        return _region_choice(request, "flags")
    flags = InactivityFlag.objects.filter(venue__region=region).select_related("venue", "sanction")
    page = Paginator(flags.order_by("-flagged_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/ops/flags.html", {"region": region, "page": page})
