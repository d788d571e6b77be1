import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from ashyq.accounts.models import PHONE_ROLES, Role, User
from ashyq.sms import services
from ashyq.sms.backends import SmsGatewayError
from ashyq.sms.models import OneTimeCode, SmsMessage, SmsStatus
from ashyq.sms.services import (
    AccountDisabled,
    Expired,
    NoActiveCode,
    PasswordAccount,
    TooManyAttempts,
    TooManyCodes,
    WrongCode,
    code_check,
    code_send,
    code_verify,
    phone_sign_in,
)
from ashyq.sms.tests.factories import CitizenFactory, OneTimeCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Asia/Almaty"))
PHONE = "+77011234567"


def sent_code(phone: str = PHONE) -> str:
    """The digits in the mock gateway's last message to `phone`."""
    text = SmsMessage.objects.filter(phone=phone).latest("sent_at", "pk").text
    return re.search(r"\b\d{6}\b", text).group()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def sign_in_request():
    request = RequestFactory().post("/auth/phone/code/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    return request


def send(phone: str = PHONE, at: datetime = T0) -> str:
    with time_machine.travel(at, tick=False):
        code_send(phone=phone, now=at)
    return sent_code(phone)


# --- code_send -------------------------------------------------------------------------


def test_code_send_stores_only_a_keyed_hash_and_sends_the_code():
    with time_machine.travel(T0, tick=False):
        otc = code_send(phone=PHONE, now=T0)
    code = sent_code()
    otc.refresh_from_db()
    assert otc.code_hash == services.code_digest(phone=PHONE, code=code)
    assert code not in otc.code_hash
    assert otc.created_at == T0
    assert otc.expires_at == T0 + timedelta(minutes=5)
    assert (otc.attempts, otc.used_at) == (0, None)


def test_code_digest_depends_on_the_phone():
    assert services.code_digest(phone=PHONE, code="123456") != services.code_digest(phone="+77011234568", code="123456")


def test_console_backend_logs_the_phone_masked(caplog):
    with caplog.at_level("INFO", logger="ashyq.sms.backends"):
        send()
    assert "+7701***4567" in caplog.text
    assert PHONE not in caplog.text


def test_r_au_1_sixth_code_within_the_hour_is_refused_until_the_hour_has_passed():
    for minute in range(5):
        send(at=T0 + timedelta(minutes=minute * 10))
    with pytest.raises(TooManyCodes) as info:
        code_send(phone=PHONE, now=T0 + timedelta(minutes=59, seconds=59))
    assert info.value.retry_at == T0 + timedelta(hours=1)
    assert OneTimeCode.objects.filter(phone=PHONE).count() == 5
    # At 13:00 exactly the 12:00 code leaves the rolling hour.
    send(at=T0 + timedelta(hours=1))
    assert OneTimeCode.objects.filter(phone=PHONE).count() == 6


def test_r_au_1_the_code_limit_is_per_phone():
    for minute in range(5):
        send(at=T0 + timedelta(minutes=minute))
    send(phone="+77011234568", at=T0 + timedelta(minutes=6))


def test_r_ci_2_failed_gateway_leaves_no_usable_code(settings):
    settings.SMS_FAIL = True
    with pytest.raises(SmsGatewayError):
        code_send(phone=PHONE, now=T0)
    assert not OneTimeCode.objects.exists()
    failed = SmsMessage.objects.get(phone=PHONE)
    assert failed.status == SmsStatus.FAILED
    with pytest.raises(NoActiveCode):
        code_verify(phone=PHONE, code=sent_code(), now=T0)


def test_r_ci_2_a_failed_send_does_not_use_up_the_hourly_limit(settings):
    settings.SMS_FAIL = True
    for minute in range(5):
        with pytest.raises(SmsGatewayError):
            code_send(phone=PHONE, now=T0 + timedelta(minutes=minute))
    settings.SMS_FAIL = False
    send(at=T0 + timedelta(minutes=6))


def test_failed_gateway_does_not_undo_the_previous_code(settings):
    code = send()
    settings.SMS_FAIL = True
    with pytest.raises(SmsGatewayError):
        code_send(phone=PHONE, now=T0 + timedelta(minutes=1))
    assert code_verify(phone=PHONE, code=code, now=T0 + timedelta(minutes=2)) is True


# --- code_verify -----------------------------------------------------------------------


def test_r_au_1_code_valid_at_4_59():
    code = send()
    assert code_verify(phone=PHONE, code=code, now=T0 + timedelta(minutes=4, seconds=59)) is True


def test_r_au_1_code_refused_at_5_00():
    code = send()
    with pytest.raises(Expired):
        code_verify(phone=PHONE, code=code, now=T0 + timedelta(minutes=5))
    assert OneTimeCode.objects.get().used_at is None


def test_r_au_1_five_wrong_tries_then_even_the_right_code_is_refused():
    code = send()
    for attempt in range(1, 6):
        assert code_verify(phone=PHONE, code=wrong(code), now=T0) is False
        assert OneTimeCode.objects.get().attempts == attempt
    with pytest.raises(TooManyAttempts):
        code_verify(phone=PHONE, code=code, now=T0)
    otc = OneTimeCode.objects.get()
    assert (otc.attempts, otc.used_at) == (5, None)


def test_r_au_1_four_wrong_tries_then_the_right_code_works():
    code = send()
    for _ in range(4):
        assert code_verify(phone=PHONE, code=wrong(code), now=T0) is False
    assert code_verify(phone=PHONE, code=code, now=T0) is True


def test_r_au_1_single_use_second_verify_of_a_used_code_fails():
    code = send()
    assert code_verify(phone=PHONE, code=code, now=T0) is True
    with pytest.raises(NoActiveCode):
        code_verify(phone=PHONE, code=code, now=T0 + timedelta(seconds=1))
    assert OneTimeCode.objects.get().used_at == T0


def test_only_the_latest_code_works():
    first = send()
    second = send(at=T0 + timedelta(minutes=1))
    if first != second:
        assert code_verify(phone=PHONE, code=first, now=T0 + timedelta(minutes=2)) is False
    assert code_verify(phone=PHONE, code=second, now=T0 + timedelta(minutes=2)) is True


def test_verify_without_any_code_fails():
    with pytest.raises(NoActiveCode):
        code_verify(phone=PHONE, code="123456", now=T0)


def test_a_code_works_for_its_own_phone_only():
    OneTimeCodeFactory(phone="+77011234568", code="123456", created_at=T0)
    with pytest.raises(NoActiveCode):
        code_verify(phone=PHONE, code="123456", now=T0)


def test_r_au_1_concurrent_guesses_cannot_pass_five_wrong_tries():
    # Another request spent the last try between our read and our UPDATE.
    otc = OneTimeCodeFactory(phone=PHONE, code="123456", created_at=T0, attempts=4)
    stale = OneTimeCode.objects.get(pk=otc.pk)
    OneTimeCode.objects.filter(pk=otc.pk).update(attempts=5)
    with pytest.raises(TooManyAttempts):
        code_check(otc=stale, phone=PHONE, code="000000", now=T0)
    assert OneTimeCode.objects.get().attempts == 5


def test_r_au_1_single_use_under_concurrency():
    # Two requests read the unused code; the first marks it used; the second must fail.
    otc = OneTimeCodeFactory(phone=PHONE, code="123456", created_at=T0)
    stale = OneTimeCode.objects.get(pk=otc.pk)
    assert code_verify(phone=PHONE, code="123456", now=T0) is True
    with pytest.raises(NoActiveCode):
        code_check(otc=stale, phone=PHONE, code="123456", now=T0)


# --- phone_sign_in ---------------------------------------------------------------------


def test_a_new_phone_becomes_a_citizen_and_is_signed_in():
    code = send()
    request = sign_in_request()
    user = phone_sign_in(request=request, phone=PHONE, code=code, now=T0)
    assert user.role == Role.CITIZEN
    assert user.phone == PHONE
    assert user.username == "phone+77011234567"
    assert not user.has_usable_password()
    assert request.session[SESSION_KEY] == str(user.pk)
    assert request.user == user
    assert user.iin is None


def test_an_existing_guard_signs_in_as_himself():
    guard = CitizenFactory(phone=PHONE)  # a guard is a citizen whose phone guards a venue (R-VN-7)
    code = send()
    request = sign_in_request()
    assert phone_sign_in(request=request, phone=PHONE, code=code, now=T0) == guard
    assert User.objects.count() == 1


def test_a_new_phone_gets_a_fresh_username_when_the_old_one_is_taken():
    CitizenFactory(phone="+77019999999", username="phone+77011234567")
    code = send()
    user = phone_sign_in(request=sign_in_request(), phone=PHONE, code=code, now=T0)
    assert user.username.startswith("phone+77011234567-")


@pytest.mark.parametrize("role", sorted(set(Role) - PHONE_ROLES))
def test_r_au_3_a_staff_phone_cannot_sign_in_by_sms(role):
    UserFactory(phone=PHONE, role=role)
    code = send()
    request = sign_in_request()
    with pytest.raises(PasswordAccount):
        phone_sign_in(request=request, phone=PHONE, code=code, now=T0)
    assert SESSION_KEY not in request.session
    assert not request.user.is_authenticated


def test_a_superuser_with_a_citizen_role_cannot_sign_in_by_sms():
    CitizenFactory(phone=PHONE, is_superuser=True, is_staff=True)
    code = send()
    with pytest.raises(PasswordAccount):
        phone_sign_in(request=sign_in_request(), phone=PHONE, code=code, now=T0)


def test_a_disabled_account_cannot_sign_in():
    CitizenFactory(phone=PHONE, is_active=False)
    code = send()
    request = sign_in_request()
    with pytest.raises(AccountDisabled):
        phone_sign_in(request=request, phone=PHONE, code=code, now=T0)
    assert SESSION_KEY not in request.session


def test_a_wrong_code_says_how_many_tries_are_left_and_stays_counted():
    code = send()
    request = sign_in_request()
    with pytest.raises(WrongCode) as info:
        phone_sign_in(request=request, phone=PHONE, code=wrong(code), now=T0)
    assert info.value.tries_left == 4
    assert OneTimeCode.objects.get().attempts == 1
    assert not User.objects.exists()
    assert SESSION_KEY not in request.session
