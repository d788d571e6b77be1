"""Pages of the citizen and of the door (docs/rules.md §7, §11): the citizen's own status and
lists, the check-in behind a venue's QR code, the guard page, the remote check and the
sanitary officers' reports.

Privacy (R-ID-5, R-PR-6): an IIN or passport number is only ever in a POST body. No page
repeats one, not even in an error: the guard's form is always re-rendered empty. With
JavaScript (htmx) the guard's forms are not re-rendered at all: the answer comes into
its card, and a refused entry stays typed in the form (static/visitors/guard.js) so
that one mistyped digit is corrected, not the twelve retyped.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ashyq.accounts.models import Role
from ashyq.registries import RegistryError
from ashyq.sms.forms import PhoneForm
from statuses.persons import person_key
from statuses.selectors import history_for, status_for
from venues.codes import rendering, tokens
from venues.codes.selectors import code_for_scan, venue_for_guard
from venues.models import Direction
from venues.standing import rules as standing_rules
from visitors import rules, selectors
from visitors.forms import COMMON_COUNTRIES, GuardExitForm, GuardLookupForm, LinkIinForm
from visitors.services.checkin import IinNotLinked, VenueRefused, citizen_scan, refuse_unless_open, remote_check
from visitors.services.guard import RateLimited, guard_exit, guard_lookup
from visitors.services.linking import LinkRefused, citizen_link_iin

LINK_NEXT_KEY = "visitors_link_next"  # where to go once the IIN is linked (a path, never the IIN)
GUARD_ENTRANCE_KEY = "visitors_guard_entrance"  # the guard's last entrance (R-CI-2)
OWN_LIST_LENGTH = 10  # R-PR-4: the lists on "My status"; the rest on their own pages
OWN_PER_PAGE = 50

logger = logging.getLogger(__name__)


# --- Access -----------------------------------------------------------------------------------


def _phone_sign_in(request, next_url=None):
    """Citizens and guards sign in by phone (R-AU-1), then come back to `next_url`."""
    return redirect_to_login(next_url or request.get_full_path(), login_url="sms:phone")


def _safe_next(request, url):
    allowed = url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure())
    return url if url and allowed else None


def citizen_only(view):
    """Anonymous → phone sign-in and back (citizens have no password); another role → 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _phone_sign_in(request)
        if request.user.role != Role.CITIZEN:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def citizen_page(view):
    """`citizen_only`, and a citizen with no linked IIN goes to the link page and back (R-AU-2)."""

    @citizen_only
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.iin_index:
            return _to_link(request)
        return view(request, *args, **kwargs)

    return wrapper


def _to_link(request):
    request.session[LINK_NEXT_KEY] = request.get_full_path()
    return redirect("visitors:link_iin")


def guard_only(view):
    """Anonymous → phone sign-in, back to the guard page; another role → 403. An htmx
    request is told to load the sign-in page, not to put it in the answer card."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            response = _phone_sign_in(request, reverse("checkin:guard"))
            if request.headers.get("HX-Request"):
                return HttpResponse(headers={"HX-Redirect": response["Location"]})
            return response
        if request.user.role != Role.CITIZEN:  # guards are citizens whose phone guards a venue (R-VN-7)
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- The citizen's own pages (R-AU-2, R-ST-7…R-ST-10, R-PR-4) -----------------------------------


@require_http_methods(["GET", "POST"])
@citizen_only
def link_iin(request):
    if next_url := _safe_next(request, request.GET.get("next")):
        request.session[LINK_NEXT_KEY] = next_url
    if request.user.iin_index:
        return _after_link(request)
    form = LinkIinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen_link_iin(user=request.user, iin=form.cleaned_data["iin"], now=timezone.now())
        except ValidationError as exc:
            form.add_error("iin", exc)
        except LinkRefused as exc:
            form.add_error(None, exc.message)
        except RegistryError:  # unavailable, or refusing us (a wrong token): nothing was linked
            form.add_error(None, _("The mobile operators' registry does not answer. Try again in a few minutes."))
        else:
            messages.success(request, _("Your IIN is linked. This is your status."))
            return _after_link(request)
    if form.errors:
        # R-ID-5: the page that refuses an IIN does not print it back.
        form.data = form.data.copy()
        form.data["iin"] = ""
    return render(request, "visitors/link_iin.html", {"form": form}, status=400 if form.errors else 200)


def _after_link(request):
    """Back to the check-in (or check) that sent the citizen here, else his status."""
    return redirect(_safe_next(request, request.session.pop(LINK_NEXT_KEY, None)) or "visitors:me")


@require_GET
@citizen_page
def me(request):
    """My status: the colour full-screen, until when, why, how fresh, and its history
    (R-ST-7, R-ST-9, R-ST-10); who looked my status up and where I checked in (R-PR-4).
    Nobody sees another person's status remotely (R-CI-8)."""
    now = timezone.now()
    person = person_key(iin=request.user.iin)
    context = {
        "report": status_for(iin=request.user.iin),
        "history": history_for(iin=request.user.iin, limit=50),
        "lookups": list(selectors.lookups_of(person, now=now)[: OWN_LIST_LENGTH + 1]),
        "visits": list(selectors.visits_of(person, now=now)[: OWN_LIST_LENGTH + 1]),
        "list_length": OWN_LIST_LENGTH,
    }
    return render(request, "visitors/me.html", context)


