"""The monitoring pages (DOMAIN.md §10): inspectors (R-MN-1), owners (R-MN-4, R-MN-5),
akimats (R-MN-5). Other regions' rows answer 404 (existence does not leak)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ashyq.accounts.access import role_required, scope_to_region
from ashyq.accounts.models import Role
from monitoring import selectors
from monitoring.forms import AppealDecisionForm, AppealForm, DecisionForm, ViolationForm
from monitoring.models import Appeal, Sanction, Violation, ViolationPhoto
from monitoring.services import sanctions, violations
from venues.models import Venue

PAGE_SIZE = 25


def _venue_for_inspector(user, pk: int) -> Venue:
    venues = scope_to_region(user, Venue.objects.select_related("company", "region", "category"))
    return get_object_or_404(venues, pk=pk)


def _sanction_for_owner(user, pk: int) -> Sanction:
    sanctions = Sanction.objects.select_related("venue__company", "venue__region")
    return get_object_or_404(sanctions, pk=pk, venue__company__owner=user)


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
@role_required(Role.INSPECTOR)
def venue_search(request):
    q = request.GET.get("q", "")[:100]
    page = Paginator(selectors.venues_for_inspector(request.user, q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/venue_search.html", {"page": page, "q": q})


@require_http_methods(["GET", "POST"])
@role_required(Role.INSPECTOR)
def venue_history(request, pk: int):
    venue = _venue_for_inspector(request.user, pk)
    form = ViolationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = violations.violation_file(
                inspector=request.user,
                venue=venue,
                kind=form.cleaned_data["kind"],
                occurred_at=form.cleaned_data["occurred_at"],
                description=form.cleaned_data["description"],
                photos=form.photos(),
                now=timezone.now(),
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("The violation is filed: another inspector must confirm it."))
            if filed.outage is not None:  # R-MN-6
                messages.warning(
                    request, _("An outage was recorded at that time: %(outage)s.") % {"outage": filed.outage}
                )
            return redirect("monitoring:venue_history", pk=venue.pk)
    context = {"venue": venue, "form": form, **selectors.venue_history(venue)}
    return render(request, "monitoring/venue_history.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(Role.INSPECTOR)
def violation_list(request):
    """Filed violations another inspector of the region may confirm, each with what
    confirming it would bring (R-MN-3), or the outage that spares it (R-MN-6)."""
    page = Paginator(selectors.violations_awaiting(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    previews = selectors.sanction_previews(page.object_list, now=timezone.now())
    for violation in page.object_list:
        violation.preview = previews[violation.pk]
    return render(request, "monitoring/violation_list.html", {"page": page})


@require_POST
@role_required(Role.INSPECTOR)
def violation_decide(request, pk: int):
    visible = scope_to_region(request.user, Violation.objects.select_related("venue__region"), "venue__region")
    violation = get_object_or_404(visible, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to confirm or to reject."))
        return redirect("monitoring:violation_list")
    confirm = form.cleaned_data["decision"] == "confirm"
    try:
        violations.violation_decide(
            inspector=request.user,
            violation=violation,
            confirm=confirm,
            note=form.cleaned_data["note"],
            now=timezone.now(),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(
            request,
            _errors(error) if isinstance(error, ValidationError) else _("You cannot decide on a violation you filed."),
        )
    else:
        messages.success(request, _("The violation is confirmed.") if confirm else _("The violation is rejected."))
    return redirect("monitoring:violation_list")


@require_GET
@role_required(Role.INSPECTOR, Role.AKIMAT)
def photo(request, pk: int):
    photos = scope_to_region(request.user, ViolationPhoto.objects.all(), "violation__venue__region")
    item = get_object_or_404(photos, pk=pk)
    try:
        return FileResponse(item.image.open("rb"), content_type="image/jpeg")
    except FileNotFoundError as error:
        raise Http404 from error


@require_POST
@role_required(Role.OWNER)
def sanction_appeal(request, pk: int):
    sanction = _sanction_for_owner(request.user, pk)
    form = AppealForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write the text of the appeal."))
        sanctions.appeal_file(owner=request.user, sanction=sanction, text=form.cleaned_data["text"], now=timezone.now())
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Your appeal is sent to the akimat."))
    return redirect("venues:venue_detail", pk=sanction.venue_id)


@require_POST
@role_required(Role.OWNER)
def sanction_return(request, pk: int):
    sanction = _sanction_for_owner(request.user, pk)
    try:
        sanctions.return_request(owner=request.user, sanction=sanction, now=timezone.now())
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Your venue is back in Ashyq: its QR codes work again."))
    return redirect("venues:venue_detail", pk=sanction.venue_id)


@require_GET
@role_required(Role.AKIMAT)
def appeal_list(request):
    page = Paginator(selectors.appeals_for_akimat(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/appeal_list.html", {"page": page, "form": AppealDecisionForm()})


@require_POST
@role_required(Role.AKIMAT)
def appeal_decide(request, pk: int):
    appeals = scope_to_region(
        request.user, Appeal.objects.select_related("sanction__venue__region"), "sanction__venue__region"
    )
    appeal = get_object_or_404(appeals, pk=pk)
    form = AppealDecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a decision and give its reason."))
        cancel = form.cleaned_data["decision"] == "cancel"
        sanctions.appeal_decide(
            akimat=request.user, appeal=appeal, cancel=cancel, reason=form.cleaned_data["reason"], now=timezone.now()
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The sanction is cancelled.") if cancel else _("The sanction is upheld."))
    return redirect("monitoring:appeal_list")
