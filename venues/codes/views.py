"""Pages of the QR codes (R-VN-4), guard mode (R-VN-7), the public list of participants
(R-VN-6) and the information materials (R-VN-8)."""

import io
import logging
import zipfile
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ashyq.accounts.access import role_required
from ashyq.accounts.models import Role
from ashyq.core.context_processors import GUARD_SESSION_KEY
from ashyq.reference.models import Region
from ashyq.sms.views import AFTER_SIGN_IN_KEY
from venues.codes import rendering, selectors, services, tokens
from venues.codes.forms import GuardAnswerForm, GuardPhoneForm, ReissueForm, SearchForm
from venues.codes.materials import DOCUMENTS
from venues.selectors import get_venue_for_owner

logger = logging.getLogger(__name__)


# --- The owner's codes -----------------------------------------------------------------------


def _retired_key_answer(view):
    """A code whose signing key was retired (removed from QR_OLD_SIGNING_KEYS) can no
    longer be drawn, and its prints are refused: the owner is told to re-issue."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            return view(request, pk, *args, **kwargs)
        except tokens.UnknownKey:
            messages.error(request, _("These codes were signed with a retired key and no longer work: re-issue them."))
            return redirect("codes:venue_codes", pk=pk)

    return wrapper


@require_GET
@role_required(Role.OWNER)
def venue_codes(request, pk):
    venue = get_venue_for_owner(request.user, pk)
    return render(request, "venues/codes/venue_codes.html", {"venue": venue, **selectors.venue_panel_context(venue)})


@require_GET
@role_required(Role.OWNER)
@_retired_key_answer
def code_png(request, pk, code_pk):
    code = selectors.get_live_code_for_venue(get_venue_for_owner(request.user, pk), code_pk)
    png = rendering.qr_png(selectors.code_url(selectors.code_token(code)))
    return _attachment(png, "image/png", selectors.code_filename(code, "png"))


@require_GET
@role_required(Role.OWNER)
@_retired_key_answer
def code_pdf(request, pk, code_pk):
    code = selectors.get_live_code_for_venue(get_venue_for_owner(request.user, pk), code_pk)
    pdf = rendering.poster_pdf(selectors.code_poster(code, selectors.code_token(code)))
    return _attachment(pdf, "application/pdf", selectors.code_filename(code, "pdf"))


@require_GET
@role_required(Role.OWNER)
@_retired_key_answer
def codes_zip(request, pk):
    """Every live code of the venue: each PNG and poster, and all posters in one PDF."""
    venue = get_venue_for_owner(request.user, pk)
    codes = selectors.live_codes(venue)
    if not codes:
        raise Http404
    buffer = io.BytesIO()
    posters = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for code in codes:
            token = selectors.code_token(code)
            posters.append(selectors.code_poster(code, token))
            archive.writestr(selectors.code_filename(code, "png"), rendering.qr_png(selectors.code_url(token)))
            archive.writestr(selectors.code_filename(code, "pdf"), rendering.poster_pdf(posters[-1]))
        archive.writestr(f"ashyq-{venue.pk}-posters.pdf", rendering.posters_pdf(posters, title=venue.name))
    return _attachment(buffer.getvalue(), "application/zip", f"ashyq-{venue.pk}-codes.zip")


@require_POST
@role_required(Role.OWNER)
def codes_reissue(request, pk):
    venue = get_venue_for_owner(request.user, pk)
    form = ReissueForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["confirm"][0])
    else:
        services.codes_issue(venue=venue, actor=request.user, now=timezone.now())
        messages.success(request, _("New codes were issued. The old ones no longer work: replace every poster."))
    return _back_to_venue(request, venue)


# --- Guard mode (R-VN-7) ---------------------------------------------------------------------


@require_POST
@role_required(Role.OWNER)
def guard_enable(request, pk):
    venue = get_venue_for_owner(request.user, pk)
    form = GuardPhoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["phone"][0])
        return _back_to_venue(request, venue)
    services.guard_mode_enable(venue=venue, phone=form.cleaned_data["phone"], actor=request.user, now=timezone.now())
    # The same words whoever holds the number, and whether or not it has an account.
    messages.success(
        request,
        _("Guard mode waits for the phone's holder: at his next sign-in with it he is asked to accept."),
    )
    return _back_to_venue(request, venue)


@require_POST
@role_required(Role.OWNER)
def guard_disable(request, pk):
    venue = get_venue_for_owner(request.user, pk)
    services.guard_mode_disable(venue=venue, actor=request.user, now=timezone.now())
    messages.success(request, _("Guard mode is off: the guard page is closed to that phone."))
    return _back_to_venue(request, venue)


# --- After a phone sign-in: the guard requests (R-VN-7) ---------------------------------------


@never_cache
@require_GET
def after_sign_in(request):
    """Where every phone sign-in lands first: a venue that named this phone its guard
    phone asks its holder to accept; then (or without one) the sign-in goes where it
    was going, the guard page only for the phone's accepted guard mode."""
    if not request.user.is_authenticated:
        return redirect("sms:phone")
    if request.user.role == Role.CITIZEN and (asking := selectors.guard_requests_for(request.user)):
        return render(request, "venues/codes/guard_requests.html", {"asking": asking})
    venue = selectors.venue_for_guard(request.user) if request.user.role == Role.CITIZEN else None
    if venue is not None:
        request.session[GUARD_SESSION_KEY] = venue.pk
        _shift_session(request)
    else:
        request.session.pop(GUARD_SESSION_KEY, None)
    next_url = request.session.pop(AFTER_SIGN_IN_KEY, "")
    if next_url and not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    return redirect(next_url or ("checkin:guard" if venue is not None else "core:home"))


