"""The pages of the door (docs/rules.md §7, §11): the visitor's scan (R-CI-1, R-CI-4, R-CI-5),
the guard page (R-CI-2, R-CI-3, R-CI-6, R-PR-6), the remote check (R-CI-8), the sanitary
officers' reports (R-CI-3) and the citizen's own lists (R-PR-4)."""

import copy
import io
import re
from datetime import date, timedelta

import pytest
import time_machine
import zxingcpp
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from ashyq.accounts.models import Role, User
from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from ashyq.identifiers import make_iin
from ashyq.mocks.services import subscriber_set
from ashyq.reference.tests.factories import RegionFactory
from ashyq.sms.models import SmsMessage
from statuses.models import SyncState
from statuses.persons import person_key
from statuses.tests.factories import ContactFactory, PcrResultFactory, local
from venues.codes.selectors import code_token
from venues.models import Direction, QrCode, Standing, Venue
from visitors.models import DoorReport, RemoteCheck, StatusLookup, Visit
from visitors.tests.factories import DoorReportFactory, GuardFactory, StatusLookupFactory, VisitFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 5, 3, 10)
GUARD = reverse("checkin:guard")
LOOKUP = reverse("checkin:guard_lookup")
CHECK = reverse("checkin:check")
SANITARY = reverse("checkin:sanitary")
ME = reverse("visitors:me")

# Born 1 May 1990: the birth date a guard's answer must never give away (R-PR-6).
RED = make_iin(birth_date=date(1990, 5, 1), sex="male", serial=1234)
YELLOW = make_iin(birth_date=date(1985, 12, 24), sex="female", serial=2345)
GREEN = make_iin(birth_date=date(1978, 1, 30), sex="male", serial=3456)
MINOR = make_iin(birth_date=date(2005, 7, 9), sex="female", serial=4567)
BIRTH_DATES = {
    RED: ("1990-05-01", "01.05.1990", "1.05.1990", "01/05/1990", "1 мая 1990", "1 May 1990", "May 1, 1990"),
    MINOR: ("2005-07-09", "09.07.2005", "9.07.2005", "09/07/2005", "9 июля 2005", "9 July 2005", "July 9, 2005"),
}


@pytest.fixture(autouse=True)
def clock():
    cache.clear()  # a status cached by another test must never answer here
    with time_machine.travel(T0, tick=False) as traveller:
        SyncState.objects.update(last_success_at=T0 - timedelta(minutes=3))
        yield traveller
    cache.clear()


@pytest.fixture
def client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def venue():
    return open_venue(
        now=T0 - timedelta(days=20), entrances=2, name="Кафе «Дастархан»", address="Алматы, пр. Абая, 10", capacity=40
    )


@pytest.fixture
def guard(venue):
    return GuardFactory(venue=venue)


@pytest.fixture
def statuses():
    """One person of each colour in our copy of the registries (R-ST-1)."""
    PcrResultFactory(iin=RED, positive=True, sampled_at=T0 - timedelta(days=1))
    ContactFactory(iin=YELLOW, contact_date=date(2021, 5, 1), registered_at=T0 - timedelta(days=1))
    PcrResultFactory(iin=GREEN, positive=False, sampled_at=T0 - timedelta(hours=10))


def scan_url(venue, direction=Direction.ENTRY, position=0) -> str:
    code = (
        QrCode.objects.select_related("entrance__venue")
        .filter(entrance__venue=venue, direction=direction, revoked_at__isnull=True)
        .order_by("entrance__position")[position]
    )
    return reverse("checkin:scan", args=[code_token(code)])


def signed_in(client, user):
    client.force_login(user)
    return client


def text_of(response) -> str:
    return response.content.decode().replace("&laquo;", "«").replace("&raquo;", "»").replace("&#x27;", "'")


