"""The front line's journeys on a 420 px phone in Chromium, in Russian and in Kazakh:

- a guard at a full venue: the answer for a green visitor says to wait (never "may
  enter") with the occupancy beside it; a mistyped IIN stays typed; he records an exit
  and the page counts one fewer inside; the visitor checked again may enter (R-CI-6);
- a red citizen: his own scan refuses him without a word of "checked in", the door card
  names the venue; the remote check is a card of its own, "not valid for entry"
  (R-CI-1, R-CI-3, R-CI-8); his status page shows no rule id and no account name;
- an owner applies with a 300-character name, goes back and submits the form again: one
  venue (the form's key), and its pages hold the long name on the phone's width.

Every page visited is screenshotted at 420 px wide (full page) and must be exactly as
wide as the screen: no horizontal overflow. The screenshots are kept in the screenshot
folder (conftest.screenshot_folder) as front-line-<journey>-<language>-<step>.png."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from ashyq.accounts.tests.factories import CitizenFactory
from ashyq.identifiers import make_bin, make_iin
from ashyq.mocks.services import company_set, notification_set
from ashyq.reference.models import Admission, Category, OkedCode, Region, Tier
from conftest import screenshot_folder
from statuses.tests.factories import PcrResultFactory, synced
from venues.codes.selectors import code_token, live_codes
from venues.models import Application, Venue
from venues.tests.factories import CompanyFactory
from visitors.models import Visit
from visitors.tests.factories import GuardFactory, VisitFactory, open_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 420
PHONE = {"width": WIDTH, "height": 900}
GREEN = make_iin(birth_date=date(1979, 11, 30), sex="male", serial=3456)
RED = make_iin(birth_date=date(1990, 5, 1), sex="male", serial=1234)
MISTYPED = GREEN[:-1] + str((int(GREEN[-1]) + 1) % 10)
# What each language's answer must never say at a full venue, and says when not full.
MAY_ENTER = {"ru": "Можно входить", "kk": "Кіруге болады"}
WAIT = {"ru": "Объект заполнен", "kk": "Нысан толы"}
NOT_FOR_ENTRY = {"ru": "Недействительно для входа", "kk": "Кіру үшін жарамсыз"}
REFUSED = {"ru": "Вход не разрешён", "kk": "Кіруге рұқсат жоқ"}
CHECKED_IN = {"ru": "Посещение зарегистрировано", "kk": "Келу тіркелді"}
RESUBMITTED = {"ru": "Этот объект уже есть у вас в Ashyq", "kk": "Бұл нысан Ashyq-та сізде бұрыннан бар"}
LONG_NAME = ("РесторанҰлыДалаСамал" * 16)[:300]  # one unbroken word of 300 letters


def _phone(browser_page, base, user, language):
    """A 420 px phone in `language` with `user` signed in (sign-in itself is the
    other journeys' job)."""
    context = browser_page.context.browser.new_context(viewport=PHONE, accept_downloads=True)
    context.set_default_timeout(15_000)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        )
    context.add_cookies(cookies)
    return context.new_page()


