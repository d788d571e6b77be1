"""Sign-in by phone (R-AU-1). The phone travels in the session, never in a URL."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ashyq.sms.backends import SmsGatewayError
from ashyq.sms.forms import CodeForm, PhoneForm
from ashyq.sms.rules import MAX_WRONG_TRIES
from ashyq.sms.selectors import code_latest, outbox_for_phone
from ashyq.sms.services import SignInError, code_send, phone_sign_in

PHONE_KEY = "sms_phone"
NEXT_KEY = "sms_next"


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
            code_send(phone=form.cleaned_data["phone"], now=timezone.now())
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
        try:
            phone_sign_in(request=request, phone=phone_number, code=form.cleaned_data["code"], now=now)
        except SignInError as exc:
            form.add_error(None, exc.message)
        else:
            request.session.pop(PHONE_KEY, None)
            request.session.pop(NEXT_KEY, None)
            return redirect(next_url or resolve_url("core:home"))
    latest = code_latest(phone=phone_number)
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
        code_send(phone=phone_number, now=timezone.now())
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
    phone_number = request.session.get(PHONE_KEY) or getattr(request.user, "phone", None)
    sms = outbox_for_phone(phone=phone_number) if phone_number else []
    return render(request, "sms/outbox.html", {"phone": phone_number, "messages_sent": sms})


def _safe_next(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None
