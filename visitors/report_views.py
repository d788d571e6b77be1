"""The sanitary officers' reports of red and yellow visitors at the doors (R-CI-3): the
page, with filters, and its export as CSV or XLSX. Venue, address, time and colour —
no name, no identifier."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ashyq.accounts.access import role_required
from ashyq.accounts.models import NATIONAL_ROLES, Role
from ashyq.core.services import audit_record
from ashyq.exports import csv_response, in_chunks, xlsx_response
from ashyq.reference.models import Region
from visitors import selectors
from visitors.forms import DoorReportFilter
from visitors.models import Colour

REPORTS_PER_PAGE = 50
WRITERS = {"csv": csv_response, "xlsx": xlsx_response}
READERS = (Role.SANITARY, *NATIONAL_ROLES)
FILTERS = ("start", "end", "venue", "colour", "region")


def _filter(request) -> tuple[DoorReportFilter, dict]:
    """The filter form bound to the query, and the selector's arguments (none while
    the query is invalid: the form says why, the page shows every report)."""
    regions = Region.objects.visible_to(request.user) if request.user.is_national else None
    form = DoorReportFilter(request.GET or None, regions=regions)
    if not form.is_bound or not form.is_valid():
        return form, {}
    return form, {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}


@require_GET
@role_required(*READERS)
def sanitary_reports(request):
    """Red and yellow visitors at the doors of the officer's region (all regions for the
    national roles), newest first, filtered by days, venue, colour (and region)."""
    form, chosen = _filter(request)
    reports = selectors.door_reports_for(request.user, **chosen)
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "form": form, "query": query.urlencode(), "filtered": bool(chosen)}
    return render(request, "visitors/sanitary_reports.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(*READERS)
def sanitary_export(request, fmt: str):
    """The reports the page shows with the same filters, as CSV or XLSX (formulas
    neutralised, ashyq.exports); audited. An invalid filter exports nothing (400)."""
    if fmt not in WRITERS:
        raise Http404
    form, chosen = _filter(request)
    if form.errors:
        return render(request, "visitors/sanitary_reports.html", {"form": form, "page": None}, status=400)
    audit_record(
        actor=request.user,
        action="visitors.door_reports_export",
        region=request.user.region if request.user.is_regional else chosen.get("region"),
        format=fmt,
        filters={name: str(value) for name, value in chosen.items()},
    )
    reports = in_chunks(selectors.door_reports_for(request.user, **chosen))
    header = [_("Time"), _("Venue"), _("Address"), _("Region"), _("Status")]
    rows = ([r.at, r.venue.name, r.venue.address, str(r.region), Colour(r.colour).label] for r in reports)
    stamp = timezone.localdate().isoformat()
    return WRITERS[fmt](f"ashyq-door-reports-{stamp}.{fmt}", header, rows)