@require_POST
@role_required(Role.CITIZEN)
def guard_request_answer(request, pk):
    form = GuardAnswerForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["answer"] == GuardAnswerForm.ACCEPT
        try:
            services.guard_consent_answer(
                venue_id=pk, phone=request.user.phone, accept=accept, actor=request.user, now=timezone.now()
            )
        except services.GuardModeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("You are this venue's guard now: its guard page opens with this phone.")
                if accept
                else _("You declined: this phone does not open that venue's guard page."),
            )
    return redirect("codes:after_sign_in")


def _shift_session(request) -> None:
    """A phone that opens a guard page works a shift: its session ends SESSION_SHIFT_HOURS
    after now at the latest, as a guard's always did (ashyq.accounts.signals)."""
    end = timezone.now() + timedelta(hours=settings.SESSION_SHIFT_HOURS)
    if request.session.get_expiry_date() > end:
        request.session.set_expiry(end)


# --- Public list of participants (R-VN-6) ---------------------------------------------------


@require_GET
def participant_regions(request):
    return render(request, "venues/codes/participant_regions.html", {"regions": Region.objects.all()})


@require_GET
def participant_list(request, region_code):
    region = get_object_or_404(Region, code=region_code)
    form = SearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    paginator = selectors.participants_paginator(region=region, search=search)
    page = paginator.get_page(request.GET.get("page"))
    context = {"region": region, "form": form, "search": search, "page": page}
    return render(request, "venues/codes/participant_list.html", context)


# --- Information materials (R-VN-8) ---------------------------------------------------------


@require_GET
def document(request, slug):
    context = {"document": DOCUMENTS[slug], "pdf_url": reverse(f"codes:{slug}_pdf")}
    return render(request, "info/document.html", context)


@require_GET
def document_pdf(request, slug):
    doc = DOCUMENTS[slug]
    pdf = rendering.document_pdf(title=doc.title, lead=doc.lead, sections=list(doc.sections), footer=doc.footer)
    return _attachment(pdf, "application/pdf", f"ashyq-{doc.slug}.pdf")


# --- Helpers -----------------------------------------------------------------------------------


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _back_to_venue(request, venue):
    """To the page the form was on (the owner's venue page), else the codes page."""
    target = request.POST.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("codes:venue_codes", pk=venue.pk)