def sms_sign_in(client, phone, *, next_url=None):
    """The phone sign-in (R-AU-1) as a person does it: the phone, then the code of the SMS."""
    response = client.post(reverse("sms:phone"), {"phone": phone, **({"next": next_url} if next_url else {})})
    assert response.status_code == 302, response.content.decode()
    text = SmsMessage.objects.filter(phone=phone).latest("sent_at", "pk").text
    return client.post(reverse("sms:code"), {"code": re.search(r"\b\d{6}\b", text).group()}, follow=True)


def look_up(client, venue, headers=None, **data):
    entrance = venue.entrances.order_by("position").first()
    return client.post(LOOKUP, {"entrance": entrance.pk, "consent": "on", **data}, headers=headers or {})


# --- /q/<token>: the visitor's scan (R-CI-1) -----------------------------------------------------


def test_r_ci_1_a_visitor_not_signed_in_sees_the_venue_and_a_phone_sign_in_that_comes_back(client, venue):
    url = scan_url(venue)
    response = client.get(url)
    text = text_of(response)
    assert response.status_code == 200
    assert "Кафе «Дастархан»" in text and "Entry" in text
    assert f'action="{reverse("sms:phone")}"' in text
    assert f'name="next" value="{url}"' in text
    assert not Visit.objects.exists()


def test_r_ci_1_after_the_sms_sign_in_the_visitor_is_back_at_the_same_check_in(client, venue, statuses):
    citizen = CitizenFactory(iin=GREEN)
    url = scan_url(venue)
    assert client.get(url).status_code == 200

    response = sms_sign_in(client, citizen.phone, next_url=url)

    assert response.redirect_chain[-1] == (url, 302)
    assert 'data-status="green"' in response.content.decode()
    visit = Visit.objects.get()
    assert (visit.venue, visit.user, visit.method, visit.entered_at) == (venue, citizen, "scan", T0)


@pytest.mark.django_db(transaction=True)
def test_r_ci_1_a_new_citizen_links_his_iin_and_is_back_at_the_same_check_in(client, registry, clock):
    venue = open_venue(now=T0 - timedelta(days=20), name="Кафе «Дастархан»")
    SyncState.objects.update(last_success_at=T0)
    citizen = CitizenFactory(phone="+77017654321")
    subscriber_set(phone=citizen.phone, iin=GREEN)
    url = scan_url(venue)
    signed_in(client, citizen)

    response = client.get(url)
    assert response["Location"] == reverse("visitors:link_iin")
    assert not Visit.objects.exists()
    response = client.post(reverse("visitors:link_iin"), {"iin": GREEN, "consent": "on"})

    assert response.status_code == 302 and response["Location"] == url
    assert GREEN not in response["Location"]
    assert 'data-status="blue"' in client.get(url).content.decode()  # no record: blue (R-ST-1)
    assert Visit.objects.get().user == citizen


def test_link_iin_keeps_only_a_safe_next(client):
    citizen = CitizenFactory(iin=GREEN)
    signed_in(client, citizen)
    assert client.get(reverse("visitors:link_iin"), {"next": "https://evil.example/"})["Location"] == ME
    assert client.get(reverse("visitors:link_iin"), {"next": "/check/"})["Location"] == "/check/"


def test_r_ci_1_the_card_is_full_screen_with_colour_venue_validity_live_clock_and_moving_bar(client, venue, statuses):
    response = signed_in(client, CitizenFactory(iin=GREEN)).get(scan_url(venue))
    text = text_of(response)
    assert response.status_code == 200
    assert 'class="status-screen status-green" data-status="green"' in text
    assert "Кафе «Дастархан»" in text
    assert "until 6 May 00:00" in text  # R-ST-5: 72 h from the sample at 00:00, local time
    assert 'data-clock data-epoch="1620014400"' in text and ">10:00:00<" in text  # server time without JS
    assert "js/clock.js" in text  # the clock runs from a file (the Content-Security-Policy: no inline script)
    assert 'class="sweep"' in text
    assert "Checked in at 10:00" in text
    assert "Registry data as of 3 May 09:57" in text
    assert "no-store" in response["Cache-Control"]


def test_r_ci_1_a_red_visitor_is_told_not_to_enter(client, venue, statuses):
    text = text_of(signed_in(client, CitizenFactory(iin=RED)).get(scan_url(venue)))
    assert 'data-status="red"' in text
    assert "Do not enter" in text and "waiting zone" in text


