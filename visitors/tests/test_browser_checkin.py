"""The door in a real browser on a phone-sized screen (390 × 844): a guard signs in with
the venue's phone and an SMS code, types a red visitor's IIN with his consent, and sees
the red card with the instruction (R-CI-2, R-CI-3); the answer comes through htmx, and
the IIN is gone from the form (R-PR-6)."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ashyq.identifiers import make_iin
from ashyq.sms.models import SmsMessage
from statuses.tests.factories import PcrResultFactory, synced
from visitors.models import DoorReport, StatusLookup
from visitors.tests.factories import GuardFactory, open_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RED = make_iin(birth_date=date(1990, 5, 1), sex="male", serial=1234)


def test_a_guard_signs_in_by_phone_and_sees_the_red_card_with_the_instruction(browser_page, live_server):
    cache.clear()
    now = timezone.now()
    venue = open_venue(now=now - timedelta(days=20), name="Кафе «Дастархан»", capacity=40)
    guard = GuardFactory(venue=venue, phone="+77010000101")
    PcrResultFactory(iin=RED, positive=True, sampled_at=now - timedelta(days=1))
    synced(now)
    page, base = browser_page, live_server.url
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])

    page.goto(f"{base}/guard/")
    assert page.url.startswith(f"{base}/auth/phone/")
    page.fill("input[name=phone]", "+7 701 000 01 01")
    page.click("main button[type=submit]")
    code = re.search(r"\b\d{6}\b", SmsMessage.objects.filter(phone=guard.phone).latest("sent_at", "pk").text)
    page.fill("input[name=code]", code.group())
    page.click("main button[type=submit].btn-primary")
    assert page.url == f"{base}/guard/"
    assert "Кафе «Дастархан»" in page.inner_text("main")

    page.fill("input[name=iin]", RED)
    page.check("input[name=consent]")
    page.click("form.guard-form button[type=submit]")

    card = page.wait_for_selector("[data-status=red]")
    assert page.url == f"{base}/guard/"  # htmx: the answer only, no page load
    assert "Do not admit this visitor" in card.inner_text()
    assert page.input_value("input[name=iin]") == ""
    assert not page.is_checked("input[name=consent]")
    assert RED not in page.content()
    box = card.bounding_box()
    assert box["width"] <= 390 and box["y"] >= 0  # on screen, no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert StatusLookup.objects.get().colour == "red"
    assert DoorReport.objects.get().venue == venue
