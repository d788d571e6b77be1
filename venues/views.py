"""Owner pages: sign-up, "My applications", "My venues", the application form."""

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ashyq.accounts.access import role_required
from ashyq.accounts.lockout import address_key, client_address
from ashyq.accounts.models import Role
from ashyq.registries import RegistryError
from ashyq.sms.backends import SmsGatewayError
from ashyq.sms.rules import mask_phone
from ashyq.sms.services import SignInError
from ashyq.sms.views import OUTBOX_PHONE_KEY
from venues import rules, selectors, services
from venues.codes.selectors import venue_panel_context
from venues.forms import ApplicationForm, ClaimCodeForm, OwnerSignUpForm
from venues.models import ApplicationStatus, ClaimState, StandingKind
from venues.standing.selectors import intervals_at, standing_at

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


def _registry_down(form, exc: RegistryError) -> None:
    logger.warning("venues: a registry did not answer: %s", exc)
    form.add_error(None, _("The state registries do not answer right now. Nothing was saved: try again later."))


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("venues:venue_list")
    form = OwnerSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            user, claim = services.owner_sign_up(
                username=data["username"], email=data["email"], password=data["password1"], bin_=data["bin"], now=now
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except RegistryError as exc:
            _registry_down(form, exc)
        else:
            login(request, user, backend="ashyq.accounts.backends.ModelBackend")
            _claim_code_send(request, claim, now=now)
            return redirect("venues:company_claims")
    return render(request, "venues/sign_up.html", {"form": form})


def _claim_code_send(request, claim, *, now) -> None:
    try:
        services.company_claim_code_send(claim=claim, sender=address_key(client_address(request)), now=now)
    except SignInError as exc:
        messages.error(request, exc.message)
    except SmsGatewayError:
        messages.error(request, _("The SMS could not be sent. Ask for the code again in a minute."))
    else:
        if claim.contact_phone and settings.SMS_MOCK_OUTBOX:
            request.session[OUTBOX_PHONE_KEY] = claim.contact_phone  # the demo's mock gateway shows it


@require_http_methods(["GET", "POST"])
@role_required(Role.OWNER)
def company_claims(request):
    """Proof of control of a company (its BIN is public): the code sent to the
    company's contact phone in the business registry, typed here; or an operator's
    confirmation when the registry has no phone, or the company has an owner already."""
    form = ClaimCodeForm(request.POST or None)
    if request.method == "POST":
        claim = selectors.get_open_claim_for_owner(request.user, int(request.POST.get("claim") or 0))
        now = timezone.now()
        if "resend" in request.POST:
            _claim_code_send(request, claim, now=now)
            return redirect("venues:company_claims")
        if form.is_valid():
            try:
                claim = services.company_claim_confirm(claim=claim, code=form.cleaned_data["code"], now=now)
            except SignInError as exc:
                form.add_error("code", exc.message)
            else:
                if claim.state == ClaimState.CONFIRMED:
                    messages.success(request, _("The company is yours in Ashyq. Apply for your first venue."))
                    return redirect("venues:venue_list")
                messages.info(
                    request, _("The code is right, but the company already has an owner: an operator decides.")
                )
                return redirect("venues:company_claims")
    claims = selectors.claims_for_owner(request.user)
    for claim in claims:
        claim.masked_phone = mask_phone(claim.contact_phone)
    context = {"claims": claims, "form": form, "outbox": settings.SMS_MOCK_OUTBOX}
    return render(request, "venues/company_claims.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(Role.OWNER)
def venue_list(request):
    page = Paginator(selectors.venues_page_for_owner(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    standing = intervals_at([venue.pk for venue in page.object_list], now)  # R-VN-9, one query
    for venue in page.object_list:
        venue.standing = standing.get(venue.pk)
        if venue.standing and venue.standing.kind == StandingKind.TEST_MODE:
            venue.test_days_left = rules.test_mode_days_left(ends_at=venue.standing.ends_at, now=now)
    return render(request, "venues/venue_list.html", {"page": page})


@require_GET
@role_required(Role.OWNER)
def venue_detail(request, pk: int):
    venue = selectors.get_venue_for_owner(request.user, pk)
    now = timezone.now()
    standing = standing_at(venue, now)  # R-VN-9: what the venue is now, from the history
    context = {
        "venue": venue,
        "entrances": venue.entrances.all(),
        "standing": standing,
        "now": now,
        "test_mode": (
            rules.describe_test_mode(ends_at=standing.ends_at, now=now)
            if standing and standing.kind == StandingKind.TEST_MODE
            else ""
        ),
    }
    return render(request, "venues/venue_detail.html", context | venue_panel_context(venue))


@require_GET
@role_required(Role.OWNER)
def application_list(request):
    page = Paginator(selectors.applications_for_owner(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    # Categories and regions named in the reader's language, loaded once for the page.
    names = selectors.check_names(check for application in page.object_list for check in application.checks)
    for application in page.object_list:
        application.failed_messages = [rules.check_message(c, names) for c in application.checks if not c["passed"]]
    return render(request, "venues/application_list.html", {"page": page})


@require_GET
@role_required(Role.OWNER)
def application_detail(request, pk: int):
    application = selectors.get_application_for_owner(request.user, pk)
    names = selectors.check_names(application.checks)
    checks = [dict(check, message=rules.check_message(check, names)) for check in application.checks]
    context = {
        "application": application,
        "failed": [check for check in checks if not check["passed"]],
        "passed": [check for check in checks if check["passed"]],
    }
    return render(request, "venues/application_detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.OWNER)
def application_create(request):
    companies = selectors.companies_for_owner(request.user)
    if not companies:
        messages.error(request, _("Your account has no company yet: confirm your claim of it first."))
        return redirect("venues:company_claims")
    initial = selectors.application_initial(request.user, request.GET.get("from"))
    initial["idempotency_key"] = uuid.uuid4()  # one application per form shown
    form = ApplicationForm(request.POST or None, companies=companies, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                owner=request.user,
                company=form.cleaned_data["company"],
                data=form.application_data(),
                now=timezone.now(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except RegistryError as exc:
            _registry_down(form, exc)
        except services.ApplicationResubmitted as again:
            if again.same_form:
                messages.info(
                    request, _("This application was already submitted: here is its result. Nothing new was created.")
                )
            else:
                messages.info(request, _("This venue is already yours in Ashyq: here it is. Nothing new was created."))
            return _application_outcome(again.application)
        else:
            if application.status == ApplicationStatus.APPROVED:
                messages.success(request, _("The application is approved: your venue and its QR codes are ready."))
            else:
                messages.error(request, _("The application is refused. The reasons and what to do are below."))
            return _application_outcome(application)
    return render(request, "venues/application_form.html", {"form": form})


def _application_outcome(application):
    """The venue of an approved application, else the application with its reasons."""
    venue = getattr(application, "venue", None) if application.status == ApplicationStatus.APPROVED else None
    if venue is not None:
        return redirect("venues:venue_detail", pk=venue.pk)
    return redirect("venues:application_detail", pk=application.pk)
