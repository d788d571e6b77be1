"""Pages of the QR codes (R-VN-4), guard mode (R-VN-7), the public list of participants
(R-VN-6) and the information materials (R-VN-8)."""

import io
import logging
import zipfile
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ashyq.accounts.access import role_required
from ashyq.accounts.models import Role
from ashyq.reference.models import Region
from venues.codes import rendering, selectors, services, tokens
from venues.codes.forms import GuardPhoneForm, ReissueForm, SearchForm
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
    try:
        services.guard_mode_enable(
            venue=venue, phone=form.cleaned_data["phone"], actor=request.user, now=timezone.now()
        )
    except services.GuardModeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Guard mode is on: the guard signs in with this phone and a code sent by SMS."))
    return _back_to_venue(request, venue)


@require_POST
@role_required(Role.OWNER)
def guard_disable(request, pk):
    venue = get_venue_for_owner(request.user, pk)
    services.guard_mode_disable(venue=venue, actor=request.user, now=timezone.now())
    messages.success(request, _("Guard mode is off: the guard phone can no longer sign in."))
    return _back_to_venue(request, venue)


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
