"""R-VN-7: the owner names the venue's guard phone; its holder, at his next sign-in by
that phone and an SMS code (R-AU-1), accepts or declines; once he accepts he reaches
that venue's guard page only. The attacks on the old guard mode are here too: a
stranger's number named and switched off disabled him, and the answer told whether
a number had an account."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role, User
from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from ashyq.sms.models import SmsMessage
from venues.codes.selectors import venue_for_guard
from venues.codes.services import codes_issue, guard_consent_answer, guard_mode_enable
from venues.models import GuardConsent, QrCode, Venue
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


def sms_sign_in(client, phone, *, follow=False):
    """The SMS sign-in a guard goes through: phone, then the code from the SMS."""
    response = client.post(reverse("sms:phone"), {"phone": phone})
    assert response.status_code == 302, response.content.decode()
    text = SmsMessage.objects.filter(phone=phone).latest("sent_at", "pk").text
    code = re.search(r"\b\d{6}\b", text).group()
    return client.post(reverse("sms:code"), {"code": code}, follow=follow)


def phone_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def answer(client, venue, choice):
    return client.post(reverse("codes:guard_request_answer", args=[venue.pk]), {"answer": choice}, follow=True)


def accepted(venue, phone=PHONE):
    """The holder of `phone` signs in and accepts: the venue's guard from now on."""
    guard = phone_client()
    sms_sign_in(guard, phone)
    answer(guard, venue, "accept")
    return guard


def enable(client, venue, phone):
    return client.post(reverse("codes:guard_enable", args=[venue.pk]), {"phone": phone}, follow=True)


def test_owner_names_the_phone_and_its_holder_accepts_at_his_sign_in(client, venue):
    client.force_login(venue.company.owner)
    response = enable(client, venue, "8 705 111 22 33")  # normalised
    assert "Guard mode waits for the phone" in response.content.decode()
    assert "Pending" in response.content.decode()
    venue.refresh_from_db()
    assert (venue.guard_phone, venue.guard_consent) == (PHONE, GuardConsent.PENDING)

    guard = phone_client()
    asked = sms_sign_in(guard, PHONE, follow=True)
    assert asked.redirect_chain[-1][0] == reverse("codes:after_sign_in")
    assert "asks you to be its guard" in asked.content.decode() and "Фитнес «Сила»" in asked.content.decode()
    landed = answer(guard, venue, "accept")
    assert landed.redirect_chain[-1][0] == reverse("checkin:guard")
    assert User.objects.get(phone=PHONE).role == Role.CITIZEN
    text = landed.content.decode()
    assert "Главный вход" in text and "Со двора" in text
    venue.refresh_from_db()
    assert venue.guard_consent == GuardConsent.ACCEPTED
    assert "accepted" in client.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    # The next sign-in asks nothing and lands on the guard page.
    again = phone_client()
    assert sms_sign_in(again, PHONE, follow=True).redirect_chain[-1][0] == reverse("checkin:guard")


