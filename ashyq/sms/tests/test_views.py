import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from ashyq.accounts.models import Role, User
from ashyq.sms.models import OneTimeCode, SmsMessage
from ashyq.sms.services import code_send
from ashyq.sms.tests.factories import UserFactory
from ashyq.sms.views import NEXT_KEY, PHONE_KEY

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Asia/Almaty"))
PHONE = "+77011234567"
PHONE_URL = reverse("sms:phone")
CODE_URL = reverse("sms:code")
RESEND_URL = reverse("sms:resend")
OUTBOX_URL = reverse("sms:outbox")


@pytest.fixture
def client():
    # English pages: the language the person picked with the switcher.
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def sent_code(phone: str = PHONE) -> str:
    text = SmsMessage.objects.filter(phone=phone).latest("sent_at", "pk").text
    return re.search(r"\b\d{6}\b", text).group()


def start(client, phone: str = "+7 701 123 45 67", **extra):
    """Posts the phone form; the phone is then in the session."""
    response = client.post(PHONE_URL, {"phone": phone, **extra})
    assert response.status_code == 302, response.content
    return response


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def assert_no_phone_in(url: str):
    digits = re.sub(r"\D", "", url)
    assert "7011234567" not in digits, url


# --- the phone page --------------------------------------------------------------------


def test_phone_page_shows_the_form(client):
    response = client.get(PHONE_URL)
    assert response.status_code == 200
    assert b'name="phone"' in response.content
    assert b'autocomplete="tel"' in response.content


def test_phone_post_sends_a_code_and_keeps_the_phone_in_the_session_not_the_url(client):
    response = start(client)
    assert response.url == CODE_URL
    assert_no_phone_in(response.url)
    assert client.session[PHONE_KEY] == PHONE
    assert OneTimeCode.objects.filter(phone=PHONE).count() == 1


def test_phone_post_rejects_a_number_that_is_not_a_kazakhstan_mobile(client):
    response = client.post(PHONE_URL, {"phone": "+7 727 123 45 67"})
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not OneTimeCode.objects.exists()
    assert PHONE_KEY not in client.session


def test_r_au_1_sixth_code_in_an_hour_is_refused_with_a_message(client, frozen):
    for minute in range(4, -1, -1):
        frozen.move_to(T0 - timedelta(minutes=minute))
        client.post(PHONE_URL, {"phone": PHONE})
    frozen.move_to(T0)
    response = client.post(PHONE_URL, {"phone": PHONE})
    assert response.status_code == 200
    assert "at 12:56" in str(response.context["form"].non_field_errors())
    assert OneTimeCode.objects.count() == 5


def test_r_ci_2_failed_gateway_says_to_ask_the_guard_and_keeps_nothing(client, settings):
    settings.SMS_FAIL = True
    response = client.post(PHONE_URL, {"phone": PHONE})
    assert response.status_code == 200
    assert "ask the guard to enter your IIN" in response.content.decode()
    assert not OneTimeCode.objects.exists()
    assert PHONE_KEY not in client.session


def test_phone_page_refuses_other_methods(client):
    assert client.put(PHONE_URL).status_code == 405


# --- the code page ---------------------------------------------------------------------


def test_code_page_without_a_phone_goes_back_to_the_phone_page(client):
    response = client.get(CODE_URL)
    assert response.status_code == 302
    assert response.url == PHONE_URL


