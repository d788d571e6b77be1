"""The monitoring pages (docs/rules.md §10): inspectors (R-MN-1), owners (R-MN-4, R-MN-5),
akimats (R-MN-5). A venue's page is the inspectors' to act on; the akimat, the
commission and operators read it. Other regions' rows answer 404 (existence does not
leak)."""

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
from monitoring.forms import (
    AppealDecisionForm,
    AppealForm,
    DecisionForm,
    InspectionForm,
    VenueSearchForm,
    ViolationForm,
)
from monitoring.models import Appeal, PhotoDraft, Sanction, Violation, ViolationPhoto
from monitoring.services import inspections, sanctions, violations
from venues.models import StandingKind, Venue
from venues.standing.selectors import kinds_at

PAGE_SIZE = 25
# A venue's page: the inspectors act on it, the others read it (their region, or all).
VENUE_READERS = (Role.INSPECTOR, Role.AKIMAT, Role.COMMISSION, Role.OPERATOR)


def _venue_in_scope(user, pk: int) -> Venue:
    venues = scope_to_region(user, Venue.objects.select_related("company", "region", "category"))
    return get_object_or_404(venues, pk=pk)


def _sanction_for_owner(user, pk: int) -> Sanction:
    sanctions = Sanction.objects.select_related("venue__company", "venue__region")
    return get_object_or_404(sanctions, pk=pk, venue__company__owner=user)


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


SEARCH_KEY = "monitoring_venue_search"  # the inspector's search, kept in his session


@require_http_methods(["GET", "POST"])
@role_required(Role.INSPECTOR)
def venue_search(request):
    """The search is posted and kept in the session, so that no URL holds it (a BIN may
    be an IIN); its pages are ?page=N of the search kept."""
    form = VenueSearchForm(request.POST if request.method == "POST" else {"q": request.session.get(SEARCH_KEY, "")})
    if request.method == "POST" and form.is_valid():
        request.session[SEARCH_KEY] = form.cleaned_data["q"]
        return redirect("monitoring:venue_search")
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.venues_for_inspector(request.user, q), PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = kinds_at([venue.pk for venue in page.object_list], timezone.now())  # R-VN-9: one query
    for venue in page.object_list:
        venue.standing_kind = kinds[venue.pk]
        venue.standing_label = StandingKind(venue.standing_kind).label
    status = 400 if form.errors else 200
    return render(request, "monitoring/venue_search.html", {"page": page, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*VENUE_READERS)
def venue_history(request, pk: int):
    """The venue's page: what it is and may do now, and what monitoring found (R-MN-1);
    an inspector files a violation here. A form error keeps the photos picked."""
    venue = _venue_in_scope(request.user, pk)
    acts = request.user.role == Role.INSPECTOR
    if request.method == "POST" and not acts:
        raise PermissionDenied
    form = ViolationForm(request.POST or None, request.FILES or None) if acts else None
    drafts = []
    if request.method == "POST":
        kept = set(request.POST.getlist("kept")) - set(request.POST.getlist("drop"))
        drafts = selectors.photo_drafts_of(request.user, kept)
        filed = _file(request, venue, form, drafts)
        if filed is not None:
            return redirect("monitoring:venue_history", pk=venue.pk)
    context = {"venue": venue, "form": form, "drafts": drafts, "acts": acts, "inspection_form": InspectionForm()}
    context |= selectors.venue_history(venue, now=timezone.now())
    return render(request, "monitoring/venue_history.html", context, status=400 if form and form.errors else 200)


def _file(request, venue, form, drafts: list) -> violations.Filed | None:
    """File the violation of `form` with its photos; None, and the form's errors, when
    it cannot be filed — the photos picked this time are then kept as drafts (added to
    `drafts`), so that they need not be picked again."""
    now = timezone.now()
    try:
        drafts += inspections.photo_drafts_add(
            inspector=request.user, uploads=form.photos_uploaded(), kept=len(drafts), now=now
        )
    except ValidationError as error:
        form.add_error(None, _errors(error))
    if not form.is_valid():
        return None
    try:
        filed = violations.violation_file(
            inspector=request.user, venue=venue, kind=form.cleaned_data["kind"],
            occurred_at=form.cleaned_data["occurred_at"], description=form.cleaned_data["description"],
            photos=[], drafts=drafts, now=now,
        )  # fmt: skip
    except ValidationError as error:
        form.add_error(None, _errors(error))
        return None
    messages.success(request, _("The violation is filed: another inspector must confirm it."))
    if filed.outage is not None:  # R-MN-6
        messages.warning(request, _("An outage was recorded at that time: %(outage)s.") % {"outage": filed.outage})
    return filed


@require_POST
@role_required(Role.INSPECTOR)
def venue_inspected(request, pk: int):
    """R-MN-1: one tap on site — inspected, nothing found."""
    venue = _venue_in_scope(request.user, pk)
    form = InspectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The note is too long."))
        inspections.inspection_record(
            inspector=request.user, venue=venue, note=form.cleaned_data["note"], now=timezone.now()
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The inspection is recorded: nothing found."))
    return redirect("monitoring:venue_history", pk=venue.pk)


@require_GET
@role_required(Role.INSPECTOR)
def draft_photo(request, pk: int):
    """A photo kept from a violation form not filed yet: its inspector's only."""
    draft = get_object_or_404(PhotoDraft, pk=pk, uploaded_by=request.user)
    try:
        return FileResponse(draft.image.open("rb"), content_type="image/jpeg")
    except FileNotFoundError as error:
        raise Http404 from error


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
@role_required(*VENUE_READERS)
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
