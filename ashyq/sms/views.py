"""Sign-in by phone (R-AU-1). The phone travels in the session, never in a URL."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ashyq.accounts.lockout import address_key, client_address
from ashyq.sms.backends import SmsGatewayError
from ashyq.sms.forms import CodeForm, PhoneForm
from ashyq.sms.rules import MAX_WRONG_TRIES
from ashyq.sms.selectors import code_of_session, outbox_for_phone
from ashyq.sms.services import SignInError, code_send, phone_sign_in

PHONE_KEY = "sms_phone"
NEXT_KEY = "sms_next"
CODE_KEY = "sms_code"  # the id of the code this session asked for: only it signs in
# Where a sign-in goes once it is done (a path, or ""), read by the page every phone
# sign-in passes through: codes:after_sign_in, which first asks the phone's holder
# whether he accepts to guard a venue that named his phone (R-VN-7).
AFTER_SIGN_IN_KEY = "sms_after_sign_in"
# The mock gateway's outbox shows this phone's messages too: the company's contact
# phone, whose code a new owner types to prove his claim (venues.views, demo only).
OUTBOX_PHONE_KEY = "sms_outbox_phone"
# R-AU-1: a device that signed in with a phone keeps its codes when strangers spend the
# number's hourly allowance: a signed cookie with the keyed hash of the phone.
DEVICE_COOKIE = "ashyq_device"
_DEVICE_SALT = "ashyq.sms.device"
DEVICE_DAYS = 365


def _device_key(phone: str) -> str:
    return address_key(f"device:{phone}")


def _known_device(request, phone: str) -> bool:
    return request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=_DEVICE_SALT) == _device_key(phone)


def _send(request, phone: str):
    """code_send for this request: its sender and device; the code's id kept in the session."""
    otc = code_send(
        phone=phone,
        now=timezone.now(),
        sender=address_key(client_address(request)),
        known_device=_known_device(request, phone),
    )
    request.session[CODE_KEY] = otc.pk
    return otc


def gateway_failed_message() -> str:
    # R-CI-2: the guard's IIN entry is the fallback when SMS does not work.
    return _("The SMS could not be sent. Try again in a minute, or ask the guard to enter your IIN.")


@never_cache
@require_http_methods(["GET", "POST"])
def phone(request):
    form = PhoneForm(request.POST if request.method == "POST" else None)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if form.is_valid():
        try:
            _send(request, form.cleaned_data["phone"])
        except SignInError as exc:
            form.add_error(None, exc.message)
        except SmsGatewayError:
            form.add_error(None, gateway_failed_message())
        else:
            request.session[PHONE_KEY] = form.cleaned_data["phone"]
            request.session[NEXT_KEY] = next_url
            return redirect("sms:code")
    return render(request, "sms/phone.html", {"form": form, "next": next_url or ""})


@never_cache
@require_http_methods(["GET", "POST"])
def code(request):
    phone_number = request.session.get(PHONE_KEY)
    if not phone_number:
        return redirect("sms:phone")
    form = CodeForm(request.POST if request.method == "POST" else None)
    now = timezone.now()
    if form.is_valid():
        next_url = _safe_next(request, request.session.get(NEXT_KEY))
        code_id = request.session.get(CODE_KEY)
        try:
            phone_sign_in(request=request, phone=phone_number, code=form.cleaned_data["code"], now=now, code_id=code_id)
        except SignInError as exc:
            form.add_error(None, exc.message)
        else:
            for key in (PHONE_KEY, NEXT_KEY, CODE_KEY):
                request.session.pop(key, None)
            request.session[AFTER_SIGN_IN_KEY] = next_url or ""
            response = redirect("codes:after_sign_in")
            response.set_signed_cookie(
                DEVICE_COOKIE,
                _device_key(phone_number),
                salt=_DEVICE_SALT,
                max_age=DEVICE_DAYS * 24 * 60 * 60,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    latest = code_of_session(phone=phone_number, code_id=request.session.get(CODE_KEY))
    live = latest is not None and latest.used_at is None and latest.attempts < MAX_WRONG_TRIES
    seconds_left = max(0, int((latest.expires_at - now).total_seconds())) if live else 0
    context = {
        "form": form,
        "phone": phone_number,
        "code": latest if seconds_left else None,
        "seconds_left": seconds_left,
        "tries_left": MAX_WRONG_TRIES - latest.attempts if seconds_left else 0,
        "outbox": getattr(settings, "SMS_MOCK_OUTBOX", False),
    }
    return render(request, "sms/code.html", context)


@require_POST
def resend(request):
    phone_number = request.session.get(PHONE_KEY)
    if not phone_number:
        return redirect("sms:phone")
    try:
        _send(request, phone_number)
    except SignInError as exc:
        messages.error(request, exc.message)
    except SmsGatewayError:
        messages.error(request, gateway_failed_message())
    else:
        messages.success(request, _("A new code was sent. The previous one no longer works."))
    return redirect("sms:code")


@never_cache
@require_GET
def outbox(request):
    """The mock gateway's messages to the phone being signed in, so a demo user can read his code."""
    if not getattr(settings, "SMS_MOCK_OUTBOX", False):
        raise Http404
    phone_number = (
        request.session.get(PHONE_KEY) or request.session.get(OUTBOX_PHONE_KEY) or getattr(request.user, "phone", None)
    )
    sms = outbox_for_phone(phone=phone_number) if phone_number else []
    return render(request, "sms/outbox.html", {"phone": phone_number, "messages_sent": sms})


def _safe_next(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None