@require_GET
@citizen_page
def my_lookups(request):
    """R-PR-4: every look-up of my status by others in the last 28 days, page by page."""
    rows = selectors.lookups_of(person_key(iin=request.user.iin), now=timezone.now())
    page = Paginator(rows, OWN_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "visitors/my_lookups.html", {"page": page})


@require_GET
@citizen_page
def my_visits(request):
    """R-PR-4: every check-in of mine in the last 28 days, page by page."""
    rows = selectors.visits_of(person_key(iin=request.user.iin), now=timezone.now())
    page = Paginator(rows, OWN_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "visitors/my_visits.html", {"page": page})


# --- /q/<token>: the visitor's scan (R-CI-1, R-CI-4, R-CI-5, R-CI-7) ---------------------------


@never_cache
# GET, HEAD for scanner apps that look before they open, and POST for a check-in
# confirmed by a button when the page was reached from another site (CSRF-checked).
@require_http_methods(["GET", "HEAD", "POST"])
def scan(request, token):
    """What a phone camera opens. R-VN-4, R-CI-7: a forged or truncated token 400, an
    unknown code 404, a revoked one 410 — and nothing is recorded, whatever the answer."""
    try:
        data = tokens.verify(token)
    except tokens.BadToken:
        return _refused(request, token, "venues/codes/scan_invalid.html", 400)
    code = code_for_scan(data)
    if code is None:
        return _refused(request, token, "venues/codes/scan_unknown.html", 404)
    if code.revoked_at is not None:
        return _refused(request, token, "venues/codes/scan_revoked.html", 410, venue=code.entrance.venue)
    # R-CI-1, R-CI-4: a signed-in citizen is checked in (entry) or out (exit); anyone
    # else is shown the venue and the phone sign-in that comes back here.
    return _scan_checkin(request, code)


def _refused(request, token, template, status, **context):
    response = render(request, template, context, status=status)
    # Django's request logger would print the whole path, token included; we log a
    # prefix only, and mark the response as logged, as Django's own handlers do (a
    # private attribute: venues/tests/test_codes_views.py fails if Django stops reading it).
    logger.info("QR code refused (%s): /q/%s", status, tokens.short(token))
    response._has_been_logged = True
    return response