def test_r_st_9_a_stale_status_says_so_with_the_last_sync(client, venue, statuses):
    SyncState.objects.update(last_success_at=T0 - timedelta(minutes=31))
    text = text_of(signed_in(client, CitizenFactory(iin=GREEN)).get(scan_url(venue)))
    assert 'data-stale="true"' in text
    assert "the last successful update was at 3 May 09:29" in text


def test_r_ci_5_a_second_scan_within_30_minutes_shows_already_checked_in_and_adds_no_visit(
    client, venue, statuses, clock
):
    signed_in(client, CitizenFactory(iin=GREEN))
    client.get(scan_url(venue))
    clock.shift(timedelta(minutes=29, seconds=59))
    text = text_of(client.get(scan_url(venue, position=1)))  # another entrance: the same venue
    assert "Already checked in at 10:00" in text and 'data-status="green"' in text
    assert Visit.objects.count() == 1
    clock.shift(timedelta(seconds=1))
    assert "Checked in at 10:30" in text_of(client.get(scan_url(venue)))
    assert Visit.objects.count() == 2


def test_r_ci_4_the_exit_scan_records_the_exit_and_lowers_the_occupancy_on_the_guard_page(
    client, venue, guard, statuses, clock
):
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    signed_in(visitor, CitizenFactory(iin=GREEN))
    visitor.get(scan_url(venue))
    signed_in(client, guard)
    assert 'data-inside="1"' in client.get(GUARD).content.decode()

    clock.shift(timedelta(hours=1))
    response = visitor.get(scan_url(venue, Direction.EXIT))

    assert "Goodbye, exit recorded" in text_of(response)
    assert Visit.objects.get().exited_at == T0 + timedelta(hours=1)
    assert 'data-inside="0"' in client.get(GUARD).content.decode()
    assert "No open visit here" in text_of(visitor.get(scan_url(venue, Direction.EXIT)))


@pytest.mark.parametrize("role", [Role.OWNER, Role.OPERATOR])
def test_other_roles_are_told_to_sign_in_as_a_citizen_and_nothing_is_recorded(client, venue, role):
    response = signed_in(client, UserFactory(role=role)).get(scan_url(venue))
    assert "Sign in as a citizen to check in" in text_of(response)
    assert 'name="phone"' not in text_of(response)
    assert not Visit.objects.exists()


def test_a_head_request_of_a_scanner_app_records_nothing(client, venue, statuses):
    response = signed_in(client, CitizenFactory(iin=GREEN)).head(scan_url(venue))
    assert response.status_code == 200
    assert not Visit.objects.exists()


def test_r_ci_7_a_venue_not_approved_is_refused_and_nothing_is_recorded(client, venue, statuses):
    url = scan_url(venue)
    Standing.objects.filter(venue=venue).delete()  # R-VN-9: no standing yet is "applied"
    response = signed_in(client, CitizenFactory(iin=GREEN)).get(url)
    assert response.status_code == 403
    assert "not approved in Ashyq yet" in text_of(response)
    assert not Visit.objects.exists()


def test_the_scan_takes_no_other_methods(client, venue):
    assert signed_in(client, CitizenFactory(iin=GREEN)).put(scan_url(venue)).status_code == 405


