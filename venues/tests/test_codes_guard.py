"""R-VN-7: the owner enables guard mode with the venue's phone; the guard signs in by
that phone and an SMS code (R-AU-1) and reaches that venue's guard page only."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ashyq.accounts.models import Role, User
from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from ashyq.sms.models import SmsMessage
from venues.codes.services import codes_issue, guard_mode_enable
from venues.models import QrCode
from venues.tests.factories import EntranceFactory, VenueFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2021, 5, 3, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
PHONE = "+77051112233"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def venue():
    venue = VenueFactory(name="Фитнес «Сила»", phone=PHONE)
    EntranceFactory(venue=venue, name="Главный вход")
    EntranceFactory(venue=venue, name="Со двора")
    codes_issue(venue=venue, actor=None, now=T0)
    return venue


def sms_sign_in(client, phone):
    """The SMS sign-in a guard goes through: phone, then the code from the SMS."""
    response = client.post(reverse("sms:phone"), {"phone": phone})
    assert response.status_code == 302, response.content.decode()
    text = SmsMessage.objects.filter(phone=phone).latest("sent_at", "pk").text
    code = re.search(r"\b\d{6}\b", text).group()
    return client.post(reverse("sms:code"), {"code": code})


def enable(client, venue, phone):
    return client.post(reverse("codes:guard_enable", args=[venue.pk]), {"phone": phone}, follow=True)


def test_owner_enables_guard_mode_and_the_guard_signs_in_to_his_venue_only(client, venue):
    owner = venue.company.owner
    client.force_login(owner)
    response = enable(client, venue, "8 705 111 22 33")  # normalised
    assert "Guard mode is on" in response.content.decode()
    venue.refresh_from_db()
    assert venue.guard_phone == PHONE

    guard = Client()
    guard.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert sms_sign_in(guard, PHONE).status_code == 302
    assert User.objects.get(phone=PHONE).role == Role.GUARD
    page = guard.get(reverse("checkin:guard"))
    text = page.content.decode()
    assert page.status_code == 200
    assert venue.name in text.replace("&laquo;", "«").replace("&raquo;", "»")
    assert "Главный вход" in text and "Со двора" in text


def test_the_guard_gets_nothing_of_the_owners_pages_of_any_venue(client, venue):
    other = VenueFactory()
    EntranceFactory(venue=other)
    codes_issue(venue=other, actor=None, now=T0)
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    sms_sign_in(client, PHONE)
    for target in (venue, other):
        code = QrCode.objects.filter(entrance__venue=target).first()
        for url in (
            reverse("codes:venue_codes", args=[target.pk]),
            reverse("codes:code_png", args=[target.pk, code.pk]),
            reverse("codes:code_pdf", args=[target.pk, code.pk]),
            reverse("codes:codes_zip", args=[target.pk]),
            reverse("venues:venue_detail", args=[target.pk]),
        ):
            assert client.get(url).status_code in (403, 404), url
        for name in ("codes_reissue", "guard_enable", "guard_disable"):
            assert client.post(reverse(f"codes:{name}", args=[target.pk]), {"phone": PHONE}).status_code == 403
    # The guard page never names the other venue.
    assert other.name not in client.get(reverse("checkin:guard")).content.decode()


def test_after_disabling_the_guard_is_signed_out_and_cannot_sign_in_again(client, venue):
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    guard = Client()
    sms_sign_in(guard, PHONE)
    assert guard.get(reverse("checkin:guard")).status_code == 200

    client.force_login(venue.company.owner)
    response = client.post(reverse("codes:guard_disable", args=[venue.pk]), follow=True)
    assert "Guard mode is off" in response.content.decode()
    venue.refresh_from_db()
    assert venue.guard_phone is None

    # The open session is gone: the guard page sends him to the phone sign-in.
    response = guard.get(reverse("checkin:guard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("sms:phone"))
    # And signing in again is refused.
    guard.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = sms_sign_in(guard, PHONE)
    assert response.status_code == 200
    assert "This account is disabled" in response.content.decode()


def test_a_guard_whose_phone_guards_no_venue_sees_a_clear_page(client):
    UserFactory(role=Role.GUARD, phone="+77050000000", username="phone+77050000000")
    client.force_login(User.objects.get(phone="+77050000000"))
    response = client.get(reverse("checkin:guard"))
    assert response.status_code == 200
    assert "Guard mode is off for this phone" in response.content.decode()


@pytest.mark.parametrize("role", [Role.OWNER, Role.CITIZEN, Role.OPERATOR])
def test_the_guard_page_is_for_guards_only(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("checkin:guard")).status_code == 403


def test_the_guard_page_is_get_only(client, venue):
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    client.force_login(User.objects.get(phone=PHONE))
    assert client.post(reverse("checkin:guard")).status_code == 405


REFUSED = "This number cannot be the guard phone"


def test_a_citizens_phone_is_refused_with_a_message(client, venue):
    CitizenFactory(phone=PHONE)
    client.force_login(venue.company.owner)
    response = enable(client, venue, PHONE)
    assert REFUSED in response.content.decode()
    venue.refresh_from_db()
    assert venue.guard_phone is None


def test_a_phone_guarding_another_venue_is_refused_with_a_message(client, venue):
    other = VenueFactory()
    guard_mode_enable(venue=other, phone=PHONE, actor=None, now=T0)
    client.force_login(venue.company.owner)
    response = enable(client, venue, PHONE)
    assert REFUSED in response.content.decode()


def test_the_refusals_do_not_tell_whose_number_it_is(client, venue):
    """An owner typing numbers must not learn which belong to citizens or other venues."""
    CitizenFactory(phone=PHONE)
    guard_mode_enable(venue=VenueFactory(), phone="+77017654321", actor=None, now=T0)
    client.force_login(venue.company.owner)
    citizens = enable(client, venue, PHONE).content.decode()
    other_venues = enable(client, venue, "+77017654321").content.decode()
    assert citizens.count(REFUSED) == other_venues.count(REFUSED) == 1
    for page in (citizens, other_venues):
        assert "personal or staff account" not in page and "guard phone of another venue." not in page


def test_a_number_that_is_not_a_mobile_of_kazakhstan_is_refused(client, venue):
    client.force_login(venue.company.owner)
    response = enable(client, venue, "+7 727 123 45 67")  # an Almaty landline gets no SMS
    assert "Enter a mobile number of Kazakhstan" in response.content.decode()
    venue.refresh_from_db()
    assert venue.guard_phone is None
    assert not User.objects.filter(phone="+77271234567").exists()


def test_owner_a_cannot_switch_guard_mode_of_owner_bs_venue(client, venue):
    other = VenueFactory()
    guard_mode_enable(venue=other, phone="+77059998877", actor=None, now=T0)
    client.force_login(venue.company.owner)
    assert client.post(reverse("codes:guard_enable", args=[other.pk]), {"phone": PHONE}).status_code == 404
    assert client.post(reverse("codes:guard_disable", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.guard_phone == "+77059998877"


def test_anonymous_owner_actions_go_to_sign_in(client, venue):
    response = client.post(reverse("codes:guard_enable", args=[venue.pk]), {"phone": PHONE})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    venue.refresh_from_db()
    assert venue.guard_phone is None


def test_the_demo_guard_guards_the_demo_cafe_and_a_second_run_changes_nothing(client):
    from ashyq.accounts import demo as accounts_demo
    from ashyq.mocks import demo as mocks_demo
    from venues import demo as venues_demo
    from venues.codes import demo as codes_demo

    for module in (accounts_demo, mocks_demo, venues_demo):
        module.seed()
    [credential] = codes_demo.seed()
    assert codes_demo.seed() == [credential]
    assert credential.login == codes_demo.GUARD_PHONE
    client.force_login(User.objects.get(phone=codes_demo.GUARD_PHONE))
    text = client.get(reverse("checkin:guard")).content.decode()
    assert "Дастархан" in text