def _scan_checkin(request, code):
    """A valid, live code was opened. Only a signed-in citizen's GET records anything;
    HEAD (a scanner app looking first) never."""
    venue = code.entrance.venue
    context = {"code": code, "entrance": code.entrance, "venue": venue, "next": request.path}
    # R-CI-7, R-VN-9: the venue's standing now, read with the code (code_for_scan).
    standing = code.venue_standing or standing_rules.APPLIED
    try:
        # An excluded venue's codes are refused for whoever opens them, before any
        # sign-in; nothing is recorded.
        refuse_unless_open(venue=venue, entrance=code.entrance, now=timezone.now(), code=code, standing=standing)
    except VenueRefused as exc:
        context.update(message=exc.message, status=403)
        return render(request, "visitors/scan_refused.html", context, status=403)
    if request.method == "HEAD" or getattr(request.user, "role", None) != Role.CITIZEN:
        # Not signed in: the phone sign-in that comes back here. Another role (an owner
        # trying his poster): the code works, sign in as a citizen to check in.
        return render(request, "venues/codes/scan.html", {**context, "phone_form": PhoneForm()})
    if request.method == "GET" and request.headers.get("Sec-Fetch-Site", "none") not in ("none", "same-origin"):
        # Opened from another site's link or redirect, not from the camera or our own
        # pages: a page elsewhere must not check a signed-in citizen in (nor inflate a
        # venue's counts, R-LD-1). One tap on the button confirms.
        return render(request, "venues/codes/scan.html", {**context, "confirm": True})
    now = timezone.now()
    try:
        answer = citizen_scan(user=request.user, code=code, now=now, standing=standing)
    except IinNotLinked:
        return _to_link(request)
    except VenueRefused as exc:
        context.update(message=exc.message, status=410 if exc.reason == "revoked" else 403)
        return render(request, "visitors/scan_refused.html", context, status=context["status"])
    context.update(answer=answer, now=now)
    if code.direction == Direction.EXIT:
        return render(request, "visitors/checkout.html", context)
    if not answer.counted:  # R-CI-5: the time of the check-in this entry repeats
        context["checked_in_at"] = answer.repeats
        if answer.repeats is None:  # the write did not say (not PostgreSQL's one statement)
            visits = selectors.visits_of(person_key(iin=request.user.iin), now=now).filter(venue=venue)
            context["checked_in_at"] = visits.values_list("entered_at", flat=True).first()
    return render(request, "visitors/checkin.html", context)


# --- The remote check (R-CI-8) -----------------------------------------------------------------


REMOTE_CHECK_KEY = "checkin_remote_counted_at"


@never_cache
@require_GET
@citizen_page
def check(request):
    """The neutral QR's page: the signed-in citizen's own status, bound to no venue. It
    takes no IIN: nobody can see another person's status remotely."""
    now = timezone.now()
    # R-CI-9 counts remote checks, not page refreshes: one per person per window, kept
    # in his session (a RemoteCheck holds no identifier to tell repeats apart).
    last = request.session.get(REMOTE_CHECK_KEY)
    count = last is None or now.timestamp() - last >= rules.VISIT_WINDOW.total_seconds()
    try:
        report = remote_check(user=request.user, now=now, count=count)
    except IinNotLinked:
        return _to_link(request)
    if count:
        request.session[REMOTE_CHECK_KEY] = now.timestamp()
    return render(request, "visitors/remote_check.html", {"report": report, "now": now})