def test_a_link_from_another_site_asks_before_checking_in(client, venue, statuses):
    """Another site's link or redirect to a (public) code must not check a signed-in
    citizen in, nor inflate the venue's counts: he confirms with one tap."""
    signed_in(client, CitizenFactory(iin=GREEN))
    response = client.get(scan_url(venue), HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 200 and 'data-confirm="true"' in response.text
    assert not Visit.objects.exists()
    assert 'data-status="green"' in client.post(scan_url(venue)).text
    assert Visit.objects.count() == 1


def test_the_camera_and_our_own_pages_check_in_at_once(client, venue, statuses):
    signed_in(client, CitizenFactory(iin=GREEN))
    assert 'data-status="green"' in client.get(scan_url(venue), HTTP_SEC_FETCH_SITE="none").text
    assert Visit.objects.count() == 1


# --- The guard page (R-CI-2, R-CI-3, R-CI-6, R-PR-6) ------------------------------------------------


def test_the_guard_page_shows_the_venue_entrances_occupancy_and_an_empty_form(client, venue, guard):
    VisitFactory.create_batch(3, venue=venue, entered_at=T0 - timedelta(hours=1))
    text = text_of(signed_in(client, guard).get(GUARD))
    assert "Кафе «Дастархан»" in text
    assert "Inside <strong>3</strong> of 40 allowed" in text  # R-CI-6: capacity × 100 % for now
    assert ">Вход 1</option>" in text and ">Вход 2</option>" in text
    assert 'name="iin"' in text and 'inputmode="numeric"' in text and 'autocomplete="off"' in text
    assert 'name="passport"' in text and 'name="country"' in text and 'name="consent"' in text
    assert "The venue is full" not in text


def test_r_ci_6_at_the_allowed_occupancy_the_page_warns(client, venue, guard):
    VisitFactory.create_batch(39, venue=venue, entered_at=T0 - timedelta(hours=1))
    assert "The venue is full" not in text_of(signed_in(client, guard).get(GUARD))
    VisitFactory(venue=venue, entered_at=T0 - timedelta(hours=1))  # 40 of 40: full, not yet over
    text = text_of(signed_in(client, guard).get(GUARD))
    assert "The venue is full: let nobody in until someone leaves" in text and 'data-full="true"' in text


def test_r_ci_3_a_red_visitor_gets_the_red_card_with_the_instruction_and_a_report(client, venue, guard, statuses):
    response = look_up(signed_in(client, guard), venue, iin=RED)
    text = text_of(response)
    assert response.status_code == 200
    assert 'data-status="red"' in text
    assert "Do not admit this visitor" in text and "waiting zone" in text
    assert "until 16 May 00:00" in text  # R-ST-3: 00:00 of the 14th day after the sample date (2 May)
    assert "no-store" in response["Cache-Control"]
    assert DoorReport.objects.get().colour == "red"
    assert StatusLookup.objects.get().person == person_key(iin=RED)  # R-PR-3


def test_r_ci_2_a_green_visitor_may_enter_and_is_counted(client, venue, guard, statuses):
    text = text_of(look_up(signed_in(client, guard), venue, iin=GREEN))
    assert 'data-status="green"' in text and "May enter." in text
    assert "Do not admit" not in text
    assert 'data-inside="1"' in text


def test_r_ci_2_a_foreign_visitor_is_looked_up_by_passport_and_country(client, venue, guard):
    PcrResultFactory(iin=None, person=person_key(passport="N1234567", country="DE"), sampled_at=T0 - timedelta(hours=1))
    response = look_up(signed_in(client, guard), venue, passport="n 1234567", country="de")
    assert 'data-status="green"' in text_of(response)
    assert "1234567" not in text_of(response)


def test_r_ci_5_a_double_entry_by_the_guard_is_not_counted_again(client, venue, guard, statuses, clock):
    signed_in(client, guard)
    assert "not counted again" not in text_of(look_up(client, venue, iin=GREEN))
    clock.shift(timedelta(minutes=5))
    assert "not counted again" in text_of(look_up(client, venue, iin=GREEN))
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("typed", [RED, YELLOW, GREEN, MINOR, RED[:-1] + str((int(RED[-1]) + 1) % 10)])
def test_r_pr_6_a_guard_answer_never_repeats_the_iin_a_birth_date_or_anything_typed(
    client, venue, guard, statuses, typed, language
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    signed_in(client, guard)
    for headers in ({}, {"headers": {"HX-Request": "true"}}):
        response = look_up(client, venue, iin=typed, **headers)
        text = text_of(response)
        assert typed not in text and typed not in str(response.headers)
        assert " ".join([typed[:4], typed[4:8], typed[8:]]) not in text
        for written in BIRTH_DATES.get(typed, ()) + BIRTH_DATES[RED]:
            assert written not in text
        assert 'name="iin" value' not in text  # the form is empty again


def test_r_id_2_a_minor_is_refused_with_a_clear_message_and_nothing_is_stored(client, venue, guard):
    response = look_up(signed_in(client, guard), venue, iin=MINOR)
    assert response.status_code == 400
    assert "Only adults (18 and over)" in text_of(response)
    assert not StatusLookup.objects.exists() and not Visit.objects.exists()


def test_an_invalid_iin_is_refused_with_a_clear_message(client, venue, guard):
    response = look_up(signed_in(client, guard), venue, iin=GREEN[:-1] + str((int(GREEN[-1]) + 1) % 10))
    assert response.status_code == 400
    assert "a digit is probably mistyped" in text_of(response)
    assert 'data-status="' not in text_of(response)
    assert not StatusLookup.objects.exists()


def test_without_the_visitors_consent_nothing_is_looked_up(client, venue, guard, statuses):
    entrance = venue.entrances.first()
    response = signed_in(client, guard).post(LOOKUP, {"entrance": entrance.pk, "iin": RED})
    assert response.status_code == 400
    assert "Tick the box once the visitor has agreed" in text_of(response)
    assert not StatusLookup.objects.exists() and not DoorReport.objects.exists()


def test_an_iin_and_a_passport_together_are_refused(client, venue, guard):
    response = look_up(signed_in(client, guard), venue, iin=GREEN, passport="N1234567", country="DE")
    assert response.status_code == 400
    assert "not both" in text_of(response)


def test_the_rate_limit_is_answered_429_with_the_retry_time(client, venue, guard, statuses, settings, clock):
    settings.VENUE_LOOKUPS_PER_MINUTE = 2
    signed_in(client, guard)
    look_up(client, venue, iin=GREEN)
    clock.shift(timedelta(seconds=20))
    look_up(client, venue, iin=GREEN)
    clock.shift(timedelta(seconds=10))
    response = look_up(client, venue, iin=RED)
    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert "Wait 30 seconds" in text_of(response)
    assert StatusLookup.objects.count() == 2 and not DoorReport.objects.exists()


def test_r_ci_7_a_venue_whose_codes_are_revoked_answers_403_and_no_colour(client, venue, guard, statuses):
    QrCode.objects.filter(entrance__venue=venue).update(revoked_at=T0 - timedelta(hours=1))
    response = look_up(signed_in(client, guard), venue, iin=RED)
    assert response.status_code == 403
    assert 'data-status="' not in text_of(response)
    assert not StatusLookup.objects.exists()


def test_an_entrance_of_another_venue_is_refused(client, venue, guard):
    other = open_venue(now=T0 - timedelta(days=20))
    response = signed_in(client, guard).post(
        LOOKUP, {"entrance": other.entrances.first().pk, "iin": GREEN, "consent": "on"}
    )
    assert response.status_code == 400
    assert not StatusLookup.objects.exists()


def test_the_guard_page_remembers_the_last_entrance(client, venue, guard, statuses):
    second = venue.entrances.order_by("position")[1]
    signed_in(client, guard).post(LOOKUP, {"entrance": second.pk, "iin": GREEN, "consent": "on"})
    assert f'<option value="{second.pk}" selected>' in client.get(GUARD).content.decode()
    assert Visit.objects.get().entrance == second


def test_htmx_gets_only_the_answer_card_and_the_occupancy(client, venue, guard, statuses):
    response = look_up(signed_in(client, guard), venue, iin=RED, headers={"HX-Request": "true"})
    text = text_of(response)
    assert response.status_code == 200
    assert text.lstrip().startswith('<div id="guard-answer"')
    assert "<html" not in text and "<form" not in text
    assert 'data-status="red"' in text and "Do not admit this visitor" in text
    assert 'id="occupancy"' in text and 'hx-swap-oob="true"' in text


def test_htmx_errors_are_answered_as_a_card_too(client, venue, guard):
    response = look_up(signed_in(client, guard), venue, iin=MINOR, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "<html" not in text_of(response) and "Only adults" in text_of(response)


PROCESSED = []  # the paths the counting context processor below saw


def counting_processor(request):
    PROCESSED.append(request.path)
    return {}


@pytest.fixture
def processed(settings):
    """The paths whose templates ran the context processors (one more, counting)."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append(f"{__name__}.counting_processor")
    settings.TEMPLATES = templates
    PROCESSED.clear()
    yield PROCESSED
    PROCESSED.clear()


def card_of(response) -> str:
    """The answer card of an htmx answer (what comes before the occupancy)."""
    card = text_of(response).split('<section id="occupancy"')[0].strip()
    assert card.startswith('<div id="guard-answer"') and card.endswith("</div>")
    return card


def test_b1_the_htmx_answer_runs_no_context_processor_and_is_the_pages_card(client, venue, guard, statuses, processed):
    """The card is rendered from its own context (B1): the navigation, messages and
    user of the page are not computed for it; it says the same, in the guard's language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    signed_in(client, guard)
    card = look_up(client, venue, iin=MINOR, headers={"HX-Request": "true"})
    exit_card = client.post(reverse("checkin:guard_exit"), {"iin": MINOR}, headers={"HX-Request": "true"})
    assert processed == []
    page = look_up(client, venue, iin=MINOR)
    assert processed  # the whole page still has them
    assert card.status_code == page.status_code == 400 and exit_card.status_code == 400
    assert card_of(card) in text_of(page)
    assert "Only adults" not in text_of(card) and "Inside" not in text_of(card)  # Russian

    answer = look_up(client, venue, iin=RED, headers={"HX-Request": "true"})
    assert 'data-status="red"' in text_of(answer) and answer["Content-Type"] == "text/html; charset=utf-8"
    assert processed == [LOOKUP]  # only the page's


def test_a_guard_signed_out_is_sent_to_the_phone_sign_in_and_back_to_the_guard_page(client, venue):
    for response in (client.get(GUARD), client.post(LOOKUP, {"iin": GREEN})):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('sms:phone')}?next={GUARD}"
    response = client.post(LOOKUP, {"iin": GREEN}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == f"{reverse('sms:phone')}?next={GUARD}"
    assert not StatusLookup.objects.exists()


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.OWNER, Role.SANITARY, Role.OPERATOR])
def test_the_guard_look_up_is_for_guards_only(client, venue, role):
    response = signed_in(client, UserFactory(role=role)).post(
        LOOKUP, {"entrance": venue.entrances.first().pk, "iin": GREEN, "consent": "on"}
    )
    # A citizen whose phone guards no venue is sent to the guard page, which says so (R-VN-7).
    assert response.status_code == (302 if role == Role.CITIZEN else 403)
    assert not StatusLookup.objects.exists()


def test_the_guard_look_up_is_post_only(client, guard):
    assert signed_in(client, guard).get(LOOKUP).status_code == 405


def test_a_guard_whose_guard_mode_was_turned_off_looks_up_nothing(client, venue, guard):
    Venue.objects.filter(pk=venue.pk).update(guard_phone=None, guard_consent="")
    response = look_up(signed_in(client, guard), venue, iin=GREEN)
    assert response.status_code == 302 and response["Location"] == GUARD
    assert not StatusLookup.objects.exists()


# --- The remote check (R-CI-8) --------------------------------------------------------------------


def test_r_ci_8_the_citizen_sees_his_own_status_on_a_card_unlike_the_door_and_it_is_counted(client, statuses):
    response = signed_in(client, CitizenFactory(iin=RED)).get(CHECK, {"iin": GREEN})
    text = text_of(response)
    assert 'data-status="red"' in text  # his own, whatever the URL says
    # Never to be shown at a door as a check-in (R-CI-1): its own card, no clock, no moving bar.
    assert 'data-card="remote"' in text and 'data-card="door"' not in text
    assert "Not valid for entry" in text and "not a check-in" in text
    assert 'class="sweep"' not in text and "data-clock" not in text and "status-screen" not in text
    assert RemoteCheck.objects.get().colour == "red"
    assert not Visit.objects.exists()


def test_r_ci_9_refreshing_the_remote_check_is_not_another_check(client, statuses, clock):
    signed_in(client, CitizenFactory(iin=GREEN))
    client.get(CHECK)
    clock.shift(timedelta(minutes=29, seconds=59))
    client.get(CHECK)
    assert RemoteCheck.objects.count() == 1
    clock.shift(timedelta(seconds=1))  # the same 30-minute window as a repeated scan
    client.get(CHECK)
    assert RemoteCheck.objects.count() == 2


def test_r_ci_8_not_signed_in_goes_to_the_phone_sign_in_and_back(client):
    response = client.get(CHECK)
    assert response["Location"] == f"{reverse('sms:phone')}?next={CHECK}"


def test_r_ci_8_a_citizen_without_an_iin_links_it_first_and_comes_back(client):
    response = signed_in(client, CitizenFactory()).get(CHECK)
    assert response["Location"] == reverse("visitors:link_iin")
    assert client.session["visitors_link_next"] == CHECK
    assert not RemoteCheck.objects.exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.OPERATOR])
