"""The Venues issue's journey in a real browser: a new owner signs up, confirms his
company with the code sent to its phone, is refused for
an OKED mismatch with the reason shown, the business registry re-registers the OKED,
the owner applies again, is approved, downloads a code and its poster, and enables
guard mode; the PNG decodes to the /q/ URL (R-VN-1, R-VN-2, R-VN-3, R-VN-4, R-VN-7)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from ashyq.identifiers import make_bin
from ashyq.mocks.services import company_set, notification_set
from ashyq.reference.models import Admission, Category, OkedCode, Region, Tier
from ashyq.sms.models import SmsMessage
from venues.models import Application, Venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIN = make_bin(registered=date(2019, 6, 1), serial=4242)
ADDRESS = "Алматы, ул. Жибек Жолы, 50"
COMPANY_PHONE = "+77015554242"


def _apply(page, base):
    page.goto(f"{base}/venues/applications/new/")
    page.fill("input[name=name]", "Караоке «Алтын»")
    page.fill("input[name=address]", ADDRESS)
    page.select_option("select[name=region]", value=str(Region.objects.get(code="almaty").pk))
    page.select_option("select[name=category]", label="Караоке")
    page.fill("input[name=oked]", "47190")
    page.fill("input[name=notification_number]", "KZ-4242")
    page.fill("input[name=notification_date]", "2021-04-01")
    page.fill("input[name=capacity]", "40")
    page.fill("textarea[name=entrances]", "Главный вход\nСлужебный вход")
    page.fill("input[name=phone]", "+7 705 111 22 33")
    for name in ("holds_documents", "responsible", "accepts_agreement"):
        page.check(f"input[name={name}]")
    page.click("main button[type=submit].btn-primary")


def _reference_data():
    """What the data migration loads, which a transactional test may have emptied."""
    Region.objects.get_or_create(code="almaty", defaults={"name_ru": "Алматы", "kind": "city"})
    karaoke, _ = Category.objects.get_or_create(code="karaoke", defaults={"name_ru": "Караоке", "tier": Tier.A})
    OkedCode.objects.get_or_create(code="93290", defaults={"name_ru": "Прочие развлечения"})[0].categories.add(karaoke)
    Admission.objects.get_or_create(category=karaoke, region=None, admitted_from=date(2021, 5, 5))


def test_new_owner_from_sign_up_to_printed_codes(browser_page, registry, settings):
    settings.PUBLIC_URL = registry.url
    _reference_data()
    company_set(BIN, "ТОО «Алтын Сауда»", ["47190"], phone=COMPANY_PHONE)
    notification_set("KZ-4242", date(2021, 4, 1), BIN, ADDRESS)
    page, base = browser_page, registry.url

    page.goto(f"{base}/venues/sign-up/")
    page.fill("input[name=username]", "altyn")
    page.fill("input[name=email]", "altyn@example.kz")
    page.fill("input[name=password1]", "Zhibek-Zholy-50!")
    page.fill("input[name=password2]", "Zhibek-Zholy-50!")
    page.fill("input[name=bin]", BIN)
    page.click("main button[type=submit]")
    # R-VN-1: a BIN is public; the code sent to the company's phone in the registry proves it his.
    expect(page).to_have_url(f"{base}/venues/company/")
    sent = SmsMessage.objects.filter(phone=COMPANY_PHONE).latest("pk").text
    page.fill("input[name=code]", re.search(r"\b(\d{6})\b", sent).group(1))
    page.click("main button[type=submit].btn-primary")
    expect(page).to_have_url(f"{base}/venues/")

    _apply(page, base)
    expect(page.locator("main")).to_contain_text("Перерегистрируйте ОКЭД")  # R-VN-2, in Russian
    assert Application.objects.get().status == "refused" and not Venue.objects.exists()

    company_set(BIN, "ТОО «Алтын Сауда»", ["47190", "93290"])  # re-registered with the state
    page.click("text=Исправить и подать заново")
    page.fill("input[name=oked]", "93290")
    for name in ("holds_documents", "responsible", "accepts_agreement"):
        page.check(f"input[name={name}]")
    page.click("main button[type=submit].btn-primary")
    expect(page.locator("main")).to_contain_text("Тестовый режим")  # R-VN-5
    venue = Venue.objects.get()
    expect(page).to_have_url(f"{base}/venues/{venue.pk}/")

    with page.expect_download() as png:
        page.click("a:has-text('PNG') >> nth=0")
    with page.expect_download() as poster:
        page.click("a:has-text('A4') >> nth=0")
    assert open(poster.value.path(), "rb").read(5) == b"%PDF-"

    import zxingcpp
    from PIL import Image

    from venues.codes.selectors import code_token, code_url, live_codes

    [decoded] = zxingcpp.read_barcodes(Image.open(png.value.path()))
    assert decoded.text.startswith(f"{base}/q/")
    assert decoded.text in {code_url(code_token(code)) for code in live_codes(venue)}

    page.goto(f"{base}/venues/{venue.pk}/")
    page.fill("form[action$='/guard/enable/'] input[name=phone]", "+7 705 111 22 33")
    page.click("form[action$='/guard/enable/'] button[type=submit]")
    venue.refresh_from_db()
    assert venue.guard_phone == "+77051112233"