def test_code_page_shows_the_time_left_and_a_numeric_one_time_code_field(client, frozen):
    start(client)
    frozen.shift(timedelta(seconds=30))
    response = client.get(CODE_URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'inputmode="numeric"' in body
    assert 'autocomplete="one-time-code"' in body
    assert response.context["seconds_left"] == 270
    assert "valid until 12:05" in body
    assert f'action="{RESEND_URL}"' in body


def test_r_au_1_right_code_signs_in_a_new_citizen_and_goes_home(client):
    start(client)
    response = client.post(CODE_URL, {"code": sent_code()})
    assert response.status_code == 302
    # Every phone sign-in passes by the guard requests (R-VN-7), then goes home.
    assert response.url == reverse("codes:after_sign_in")
    assert client.get(response.url).url == reverse("core:home")
    user = User.objects.get(phone=PHONE)
    assert user.role == Role.CITIZEN
    assert client.session[SESSION_KEY] == str(user.pk)
    assert PHONE_KEY not in client.session


def test_sign_in_goes_to_a_safe_next_url(client):
    start(client, next="/regions/")
    assert client.session[NEXT_KEY] == "/regions/"
    response = client.post(CODE_URL, {"code": sent_code()})
    assert client.get(response.url).url == "/regions/"


def test_sign_in_ignores_a_next_url_on_another_host(client):
    start(client, next="https://evil.example/")
    response = client.post(CODE_URL, {"code": sent_code()})
    assert client.get(response.url).url == reverse("core:home")


def test_the_phone_never_appears_in_a_url(client):
    urls = [start(client).url]
    client.post(CODE_URL, {"code": wrong(sent_code())})
    urls.append(client.post(RESEND_URL).url)
    urls.append(client.post(CODE_URL, {"code": sent_code()}).url)
    for url in urls:
        assert_no_phone_in(url)


def test_r_au_1_wrong_code_says_how_many_tries_are_left(client):
    start(client)
    code = sent_code()
    response = client.post(CODE_URL, {"code": wrong(code)})
    assert response.status_code == 200
    assert "4 tries left" in str(response.context["form"].non_field_errors())
    assert response.context["tries_left"] == 4
    assert SESSION_KEY not in client.session


def test_malformed_code_is_refused_without_counting_a_try(client):
    start(client)
    response = client.post(CODE_URL, {"code": "12ab"})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert OneTimeCode.objects.get().attempts == 0


def test_r_au_1_code_refused_at_5_00_on_the_page(client, frozen):
    start(client)
    frozen.shift(timedelta(minutes=5))
    response = client.post(CODE_URL, {"code": sent_code()})
    assert response.status_code == 200
    assert "expired" in str(response.context["form"].non_field_errors())
    assert response.context["code"] is None
    assert SESSION_KEY not in client.session


def test_r_au_3_a_staff_phone_cannot_sign_in_by_sms(client):
    UserFactory(phone=PHONE, role=Role.OWNER)
    start(client)
    response = client.post(CODE_URL, {"code": sent_code()})
    assert response.status_code == 200
    assert "password" in str(response.context["form"].non_field_errors())
    assert SESSION_KEY not in client.session


def test_code_page_refuses_other_methods(client):
    start(client)
    assert client.delete(CODE_URL).status_code == 405


# --- send again ------------------------------------------------------------------------


def test_resend_sends_a_new_code_and_the_old_one_stops_working(client, frozen):
    start(client)
    first = sent_code()
    frozen.shift(timedelta(minutes=1))
    response = client.post(RESEND_URL)
    second = sent_code()
    assert response.url == CODE_URL
    assert OneTimeCode.objects.count() == 2
    if first != second:  # one chance in a million that both codes are equal
        response = client.post(CODE_URL, {"code": first})
        assert response.status_code == 200
        assert SESSION_KEY not in client.session
    assert client.post(CODE_URL, {"code": second}).status_code == 302
    assert SESSION_KEY in client.session


def test_r_au_1_resend_respects_the_hourly_limit(client):
    start(client)
    for _ in range(4):
        client.post(RESEND_URL)
    response = client.post(RESEND_URL, follow=True)
    assert OneTimeCode.objects.count() == 5
    assert "Too many codes" in response.content.decode()


def test_resend_without_a_phone_goes_to_the_phone_page(client):
    response = client.post(RESEND_URL)
    assert response.url == PHONE_URL
    assert not OneTimeCode.objects.exists()


def test_resend_refuses_get(client):
    start(client)
    assert client.get(RESEND_URL).status_code == 405


# --- the mock gateway's outbox ---------------------------------------------------------


def test_outbox_shows_the_code_sent_to_the_phone_in_the_session_only(client, settings):
    settings.SMS_MOCK_OUTBOX = True
    code_send(phone="+77019999999", now=T0)
    other = sent_code("+77019999999")
    start(client)
    mine = sent_code()
    response = client.get(OUTBOX_URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mock SMS gateway" in body
    assert mine in body
    assert "+77019999999" not in body and (other == mine or other not in body)


def test_outbox_without_a_phone_shows_nothing(client, settings):
    settings.SMS_MOCK_OUTBOX = True
    code_send(phone=PHONE, now=T0)
    response = client.get(OUTBOX_URL)
    assert response.status_code == 200
    assert response.context["messages_sent"] == []


def test_outbox_is_404_when_the_mock_outbox_is_off(client, settings):
    settings.SMS_MOCK_OUTBOX = False
    start(client)
    assert client.get(OUTBOX_URL).status_code == 404


def test_outbox_refuses_post(client, settings):
    settings.SMS_MOCK_OUTBOX = True
    assert client.post(OUTBOX_URL).status_code == 405


# --- Abuse: limits of the sender, not of the victim's number (R-AU-1) ----------------------------


def _from(ip: str, *, device: str | None = None) -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if device:
        client.cookies["ashyq_device"] = device
    return client


def _sign_in(client, phone=PHONE) -> None:
    client.post(PHONE_URL, {"phone": phone})
    code = re.search(r"code: (\d{6})", SmsMessage.objects.filter(phone=phone).latest("pk").text).group(1)
    assert client.post(CODE_URL, {"code": code}).status_code == 302


def test_r_au_1_a_strangers_requests_do_not_block_the_holders_sign_in():
    """The attack: five anonymous code requests for a number blocked its holder's sign-in for an hour."""
    stranger = _from("198.51.100.66")
    for _ in range(6):
        stranger.post(PHONE_URL, {"phone": PHONE})
    holder = _from("203.0.113.5")
    response = holder.post(PHONE_URL, {"phone": PHONE})
    assert response.status_code == 302 and response["Location"] == CODE_URL
    code = re.search(r"code: (\d{6})", SmsMessage.objects.filter(phone=PHONE).latest("pk").text).group(1)
    assert holder.post(CODE_URL, {"code": code}).status_code == 302


def test_r_au_1_a_code_asked_by_someone_else_does_not_replace_the_holders():
    holder = _from("203.0.113.5")
    holder.post(PHONE_URL, {"phone": PHONE})
    code = re.search(r"code: (\d{6})", SmsMessage.objects.filter(phone=PHONE).latest("pk").text).group(1)
    _from("198.51.100.66").post(PHONE_URL, {"phone": PHONE})  # a newer code for the same number
    assert holder.post(CODE_URL, {"code": code}).status_code == 302


def test_r_au_1_one_address_cannot_text_every_number():
    """The attack: anyone could make Ashyq send SMS to any numbers, five an hour each."""
    sender = _from("198.51.100.66")
    phones = [f"+770199900{n:02d}" for n in range(12)]
    answers = [sender.post(PHONE_URL, {"phone": phone}) for phone in phones]
    sent = [answer for answer in answers if answer.status_code == 302]
    assert len(sent) == settings.SMS_CODES_PER_ADDRESS
    assert "from your network" in str(answers[-1].context["form"].non_field_errors())
    assert SmsMessage.objects.count() == settings.SMS_CODES_PER_ADDRESS


def test_r_au_1_a_number_gets_a_bounded_count_from_unknown_devices_but_its_own_device_gets_through():
    holder = _from("203.0.113.5")
    _sign_in(holder)
    device = holder.cookies["ashyq_device"].value
    for n in range(settings.SMS_CODES_PER_NUMBER - 1):  # the holder's own code counted too
        assert _from(f"198.51.100.{n + 1}").post(PHONE_URL, {"phone": PHONE}).status_code == 302
    refused = _from("198.51.100.200").post(PHONE_URL, {"phone": PHONE})
    assert refused.status_code == 200 and "Too many codes were asked for this number" in refused.content.decode()
    # The holder's own phone, even from a new network, still signs in.
    assert _from("192.0.2.7", device=device).post(PHONE_URL, {"phone": PHONE}).status_code == 302


def test_the_device_cookie_is_the_phones_and_signed(client):
    holder = _from("203.0.113.5")
    _sign_in(holder)
    cookie = holder.cookies["ashyq_device"]
    assert PHONE not in cookie.value and cookie["httponly"]
    for n in range(settings.SMS_CODES_PER_NUMBER):
        _from(f"198.51.100.{n + 1}").post(PHONE_URL, {"phone": PHONE})
    forged = _from("192.0.2.7", device=cookie.value.replace(cookie.value[-3:], "abc"))
    assert forged.post(PHONE_URL, {"phone": PHONE}).status_code == 200
    other_number = _from("192.0.2.8", device=cookie.value)
    for n in range(settings.SMS_CODES_PER_NUMBER):
        _from(f"198.51.101.{n + 1}").post(PHONE_URL, {"phone": "+77019990000"})
    assert other_number.post(PHONE_URL, {"phone": "+77019990000"}).status_code == 200


def test_old_codes_and_messages_are_purged(frozen):
    from ashyq.sms.tasks import purge_codes

    code_send(phone=PHONE, now=T0 - timedelta(days=2))
    code_send(phone=PHONE, now=T0 - timedelta(hours=2))
    SmsMessage.objects.update(sent_at=T0 - timedelta(days=2))
    assert purge_codes() == 3
    assert OneTimeCode.objects.count() == 1
