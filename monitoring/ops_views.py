"""The monitoring operations pages: the outage log (R-MN-6: operators record and
change outages; akimats, inspectors and the commission read it, seed Q27: the failure
procedure goes to participants and akimats), and for a region's inspectors (akimat
staff and national roles read too) the risk list (R-MN-7) and the inactivity flags
(R-MN-2). A regional user asking for another region gets 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ashyq.accounts.access import get_region_for_user, role_required
from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from ashyq.exports import csv_response, in_chunks, xlsx_response
from ashyq.reference.models import Region
from monitoring.models import InactivityFlag, Outage
from monitoring.ops_forms import OutageForm, ParticipantFilter
from monitoring.selectors import outages_page_queryset, participants_of, stored_risk_list
from monitoring.services.outages import outage_change, outage_record
from monitoring.services.risk import risk_list_store
from venues.models import StandingKind

PAGE_SIZE = 25
REGION_READERS = (Role.INSPECTOR, Role.AKIMAT, Role.OPERATOR, Role.COMMISSION)
OUTAGE_READERS = (Role.OPERATOR, Role.AKIMAT, Role.INSPECTOR, Role.COMMISSION)


def _may_record(user) -> bool:
    return user.is_superuser or user.role == Role.OPERATOR


def _save(request, form, write) -> bool:
    """Run `write` with the form's data; its refusals become the form's errors."""
    if not form.is_valid():
        return False
    try:
        write(operator=request.user, now=timezone.now(), **form.cleaned_data)
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return False
    return True


@require_http_methods(["GET", "POST"])
@role_required(*OUTAGE_READERS)
def outages(request):
    """Every outage, newest first; operators record one here (a POST by a reader: 403)."""
    may_record = _may_record(request.user)
    if request.method == "POST" and not may_record:
        raise PermissionDenied
    form = OutageForm(request.POST or None) if may_record else None
    if request.method == "POST" and _save(request, form, outage_record):
        messages.success(request, _("The outage is recorded."))
        return redirect("monitoring_ops:outages")
    page = Paginator(outages_page_queryset(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "may_record": may_record}
    return render(request, "monitoring/ops/outages.html", context, status=400 if form and form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
def outage_edit(request, pk: int):
    """An operator records an ongoing outage's end, or corrects one (R-MN-6)."""
    outage = get_object_or_404(Outage, pk=pk)
    initial = {"kind": outage.kind, "starts_at": outage.starts_at, "ends_at": outage.ends_at, "note": outage.note}
    form = OutageForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save(request, form, lambda **data: outage_change(outage=outage, **data)):
        messages.success(request, _("The outage is changed."))
        return redirect("monitoring_ops:outages")
    context = {"form": form, "outage": outage}
    return render(request, "monitoring/ops/outage_edit.html", context, status=400 if form.errors else 200)


def _region(request) -> Region | None:
    """The region asked for (?region=code, 404 outside the user's scope); a regional
    user's own region by default; None for a national user who has not chosen yet."""
    code = request.GET.get("region", "")[:20]
    if code:
        return get_region_for_user(request.user, code)
    if request.user.is_national:
        return None
    return get_region_for_user(request.user, request.user.region.code if request.user.region_id else "")


def _region_choice(request, url_name: str):
    regions = Region.objects.visible_to(request.user)
    return render(request, "monitoring/ops/region_choice.html", {"regions": regions, "target": reverse(url_name)})


@require_GET
@role_required(*REGION_READERS)
def risk(request):
    region = _region(request)
    if region is None:
        return _region_choice(request, "monitoring_ops:risk")
    stored = stored_risk_list(region) or risk_list_store(region=region, now=timezone.now())
    entries = stored.entries.select_related("venue").order_by("-score", "venue__name", "venue_id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/ops/risk.html", {"region": region, "page": page, "risk_list": stored})


@require_GET
@role_required(*REGION_READERS)
def flags(request):
    region = _region(request)
    if region is None:
        return _region_choice(request, "monitoring_ops:flags")
    flags = InactivityFlag.objects.filter(venue__region=region).select_related("venue", "sanction")
    page = Paginator(flags.order_by("-flagged_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/ops/flags.html", {"region": region, "page": page})


# --- The akimat's participant list (docs/rules.md §1: the akimat reviews participant lists) ------------

PARTICIPANT_READERS = (Role.AKIMAT, Role.COMMISSION, Role.OPERATOR)
PARTICIPANTS_PER_PAGE = 50
WRITERS = {"csv": csv_response, "xlsx": xlsx_response}


def _participants(request, region):
    form = ParticipantFilter(request.GET)
    kind = form.cleaned_data["standing"] if form.is_valid() else ""
    return form, participants_of(region, now=timezone.now(), kind=kind)


@require_GET
@role_required(*PARTICIPANT_READERS)
def participants(request):
    """The venues of the region that joined Ashyq, with their standing (R-VN-9) and
    figures, a standing at a time if asked; each links to its page."""
    region = _region(request)
    if region is None:
        return _region_choice(request, "monitoring_ops:participants")
    form, venues = _participants(request, region)
    page = Paginator(venues, PARTICIPANTS_PER_PAGE).get_page(request.GET.get("page"))
    for venue in page.object_list:
        venue.standing_label = StandingKind(venue.standing_kind).label
    query = request.GET.copy()
    query.pop("page", None)
    context = {"region": region, "page": page, "form": form, "query": query.urlencode()}
    return render(request, "monitoring/ops/participants.html", context)


@require_GET
@role_required(*PARTICIPANT_READERS)
def participants_export(request, fmt: str):
    """The list as the page filters it, as CSV or XLSX (formulas neutralised); audited."""
    if fmt not in WRITERS:
        raise Http404
    region = _region(request)
    if region is None:
        raise Http404
    _form, venues = _participants(request, region)
    audit_record(actor=request.user, action="monitoring.participants_export", region=region, format=fmt)
    header = [
        _("Venue ID"), _("Venue"), _("Address"), _("Category"), _("Capacity"), _("Standing"), _("Until"),
        _("Check-ins in the last 14 days"), _("Confirmed violations"), _("Last inspection without findings"),
    ]  # fmt: skip
    rows = (
        [
            venue.pk,
            venue.name,
            venue.address,
            venue.category.name,
            venue.capacity,
            StandingKind(venue.standing_kind).label,
            venue.standing_until,
            venue.recent_checkins,
            venue.confirmed_violations,
            venue.last_inspection,
        ]  # fmt: skip
        for venue in in_chunks(venues)
    )
    stamp = timezone.localdate().isoformat()
    return WRITERS[fmt](f"ashyq-participants-{region.code}-{stamp}.{fmt}", header, rows)