def test_r_ci_8_the_remote_check_is_for_citizens_only(client, role):
    assert signed_in(client, UserFactory(role=role)).get(CHECK).status_code == 403


def test_r_ci_8_the_remote_check_is_get_only(client):
    assert signed_in(client, CitizenFactory(iin=GREEN)).post(CHECK).status_code == 405


def test_the_neutral_qr_code_opens_the_remote_check(client, settings):
    settings.PUBLIC_URL = "https://ashyq.example.kz"
    response = client.get(reverse("checkin:check_qr"))
    assert response["Content-Type"] == "image/png"
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert barcode.text == "https://ashyq.example.kz/check/"


# --- The sanitary officers' reports (R-CI-3) ---------------------------------------------------------


@pytest.fixture
def regions(venue):
    other = open_venue(now=T0 - timedelta(days=20), region=RegionFactory(), name="Баня «Жар»")
    DoorReportFactory(venue=venue, colour="red", at=T0 - timedelta(hours=2))
    DoorReportFactory(venue=venue, colour="yellow", at=T0 - timedelta(hours=1))
    DoorReportFactory(venue=other, colour="red", at=T0)
    return venue.region, other.region


def test_r_ci_3_the_sanitary_officer_sees_his_regions_reports_newest_first_and_no_other(client, regions):
    own, _other = regions
    officer = UserFactory(role=Role.SANITARY, region=own)
    text = text_of(signed_in(client, officer).get(SANITARY))
    assert "Баня «Жар»" not in text
    assert text.count("Кафе «Дастархан»") == 2 and "Алматы, пр. Абая, 10" in text
    assert text.index('badge status-yellow">Yellow') < text.index('badge status-red">Red')
    assert "3 May" in text and "09:00" in text