@require_GET
def check_qr(request):
    """The neutral QR code (PNG) for the public site and posters: it opens /check/."""
    response = HttpResponse(rendering.qr_png(settings.PUBLIC_URL + reverse("checkin:check")), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- The guard page (R-CI-2, R-CI-3, R-CI-6, R-PR-3, R-PR-6) ------------------------------------


@never_cache
@require_GET
@guard_only
def guard_page(request):
    """GET /guard/: the guard page of the one venue whose guard phone the guard signed
    in with: its occupancy and the IIN / passport entry (R-CI-2, R-CI-6); the form posts
    to checkin:guard_lookup."""
    venue = venue_for_guard(request.user)
    if venue is None:
        return render(request, "venues/codes/guard.html", {"venue": None})
    form = _guard_form(request, venue)
    context = _guard_context(venue, form, occupancy=selectors.occupancy(venue, now=timezone.now()))
    return render(request, "venues/codes/guard.html", context)


@never_cache
@require_POST
@guard_only
def guard_lookup_view(request):
    """POST /guard/lookup/: the answer, rendered at once (no redirect: a refresh must not
    show it again) with the form empty; htmx gets the answer card only."""
    venue = venue_for_guard(request.user)
    if venue is None:
        return redirect("checkin:guard")
    form = GuardLookupForm(request.POST, entrances=venue.guard_entrances)  # read with the venue: no query
    now = timezone.now()
    answer, errors, status, retry_after = _guard_answer(request, venue, form, now)
    occupancy = answer.occupancy if answer else selectors.occupancy(venue, now=now)
    answered = {"answer": answer, "errors": errors, "now": now, "occupancy": occupancy}
    if request.headers.get("HX-Request"):  # the answer card and the occupancy, no form
        response = _answer_card({**answered, "swap_oob": True}, status=status)
    else:
        context = _guard_context(venue, _guard_form(request, venue), occupancy=occupancy)
        context.update(answered, passport_mode=bool(request.POST.get("passport")))
        response = render(request, "venues/codes/guard.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _guard_answer(request, venue, form, now):
    """(answer, error messages, HTTP status, retry-after seconds) of one look-up."""
    if not form.is_valid():
        if entrance := form.cleaned_data.get("entrance"):
            _remember_entrance(request, entrance)
        return None, [message for messages_ in form.errors.values() for message in messages_], 400, None
    entrance = form.cleaned_data["entrance"]
    _remember_entrance(request, entrance)
    try:
        answer = guard_lookup(guard=request.user, venue=venue, entrance=entrance, now=now, **form.person())
    except ValidationError as exc:
        return None, exc.messages, 400, None
    except RateLimited as exc:
        return None, [exc.message], 429, exc.retry_after_seconds
    except VenueRefused as exc:
        return None, [exc.message], 403, None
    return answer, [], 200, None


@never_cache
@require_POST
@guard_only
def guard_exit_view(request):
    """POST /guard/exit/ (R-CI-6 Decided): the guard records that a visitor left, by
    his IIN, or with none as one anonymous exit. htmx gets the result in the answer
    card and the occupancy; a plain form is sent back to the guard page (a refresh
    records nothing twice)."""
    venue = venue_for_guard(request.user)
    if venue is None:
        return redirect("checkin:guard")
    now = timezone.now()
    occupancy, errors = _guard_exit(request, venue, GuardExitForm(request.POST, entrances=venue.guard_entrances), now)
    status = 400 if errors else 200
    if not request.headers.get("HX-Request"):
        if not errors:
            messages.success(request, _("Exit recorded."))
            return redirect("checkin:guard")
        context = _guard_context(venue, _guard_form(request, venue), occupancy=selectors.occupancy(venue, now=now))
        context.update(exit_errors=errors, now=now)
        return render(request, "venues/codes/guard.html", context, status=status)
    occupancy = occupancy or selectors.occupancy(venue, now=now)
    context = {"exit_errors": errors, "exit_recorded": not errors, "now": now, "occupancy": occupancy}
    return _answer_card({**context, "swap_oob": True}, status=status)


def _answer_card(context, *, status):
    """The htmx answer (the card and the occupancy) rendered from `context` alone: no
    context processor runs (the navigation's links, the messages, the user are not in
    it, and on a guard look-up they cost a sixth of the request, B1). The card holds no
    form (no CSRF token) and no static file; its language is the request's, active
    here (ashyq.core.middleware.LanguageMiddleware)."""
    return HttpResponse(render_to_string("visitors/_guard_answer.html", context), status=status)


def _guard_exit(request, venue, form, now):
    """(the occupancy after it or None, error messages) of one exit."""
    if not form.is_valid():
        return None, [message for messages_ in form.errors.values() for message in messages_]
    entrance = form.cleaned_data["entrance"]
    _remember_entrance(request, entrance)
    try:
        iin = form.cleaned_data["iin"] or None
        return guard_exit(guard=request.user, venue=venue, entrance=entrance, iin=iin, now=now), []
    except ValidationError as exc:
        return None, exc.messages


def _remember_entrance(request, entrance):
    """R-CI-2: the guard's entrance for the next look-up; the session is written only
    when it changes, not on every look-up."""
    if request.session.get(GUARD_ENTRANCE_KEY) != entrance.pk:
        request.session[GUARD_ENTRANCE_KEY] = entrance.pk


def _guard_form(request, venue):
    """An empty form, on the entrance the guard chose last (kept in his session)."""
    return GuardLookupForm(
        entrances=venue.guard_entrances, initial={"entrance": request.session.get(GUARD_ENTRANCE_KEY)}
    )


def _guard_context(venue, form, *, occupancy):
    return {
        "venue": venue,
        "form": form,
        "exit_form": GuardExitForm(entrances=venue.guard_entrances, initial=form.initial),
        "occupancy": occupancy,
        "countries": COMMON_COUNTRIES,
        "pending_text": _("Checking…"),
        "failed_text": _("No answer from the server. Check the connection and try again."),
    }
