"""The door in a real browser on a phone-sized screen (390 × 844): a guard signs in with
the venue's phone and an SMS code and, with each visitor's consent, checks a blue, a
green, a yellow and a red visitor and a mistyped IIN. Each answer comes through htmx,
says the colour and what it means in words, not by colour alone, and the IIN is gone
from the form (R-PR-6). The red and yellow ones get the instruction (R-CI-2, R-CI-3);
the mistyped one is refused and nothing is recorded (R-CI-7, R-ID-1).
axe-core finds no serious violation on the sign-in pages nor on the guard page, empty or
with an answer."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from ashyq.identifiers import make_iin
from ashyq.sms.models import SmsMessage
from statuses.tests.factories import ContactFactory, PcrResultFactory, synced
from visitors.models import DoorReport, StatusLookup, Visit
from visitors.tests.factories import GuardFactory, open_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RED = make_iin(birth_date=date(1990, 5, 1), sex="male", serial=1234)
YELLOW = make_iin(birth_date=date(1985, 2, 14), sex="female", serial=2345)
GREEN = make_iin(birth_date=date(1979, 11, 30), sex="male", serial=3456)
BLUE = make_iin(birth_date=date(1995, 7, 7), sex="female", serial=4567)
MISTYPED = BLUE[:-1] + str((int(BLUE[-1]) + 1) % 10)  # one digit off: the checksum fails

# What each answer says besides the colour's name (R-CI-2, R-CI-3).
MEANING = {
    "blue": "May enter.",
    "green": "May enter.",
    "yellow": "Do not admit",
    "red": "Do not admit this visitor",
}


def _sign_in(page, base, phone, axe_check):
    page.goto(f"{base}/guard/")
    assert page.url.startswith(f"{base}/auth/phone/")
    axe_check(page, "the phone sign-in page")
    page.fill("input[name=phone]", "+7 701 000 01 01")
    page.click("main button[type=submit]")
    expect(page.locator("input[name=code]")).to_be_visible()
    axe_check(page, "the SMS code page")
    code = re.search(r"\b\d{6}\b", SmsMessage.objects.filter(phone=phone).latest("sent_at", "pk").text)
    page.fill("input[name=code]", code.group())
    page.click("main button[type=submit].btn-primary")
    expect(page).to_have_url(f"{base}/guard/")


def _check(page, iin):
    page.fill("#id_iin", iin)
    page.check("input[name=consent]")
    page.click("form[action='/guard/lookup/'] button[type=submit]")


def test_a_guard_signs_in_by_phone_and_checks_every_colour_and_a_mistyped_iin(browser_page, live_server, axe_check):
    cache.clear()
    now = timezone.now()
    venue = open_venue(now=now - timedelta(days=20), name="Кафе «Дастархан»", capacity=40)
    guard = GuardFactory(venue=venue, phone="+77010000101")
    PcrResultFactory(iin=RED, positive=True, sampled_at=now - timedelta(days=1))
    ContactFactory(iin=YELLOW, contact_date=timezone.localdate(now) - timedelta(days=2))
    PcrResultFactory(iin=GREEN, positive=False, sampled_at=now - timedelta(hours=20))
    synced(now)
    page, base = browser_page, live_server.url
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])

    _sign_in(page, base, guard.phone, axe_check)
    assert "Кафе «Дастархан»" in page.inner_text("main")
    axe_check(page, "the guard page, empty")

    for number, (colour, iin) in enumerate((("blue", BLUE), ("green", GREEN), ("yellow", YELLOW), ("red", RED)), 1):
        _check(page, iin)
        card = page.locator(f"#guard-answer [data-status={colour}]")
        expect(card).to_be_visible()
        # Colour is never the only signal: the card names the colour and says what it means.
        expect(card.locator(".answer-word")).to_have_text(colour.capitalize())
        expect(card).to_contain_text(MEANING[colour])
        expect(page.locator("#id_iin")).to_have_value("")
        expect(page.locator("input[name=consent]")).not_to_be_checked()
        assert iin not in page.content()
        assert StatusLookup.objects.count() == number
        if colour in ("green", "red"):
            axe_check(page, f"the guard page after a {colour} answer")

    assert page.url == f"{base}/guard/"  # htmx: the answers only, no page load
    box = page.locator("#guard-answer [data-status=red]").bounding_box()
    assert box["width"] <= 390 and box["y"] > -1  # on screen (scrolled to its top), no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert list(StatusLookup.objects.order_by("at", "pk").values_list("colour", flat=True)) == [
        "blue",
        "green",
        "yellow",
        "red",
    ]
    assert set(DoorReport.objects.values_list("colour", flat=True)) == {"yellow", "red"}  # R-CI-3
    assert Visit.objects.filter(venue=venue).count() == 4

    _check(page, MISTYPED)
    error = page.locator("#guard-answer [data-error]")
    expect(error).to_contain_text("This IIN is not valid: a digit is probably mistyped.")
    assert page.locator("#guard-answer [data-status]").count() == 0  # no colour for a wrong number
    # A refusal keeps what was typed, to correct one digit (not retype twelve); the
    # server never echoed it: it is in the field's value, not in the page's HTML.
    expect(page.locator("#id_iin")).to_have_value(MISTYPED)
    expect(page.locator("input[name=consent]")).to_be_checked()
    assert MISTYPED not in page.content()
    assert StatusLookup.objects.count() == 4 and Visit.objects.filter(venue=venue).count() == 4
    axe_check(page, "the guard page after a refused IIN")