def test_r_ci_3_an_officer_of_another_region_sees_nothing_of_this_one(client, regions):
    text = text_of(signed_in(client, UserFactory(role=Role.SANITARY, region=RegionFactory())).get(SANITARY))
    assert "Кафе «Дастархан»" not in text and "Баня «Жар»" not in text
    assert "No red or yellow visitors reported" in text


def test_r_ci_3_national_roles_see_every_region(client, regions):
    text = text_of(signed_in(client, UserFactory(role=Role.COMMISSION)).get(SANITARY))
    assert "Кафе «Дастархан»" in text and "Баня «Жар»" in text


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.OWNER, Role.AKIMAT, Role.INSPECTOR])
def test_the_reports_page_is_for_sanitary_officers_and_national_roles_only(client, role):
    assert signed_in(client, UserFactory(role=role)).get(SANITARY).status_code == 403


def test_the_reports_page_sends_the_anonymous_to_the_staff_sign_in_and_is_get_only(client):
    assert client.get(SANITARY)["Location"].startswith(reverse("accounts:login"))
    officer = UserFactory(role=Role.SANITARY)
    assert signed_in(client, officer).post(SANITARY).status_code == 405


def test_the_reports_page_costs_the_same_queries_for_3_or_60_reports_and_pages_by_50(client, venue):
    officer = signed_in(client, UserFactory(role=Role.SANITARY, region=venue.region))
    venues = [open_venue(now=T0 - timedelta(days=20), region=venue.region) for _ in range(3)]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(SANITARY).status_code == 200
        return len(captured)

    for place in venues:
        DoorReportFactory(venue=place)
    few = queries()
    for n in range(57):
        DoorReportFactory(venue=venues[n % 3], at=T0 - timedelta(minutes=n))
    assert queries() == few <= 6
    assert officer.get(SANITARY).content.decode().count("data-report=") == 50
    assert officer.get(SANITARY, {"page": 2}).content.decode().count("data-report=") == 10