def _screenshot(page, name: str) -> None:
    """A full-page screenshot at 420 px, kept; the page must be exactly the screen's width."""
    folder = screenshot_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"front-line-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") == WIDTH, f"{name}: wider than the screen"
    with Image.open(path) as image:
        assert image.width == WIDTH, f"{name}: the screenshot is {image.width} px wide"


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_guard_at_a_full_venue_lets_a_visitor_wait_and_records_an_exit(browser_page, live_server, language):
    cache.clear()
    now = timezone.now()
    venue = open_venue(now=now - timedelta(days=20), name="Кафе «Дастархан»", capacity=3)
    guard = GuardFactory(venue=venue)
    for n in range(3):
        VisitFactory(venue=venue, method="guard", entered_at=now - timedelta(minutes=30 - n))
    PcrResultFactory(iin=GREEN, positive=False, sampled_at=now - timedelta(hours=20))
    synced(now)
    page = _phone(browser_page, live_server.url, guard, language)
    page.goto(f"{live_server.url}/guard/")
    expect(page.locator("#occupancy")).to_have_attribute("data-inside", "3")
    expect(page.locator("#occupancy [role=alert]")).to_be_visible()  # full: the warning is on
    _screenshot(page, f"guard-{language}-1-full")

    # A mistyped IIN is refused and stays typed, with the visitor's consent.
    page.fill("#id_iin", MISTYPED)
    page.check("input[name=consent]")
    page.click("form[action='/guard/lookup/'] button[type=submit]")
    expect(page.locator("#guard-answer [data-error]")).to_be_visible()
    expect(page.locator("#id_iin")).to_have_value(MISTYPED)
    assert MISTYPED not in page.content()

    # Corrected: green, but the venue is full — wait, never "may enter".
    page.fill("#id_iin", GREEN)
    page.click("form[action='/guard/lookup/'] button[type=submit]")
    card = page.locator("#guard-answer [data-status=green]")
    expect(card).to_have_attribute("data-occupancy", "full")
    expect(card).to_contain_text(WAIT[language])
    expect(card).not_to_contain_text(MAY_ENTER[language])
    # The occupancy stays in view beside the answer.
    expect(page.locator("#occupancy")).to_be_in_viewport()
    expect(card).to_be_in_viewport()
    _screenshot(page, f"guard-{language}-2-wait")
    assert not Visit.objects.filter(venue=venue, entered_at__gt=now).exists()  # he waits: no check-in

    # Somebody without a phone leaves: one anonymous exit.
    page.click("form[action='/guard/exit/'] button[type=submit]")
    expect(page.locator("#guard-answer [data-exit=recorded]")).to_be_visible()
    expect(page.locator("#occupancy")).to_have_attribute("data-inside", "2")
    _screenshot(page, f"guard-{language}-3-exit")

    # The waiting visitor, checked again, may enter and counts inside.
    page.fill("#id_iin", GREEN)
    page.check("input[name=consent]")
    page.click("form[action='/guard/lookup/'] button[type=submit]")
    expect(page.locator("#guard-answer [data-status=green]")).to_contain_text(MAY_ENTER[language])
    expect(page.locator("#guard-answer [data-occupancy=full]")).to_have_count(0)
    expect(page.locator("#occupancy")).to_have_attribute("data-inside", "3")
    _screenshot(page, f"guard-{language}-4-enters")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_red_citizen_is_refused_by_his_own_scan_and_his_remote_check_is_no_door_card(
    browser_page, live_server, language
):
    cache.clear()
    now = timezone.now()
    venue = open_venue(now=now - timedelta(days=20), name="Кинотеатр «Арман»")
    citizen = CitizenFactory(iin=RED, phone="+77010000002")
    PcrResultFactory(iin=RED, positive=True, sampled_at=now - timedelta(days=1))
    synced(now)
    entry = next(code for code in live_codes(venue) if code.direction == "entry")
    page = _phone(browser_page, live_server.url, citizen, language)

    page.goto(f"{live_server.url}/q/{code_token(entry)}")
    door = page.locator("[data-card=door][data-status=red]")
    expect(door).to_contain_text("Кинотеатр «Арман»")  # the door card names its venue
    expect(door).to_contain_text(REFUSED[language])
    expect(door).not_to_contain_text(CHECKED_IN[language])
    _screenshot(page, f"citizen-{language}-1-door")

    page.goto(f"{live_server.url}/check/")
    remote = page.locator("[data-card=remote][data-status=red]")
    expect(remote).to_contain_text(NOT_FOR_ENTRY[language])
    expect(page.locator("[data-card=door], [data-clock], .sweep")).to_have_count(0)
    _screenshot(page, f"citizen-{language}-2-remote")

    page.goto(f"{live_server.url}/me/")
    text = page.locator("body").inner_text()
    assert "R-ST-" not in text and "phone+" not in text
    assert "+77010000002" in page.locator("footer").inner_text()
    _screenshot(page, f"citizen-{language}-3-me")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_an_owner_goes_back_and_submits_again_a_300_character_name(browser_page, registry, language):
    cache.clear()
    # What the data migration loads, which a transactional test may have emptied.
    region = Region.objects.get_or_create(code="almaty", defaults={"name_ru": "Алматы", "kind": "city"})[0]
    category = Category.objects.get_or_create(
        code="public-catering", defaults={"name_ru": "Объекты общественного питания", "tier": Tier.A}
    )[0]
    oked = "56101"
    OkedCode.objects.get_or_create(code=oked, defaults={"name_ru": "Рестораны"})[0].categories.add(category)
    Admission.objects.get_or_create(category=category, region=None, admitted_from=date(2021, 4, 26))
    company_bin = make_bin(registered=date(2019, 6, 1), serial=4343)
    address = "Алматы, ул. Сатпаева, 22"
    company = CompanyFactory(bin=company_bin, name="ТОО «Жаңа Дәм»")
    company_set(company_bin, company.name, [oked])
    notification_set("KZ-4343", date(2021, 4, 1), company_bin, address)
    page = _phone(browser_page, registry.url, company.owner, language)

    page.goto(f"{registry.url}/venues/applications/new/")
    page.fill("input[name=name]", LONG_NAME)
    page.fill("input[name=address]", address)
    page.select_option("select[name=region]", value=str(region.pk))
    page.select_option("select[name=category]", value=str(category.pk))
    page.fill("input[name=oked]", oked)
    page.fill("input[name=notification_number]", "KZ-4343")
    page.fill("input[name=notification_date]", "2021-04-01")
    page.fill("input[name=capacity]", "40")
    page.fill("textarea[name=entrances]", "Главный вход")
    page.fill("input[name=phone]", "+7 705 111 22 33")
    for name in ("holds_documents", "responsible", "accepts_agreement"):
        page.check(f"input[name={name}]")
    _screenshot(page, f"owner-{language}-1-form")
    page.click("main button[type=submit].btn-primary")
    venue = Venue.objects.get()
    expect(page).to_have_url(f"{registry.url}/venues/{venue.pk}/")
    _screenshot(page, f"owner-{language}-2-venue")

    # The browser's back button: the form as it was left, submitted once more.
    page.go_back()
    expect(page).to_have_url(f"{registry.url}/venues/applications/new/")
    if not page.input_value("input[name=name]"):  # a browser that does not keep what was typed
        pytest.fail("the form came back empty: nothing to resubmit")
    page.fill("input[name=oked]", oked)  # the browser keeps no field marked autocomplete="off"
    for name in ("holds_documents", "responsible", "accepts_agreement"):
        page.check(f"input[name={name}]")
    page.click("main button[type=submit].btn-primary")
    expect(page).to_have_url(f"{registry.url}/venues/{venue.pk}/")
    expect(page.locator("main")).to_contain_text(RESUBMITTED[language])
    assert Venue.objects.count() == 1 and Application.objects.count() == 1

    page.goto(f"{registry.url}/venues/")
    _screenshot(page, f"owner-{language}-3-list")
    page.goto(f"{registry.url}/venues/{venue.pk}/figures/")
    _screenshot(page, f"owner-{language}-4-figures")
    page.goto(f"{registry.url}/venues/{venue.pk}/codes/")
    _screenshot(page, f"owner-{language}-5-codes")
