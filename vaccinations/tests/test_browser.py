"""The vaccination passport's journey in a real browser on a phone-sized screen: a
medical worker records two doses for a citizen; the citizen's passport shows a complete
scheme and a QR code; the QR code decoded from the rendered page verifies on /verify/
(in the browser, and by the server without JavaScript); a one-byte change is "not
authentic"; a corrected record's old certificate is "revoked"; a citizen's self-entry
stays pending until a medical worker of its region confirms it (R-VP-2…R-VP-5)."""

import io
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from ashyq.accounts.tests.factories import PASSWORD, CitizenFactory
from ashyq.identifiers import make_iin
from statuses.selectors import status_for
from vaccinations.models import Entry, State
from vaccinations.tests.factories import MedicFactory, VaccineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IIN = make_iin(birth_date=date(1986, 9, 2), sex="female", serial=2626)
PHONE = {"width": 390, "height": 844}


def _staff(browser_page, base, user):
    page = browser_page.context.browser.new_context(viewport=PHONE).new_page()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit].btn-primary")
    return page


def _citizen(browser_page, base, citizen):
    """The citizen's phone, signed in (the SMS sign-in has its own journeys)."""
    client = Client()
    client.force_login(citizen)
    page = browser_page.context.browser.new_context(viewport=PHONE).new_page()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base},
        ]
    )
    return page


def _record(page, dose: int, day: date):
    form = page.locator("form[data-form=record]")
    form.locator("select[name=vaccine]").select_option("qazvac")
    form.locator("input[name=dose]").fill(str(dose))
    form.locator("input[name=administered_on]").fill(day.isoformat())
    form.locator("input[name=family_name]").fill("Жұмабаева")
    form.locator("input[name=given_name]").fill("Динара")
    form.locator("button[value=record]").click()
    expect(page.locator(".messages")).to_contain_text(f"dose {dose} of 2")


def _verdict(page, base, text: str) -> str:
    page.goto(f"{base}/verify/")
    expect(page.locator("[data-offline]")).to_be_visible()  # the keys are here: checked in the browser
    page.fill("textarea[name=certificate]", text)
    page.click("[data-verify-form] button[type=submit]")
    verdict = page.locator("[data-verdict]")
    expect(verdict.locator("[data-checked-in=browser]")).to_be_visible()
    return verdict.get_attribute("data-verdict")


def test_two_doses_a_verified_qr_a_forgery_a_revocation_and_a_confirmed_self_entry(
    browser_page, live_server, tmp_path, axe_check, settings
):
    settings.MEDIA_ROOT = tmp_path
    import zxingcpp

    base, today = live_server.url, timezone.localdate()
    VaccineFactory(code="qazvac", product="QazVac", manufacturer="RIBSP")
    medic = MedicFactory()
    citizen = CitizenFactory(iin=IIN)

    # A medical worker finds her by IIN and records two doses.
    staff = _staff(browser_page, base, medic)
    staff.goto(f"{base}/vaccinations/person/")
    staff.fill("input[name=iin]", IIN)
    staff.click("main button[value=find]")
    assert IIN not in staff.url
    _record(staff, 1, today - timedelta(days=30))
    _record(staff, 2, today - timedelta(days=2))
    axe_check(staff, "the medical worker's person page")
    assert status_for(iin=IIN).colour == "green"  # R-ST-5: from the day after the final dose

    # Her passport: a complete scheme and a QR code.
    phone = _citizen(browser_page, base, citizen)
    phone.goto(f"{base}/me/vaccinations/")
    expect(phone.locator("[data-scheme]")).to_have_attribute("data-scheme", "complete")
    expect(phone.locator("[data-list=doses] tbody tr")).to_have_count(2)
    axe_check(phone, "the passport")
    qr = phone.locator("[data-certificate-qr]")
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    text = barcode.text
    assert text.startswith("HC1:") and text == phone.locator("[data-certificate]").text_content()

    # Anyone verifies it: in the browser, and by the server without JavaScript.
    checker = browser_page
    checker.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    assert _verdict(checker, base, text) == "authentic"
    expect(checker.locator("[data-verdict] dl")).to_contain_text("Жұмабаева")
    axe_check(checker, "the verification page")
    forged = text[:60] + ("A" if text[60] != "A" else "B") + text[61:]  # one character changed
    assert _verdict(checker, base, forged) == "not_authentic"
    no_script = browser_page.context.browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    no_script.goto(f"{base}/verify/")
    no_script.fill("textarea[name=certificate]", text)
    no_script.click("[data-verify-form] button[type=submit]")
    expect(no_script.locator("[data-verdict]")).to_have_attribute("data-verdict", "authentic")

    # The medical worker corrects the second dose: the old certificate is revoked.
    staff.goto(f"{base}/vaccinations/")
    second = Entry.objects.get(dose=2, state=State.CONFIRMED)
    staff.click(f"[data-entry='{second.pk}'] a")
    staff.fill("input[name=administered_on]", (today - timedelta(days=3)).isoformat())
    staff.click("main form button[type=submit]")
    expect(staff.locator(".messages")).to_contain_text("corrected")
    assert _verdict(checker, base, text) == "revoked"
    phone.reload()
    fresh = phone.locator("[data-certificate]").text_content()
    assert _verdict(checker, base, fresh) == "authentic"

    # Her own entry of a booster stays pending until a medical worker of the region confirms it.
    photo = tmp_path / "certificate.jpg"
    Image.new("RGB", (400, 300), (240, 240, 240)).save(photo)
    phone.goto(f"{base}/me/vaccinations/add/")
    phone.select_option("select[name=vaccine]", "qazvac")
    phone.fill("input[name=dose]", "3")
    phone.fill("input[name=administered_on]", (today - timedelta(days=1)).isoformat())
    phone.fill("input[name=family_name]", "Жұмабаева")
    phone.fill("input[name=organisation]", "Charité, Berlin")
    phone.select_option("select[name=country]", "DE")
    phone.select_option("select[name=region]", medic.region.code)
    phone.set_input_files("input[name=photo]", str(photo))
    phone.click("main form button[type=submit]")
    expect(phone.locator("[data-list=self-entries] [data-state=pending]")).to_have_count(1)
    expect(phone.locator("[data-list=doses] tbody tr")).to_have_count(2)  # counts for nothing yet

    staff.goto(f"{base}/vaccinations/pending/")
    staff.click("[data-list=pending] a")
    expect(staff.locator("img.document")).to_be_visible()
    staff.click("button[value=confirm]")
    expect(staff.locator(".messages")).to_contain_text("Confirmed")
    phone.reload()
    expect(phone.locator("[data-list=doses] tbody tr")).to_have_count(3)
    expect(phone.locator("[data-list=self-entries] [data-state=pending]")).to_have_count(0)