def test_until_the_holder_accepts_his_sign_in_never_lands_on_the_guard_page(client, venue):
    """The attack: guard mode took any phone with no proof, and its sign-in opened the
    guard page. Now a pending or declined phone lands where it would anyway."""
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    holder = phone_client()
    sms_sign_in(holder, PHONE)
    assert "Guard mode is off for this phone" in holder.get(reverse("checkin:guard")).content.decode()
    response = holder.post(reverse("checkin:guard_lookup"), {"iin": "900101300125", "consent": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("checkin:guard")
    declined = answer(holder, venue, "decline")
    assert declined.redirect_chain[-1][0] == reverse("visitors:link_iin")  # a citizen's own first page
    venue.refresh_from_db()
    assert venue.guard_consent == GuardConsent.DECLINED
    assert "Declined" in client_of(venue).get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    assert "Guard mode is off for this phone" in holder.get(reverse("checkin:guard")).content.decode()


def client_of(venue) -> Client:
    owner = phone_client()
    owner.force_login(venue.company.owner)
    return owner


def test_switching_guard_mode_off_never_disables_the_phones_own_account(venue):
    """The attack: an owner named a stranger's number and switched guard mode off; that
    person was then "disabled" at every sign-in."""
    owner = client_of(venue)
    enable(owner, venue, PHONE)
    owner.post(reverse("codes:guard_disable", args=[venue.pk]))
    stranger = phone_client()
    response = sms_sign_in(stranger, PHONE, follow=True)
    assert "disabled" not in response.content.decode()
    assert response.wsgi_request.user.is_authenticated and response.wsgi_request.user.is_active
    # Even once he had accepted and guarded, switching off leaves his own account alone.
    enable(owner, venue, PHONE)
    guard = accepted(venue)
    owner.post(reverse("codes:guard_disable", args=[venue.pk]))
    assert "Guard mode is off for this phone" in guard.get(reverse("checkin:guard")).content.decode()
    assert guard.get(reverse("visitors:link_iin")).status_code == 200  # his citizen pages still open
    assert sms_sign_in(phone_client(), PHONE).status_code == 302


def test_naming_a_number_tells_the_owner_nothing_of_its_account(venue):
    """The attack: the refusal told the owner whether a typed number had an account."""
    CitizenFactory(phone="+77051110001")
    UserFactory(role=Role.OWNER, phone="+77051110002")
    guard_mode_enable(venue=VenueFactory(), phone="+77051110003", actor=None, now=T0)
    owner = client_of(venue)
    pages = []
    for phone in ("+77051110001", "+77051110002", "+77051110003", "+77051110004"):
        text = enable(owner, venue, phone).content.decode()
        pages.append(re.sub(r"\+7705111000\d|7705111000\d", "PHONE", text))
        venue.refresh_from_db()
        assert venue.guard_consent == GuardConsent.PENDING
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert len({csrf.sub("", page) for page in pages}) == 1


def test_only_the_phones_holder_answers(venue):
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    other = phone_client()
    sms_sign_in(other, "+77059990000")
    response = answer(other, venue, "accept")
    assert "no longer open" in response.content.decode()
    venue.refresh_from_db()
    assert venue.guard_consent == GuardConsent.PENDING


def test_accepting_another_venue_ends_the_first(venue):
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    accepted(venue)
    second = VenueFactory(name="Кафе «Второе»")
    EntranceFactory(venue=second)
    codes_issue(venue=second, actor=None, now=T0)
    guard_mode_enable(venue=second, phone=PHONE, actor=None, now=T0)
    guard = accepted(second)
    venue.refresh_from_db()
    second.refresh_from_db()
    assert (venue.guard_consent, second.guard_consent) == (GuardConsent.DECLINED, GuardConsent.ACCEPTED)
    assert "Кафе «Второе»" in guard.get(reverse("checkin:guard")).content.decode()


def test_a_guards_session_ends_with_the_shift(venue):
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    guard = accepted(venue)
    shift = timezone.timedelta(hours=settings.SESSION_SHIFT_HOURS)
    assert guard.session.get_expiry_date() <= T0 + shift
    with time_machine.travel(T0 + shift, tick=False):
        assert guard.get(reverse("checkin:guard")).status_code == 302  # to the sign-in


def test_the_guard_gets_nothing_of_the_owners_pages_of_any_venue(client, venue):
    other = VenueFactory()
    EntranceFactory(venue=other)
    codes_issue(venue=other, actor=None, now=T0)
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    client = accepted(venue)
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


@pytest.mark.parametrize("role", [Role.OWNER, Role.OPERATOR])
def test_the_guard_page_is_for_phone_accounts_only(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("checkin:guard")).status_code == 403


def test_the_guard_page_is_get_only(client, venue):
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    assert accepted(venue).post(reverse("checkin:guard")).status_code == 405


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
    assert Venue.objects.get(guard_phone=codes_demo.GUARD_PHONE).guard_consent == GuardConsent.ACCEPTED
    guard = phone_client()
    assert sms_sign_in(guard, codes_demo.GUARD_PHONE, follow=True).redirect_chain[-1][0] == reverse("checkin:guard")
    assert "Дастархан" in guard.get(reverse("checkin:guard")).content.decode()


def test_the_service_refuses_an_answer_for_a_venue_that_stopped_asking(venue):
    guard_mode_enable(venue=venue, phone=PHONE, actor=None, now=T0)
    guard_mode_enable(venue=venue, phone="+77059998877", actor=None, now=T0)
    from venues.codes.services import GuardModeError

    with pytest.raises(GuardModeError):
        guard_consent_answer(venue_id=venue.pk, phone=PHONE, accept=True, actor=None, now=T0)


def test_b1_the_guards_venue_is_the_orms_with_its_entrances_in_one_query_and_nothing_more():
    """R-VN-7: only the accepted guard's venue; read in one statement, the venue and its
    entrances as the ORM gives them, and no instance of its region or category (the
    door needs their ids only)."""
    guard = CitizenFactory(phone=PHONE)
    venue = VenueFactory(guard_phone=PHONE, guard_consent=GuardConsent.ACCEPTED)
    second, first = EntranceFactory(venue=venue, position=2), EntranceFactory(venue=venue, position=1)
    VenueFactory(guard_phone="+77051112234", guard_consent=GuardConsent.ACCEPTED)  # another guard's
    with CaptureQueriesContext(connection) as queries:
        found = venue_for_guard(guard)
    assert len(queries) == 1
    orm = Venue.objects.get(pk=venue.pk)
    fields = [field.attname for field in Venue._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(orm, name) for name in fields]
    assert [e.pk for e in found.guard_entrances] == [first.pk, second.pk]
    assert all(e.venue is found and e.name == e.__class__.objects.get(pk=e.pk).name for e in found.guard_entrances)
    assert not Venue._meta.get_field("region").is_cached(found)
    assert not Venue._meta.get_field("category").is_cached(found)

    for consent in (GuardConsent.PENDING, GuardConsent.DECLINED):
        Venue.objects.filter(pk=venue.pk).update(guard_consent=consent)
        assert venue_for_guard(guard) is None
