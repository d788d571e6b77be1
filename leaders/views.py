"""Pages of Leader Ashyq (R-LD-3): the akimat reviews and submits its region's list, the
commission secretary records the decision, and anyone sees the current leaders."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ashyq.accounts.access import get_region_for_user, role_required
from ashyq.accounts.models import Role
from ashyq.reference.models import Region
from leaders import selectors
from leaders.forms import DecisionForm, StrikeForm, SubmitForm
from leaders.models import Candidate
from leaders.services import review as services

READERS = (Role.AKIMAT, Role.COMMISSION, Role.OPERATOR)


def _page(request, rows, per_page=selectors.ROWS_PER_PAGE):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _list_for_akimat(user, code, start):
    """The list an akimat may change: its own region's (another region: 404). The
    commission and operators, superusers included, only read (403)."""
    if user.role != Role.AKIMAT:
        raise PermissionDenied
    return selectors.get_list(region=get_region_for_user(user, code, write=True), start=start)


def _posted_page(request) -> int | None:
    """The page of the list the form was posted from, to come back to it."""
    value = request.POST.get("page", "")
    return int(value) if value.isdigit() else None


def _review_url(candidate_list, page=None, candidate=None) -> str:
    url = reverse("leaders:review", args=[candidate_list.region.code, candidate_list.period.starts_on])
    url = f"{url}?page={page}" if page and page > 1 else url
    return f"{url}#candidate-{candidate.pk}" if candidate else url


@require_GET
@role_required(*READERS)
def index(request):
    if request.user.is_national:
        page = _page(request, selectors.periods_overview())
        return render(request, "leaders/index.html", {"page": page})
    page = _page(request, selectors.lists_of_region(request.user.region_id))
    return render(request, "leaders/index_region.html", {"page": page, "region": request.user.region})


@require_GET
@role_required(*READERS)
def review(request, code, start):
    candidate_list = selectors.get_list(region=get_region_for_user(request.user, code), start=start)
    context = {
        "list": candidate_list,
        "period": candidate_list.period,
        "region": candidate_list.region,
        "page": _page(request, selectors.candidates_of(candidate_list), selectors.CANDIDATES_PER_PAGE),
        "can_review": selectors.can_review(request.user, candidate_list),
        "submit_form": SubmitForm(),
    }
    return render(request, "leaders/review.html", context)


@require_POST
@role_required(Role.AKIMAT)
def strike(request, code, start, pk):
    candidate_list = _list_for_akimat(request.user, code, start)
    candidate = get_object_or_404(Candidate.objects.select_related("venue"), pk=pk, list=candidate_list)
    form = StrikeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect(_review_url(candidate_list, _posted_page(request), candidate))
    now, action = timezone.now(), form.cleaned_data["action"]
    try:
        if action == StrikeForm.STRIKE:
            services.strike(candidate, reason=form.cleaned_data["reason"], actor=request.user, now=now)
            messages.success(request, _("%(venue)s is struck off the list.") % {"venue": candidate.venue.name})
        else:
            services.unstrike(candidate, actor=request.user, now=now)
            messages.success(request, _("%(venue)s is back on the list.") % {"venue": candidate.venue.name})
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    return redirect(_review_url(candidate_list, _posted_page(request), candidate))


@require_POST
@role_required(Role.AKIMAT)
def submit(request, code, start):
    candidate_list = _list_for_akimat(request.user, code, start)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["confirm"][0])
        return redirect(_review_url(candidate_list))
    try:
        services.submit(candidate_list, actor=request.user, now=timezone.now())
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The list is submitted to the commission."))
    return redirect(_review_url(candidate_list))


def _period_page(request, period, form, status=200):
    context = {
        "period": period,
        "page": _page(request, selectors.lists_of_period(period), selectors.CANDIDATES_PER_PAGE),
        "decisions": selectors.decisions_of(period),
        "form": form if request.user.role == Role.COMMISSION else None,
    }
    return render(request, "leaders/period.html", context, status=status)


@require_GET
@role_required(Role.COMMISSION, Role.OPERATOR)
def period(request, start):
    period = get_object_or_404(selectors.periods_overview(), starts_on=start)
    return _period_page(request, period, DecisionForm(initial={"date": timezone.localdate()}))


@require_POST
@role_required(Role.COMMISSION)
def decide(request, start):
    if request.user.role != Role.COMMISSION:  # a superuser of another role reads only
        raise PermissionDenied
    period = get_object_or_404(selectors.periods_overview(), starts_on=start)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = services.record_decision(
                period=period, actor=request.user, now=timezone.now(), **form.cleaned_data
            )
        except services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Decision № %(number)s is recorded: the submitted lists are fixed.") % {"number": decision.number},
            )
            return redirect("leaders:period", start=period.starts_on)
    return _period_page(request, period, form, status=400)


@require_GET
def public_index(request):
    regions = selectors.regions_with_leaders(timezone.localdate())
    return render(request, "leaders/public_index.html", {"page": _page(request, regions, 50)})


@require_GET
def public_region(request, code):
    region = get_object_or_404(Region, code=code)
    today = timezone.localdate()
    page = _page(request, selectors.current_leaders(region, today), selectors.CANDIDATES_PER_PAGE)
    return render(request, "leaders/public_region.html", {"region": region, "page": page, "today": today})