# --- The citizen's own lists (R-PR-4) ------------------------------------------------------------


def test_r_pr_4_the_citizen_sees_look_ups_of_him_and_his_check_ins_of_the_last_28_days(client, venue):
    citizen = CitizenFactory(iin=GREEN)
    StatusLookupFactory(iin=GREEN, venue=venue, colour="green", at=T0 - timedelta(hours=2))
    StatusLookupFactory(iin=GREEN, venue=venue, colour="green", at=T0 - timedelta(days=28))  # gone
    StatusLookupFactory(iin=RED, venue=venue, colour="red", at=T0 - timedelta(hours=1))  # someone else
    VisitFactory(iin=GREEN, venue=venue, entered_at=T0 - timedelta(hours=3), exited_at=T0 - timedelta(hours=2),
                 exit_method="scan")  # fmt: skip
    VisitFactory(iin=RED, venue=venue, colour="red", entered_at=T0 - timedelta(hours=1))

    response = signed_in(client, citizen).get(ME)
    text = text_of(response)
    assert [row.at for row in response.context["lookups"]] == [T0 - timedelta(hours=2)]
    assert "3 May 08:00" in text  # the look-up
    assert "3 May 07:00 – 08:00" in text  # the check-in and its exit
    assert "badge status-red" not in text


