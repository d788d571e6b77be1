"""The citizen's journey in a real browser on a phone-sized screen (390 × 844): he scans a
venue's entry QR, signs in with his phone and an SMS code, links his IIN once (checked
with the mobile operators' registry, R-AU-2), comes back to the code and sees the live
card: the venue, his colour named and explained in words, the live clock (R-CI-1);
then, on "My status", his status and who looked it up (R-PR-4). axe-core finds no
serious violation on any of these pages.

Colour is never the only signal: for every colour, the live card and "My status" name
the colour and say what it means in words (checked without the browser, below)."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from ashyq.accounts.tests.factories import CitizenFactory
from ashyq.identifiers import make_iin
from ashyq.mocks.services import subscriber_set
from ashyq.sms.models import SmsMessage
from statuses.tests.factories import ContactFactory, PcrResultFactory, synced
from venues.codes.selectors import code_token, live_codes
from visitors.models import StatusLookup, Visit
from visitors.tests.factories import GuardFactory, StatusLookupFactory, open_venue

PHONE = "+77071234567"
IIN = make_iin(birth_date=date(1988, 3, 8), sex="female", serial=5150)

# What each colour means, in the words of the cards (R-ST-1).
MEANING = {
    "red": "A positive PCR test: isolation for 14 days. Not admitted.",
    "yellow": "A close contact of a case: 14 days of quarantine. Not admitted.",
    "green": "A negative PCR test within the last 72 hours, or fully vaccinated.",
    "blue": "Neutral: no PCR result on record and not a contact.",
}


def _entry_url(base, venue):
    entry = next(code for code in live_codes(venue) if code.direction == "entry")
    return f"{base}/q/{code_token(entry)}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_scans_signs_in_sees_the_live_card_and_who_looked_him_up(browser_page, registry, axe_check):
    cache.clear()
    now = timezone.now()
    venue = open_venue(now=now - timedelta(days=20), name="Кафе «Жібек жолы»")
    elsewhere = open_venue(now=now - timedelta(days=20), name="Фитнес «Арман»")
    PcrResultFactory(iin=IIN, positive=False, sampled_at=now - timedelta(hours=30))
    synced(now)
    subscriber_set(PHONE, IIN)  # the operator's registry: this phone is hers
    page, base = browser_page, registry.url
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])

    page.goto(_entry_url(base, venue))  # the phone's camera opens the poster's code
    expect(page.locator(".scan-place")).to_have_text("Кафе «Жібек жолы»")
    axe_check(page, "the scanned code, signed out")
    page.fill("input[name=phone]", "+7 707 123 45 67")
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{base}/auth/phone/code/")
    code = re.search(r"\b\d{6}\b", SmsMessage.objects.filter(phone=PHONE).latest("sent_at", "pk").text)
    page.fill("input[name=code]", code.group())
    page.click("main button[type=submit].btn-primary")

    expect(page.locator("h1")).to_have_text("Link your IIN")  # once per phone (R-AU-2)
    axe_check(page, "linking the IIN")
    page.fill("input[name=iin]", IIN)
    page.check("main form input[type=checkbox]")
    page.click("main button[type=submit].btn-primary")

    card = page.locator("[data-status=green]")  # back to the code: checked in
    expect(card).to_be_visible()
    assert page.url.startswith(f"{base}/q/")
    expect(card.locator(".screen-place")).to_have_text("Кафе «Жібек жолы»")
    expect(card.locator(".screen-word")).to_have_text("Green")
    expect(card.locator("[data-meaning]")).to_have_text(MEANING["green"])
    expect(card.locator("[data-note]")).to_contain_text("Checked in at")
    clock = card.locator("[data-clock]")
    shown = clock.inner_text()
    expect(clock).not_to_have_text(shown, timeout=3_000)  # live: the clock ticks (R-CI-1)
    axe_check(page, "the live card")
    assert Visit.objects.filter(venue=venue).count() == 1
    assert IIN not in page.url and IIN not in page.content()

    guard = GuardFactory(venue=elsewhere)
    StatusLookupFactory(iin=IIN, actor=guard, venue=elsewhere, colour="green", at=timezone.now())
    assert StatusLookup.objects.count() == 1

    page.click("text=My status and history")
    expect(page).to_have_url(f"{base}/me/")
    status = page.locator(".status-card[data-status=green]")
    expect(status.locator(".status-word")).to_have_text("Green")
    expect(status.locator("[data-meaning]")).to_have_text(MEANING["green"])
    expect(status.locator(".status-reason")).to_contain_text("PCR negative")
    lookups = page.locator("[data-list=lookups] li")
    expect(lookups).to_have_count(1)
    expect(lookups.first).to_contain_text("Фитнес «Арман»")
    expect(lookups.first.locator(".badge")).to_have_text("Green")
    axe_check(page, "My status")

    page.goto(f"{base}/me/lookups/")
    expect(page.locator("[data-list=lookups] li")).to_have_count(1)
    expect(page.locator("[data-list=lookups] li").first).to_contain_text("Фитнес «Арман»")
    axe_check(page, "who looked me up")


def _colour(colour: str, now) -> None:
    if colour == "red":
        PcrResultFactory(iin=IIN, positive=True, sampled_at=now - timedelta(days=1))
    elif colour == "yellow":
        ContactFactory(iin=IIN, contact_date=timezone.localdate(now) - timedelta(days=2))
    elif colour == "green":
        PcrResultFactory(iin=IIN, positive=False, sampled_at=now - timedelta(hours=5))
    synced(now)


@pytest.mark.django_db
@pytest.mark.parametrize("colour", ["red", "yellow", "green", "blue"])
def test_the_cards_name_every_colour_and_say_what_it_means(en_client, colour):
    """Colour is never the only signal: the live card at the door and "My status" say
    the colour's name and its meaning in words, for every colour."""
    cache.clear()
    now = timezone.now()
    _colour(colour, now)
    venue = open_venue(now=now - timedelta(days=20))
    citizen = CitizenFactory(iin=IIN)
    en_client.force_login(citizen)

    live = en_client.get(_entry_url("", venue), headers={"sec-fetch-site": "none"}).content.decode()
    mine = en_client.get("/me/").content.decode()

    for page in (live, mine):
        card = page[page.index(f'data-status="{colour}"') :]
        assert re.search(rf">\s*{colour.capitalize()}\s*<", card[:600])
        assert re.search(r"data-meaning>\s*" + re.escape(MEANING[colour]) + r"\s*</p>", card)