def test_r_pr_4_long_lists_end_with_a_link_to_their_own_paginated_page(client, venue):
    citizen = CitizenFactory(iin=GREEN)
    for n in range(11):
        StatusLookupFactory(iin=GREEN, venue=venue, at=T0 - timedelta(hours=n + 1))
    for n in range(60):
        VisitFactory(iin=GREEN, venue=venue, entered_at=T0 - timedelta(hours=n + 1))
    text = signed_in(client, citizen).get(ME).content.decode()
    assert reverse("visitors:my_lookups") in text and reverse("visitors:my_visits") in text
    assert text.count("own-place") == 20
    page = client.get(reverse("visitors:my_visits"))
    assert page.content.decode().count("own-place") == 50
    assert client.get(reverse("visitors:my_visits"), {"page": 2}).content.decode().count("own-place") == 10
    assert client.get(reverse("visitors:my_lookups")).content.decode().count("own-place") == 11


@pytest.mark.parametrize("name", ["visitors:my_lookups", "visitors:my_visits"])
def test_the_own_lists_are_the_citizens_own_pages(client, name):
    url = reverse(name)
    assert client.get(url)["Location"].startswith(reverse("sms:phone"))
    assert signed_in(client, UserFactory(role=Role.OWNER)).get(url).status_code == 403
    assert signed_in(client, CitizenFactory(iin=GREEN)).post(url).status_code == 405


def test_the_guard_signs_in_by_phone_and_lands_on_his_guard_page(client, venue, guard):
    response = client.get(GUARD)
    assert response.status_code == 302
    response = sms_sign_in(client, guard.phone, next_url=GUARD)
    assert response.redirect_chain[-1] == (GUARD, 302)
    assert "Кафе «Дастархан»" in text_of(response)
    assert User.objects.get(phone=guard.phone).role == Role.CITIZEN  # a guard is a citizen (R-VN-7)
