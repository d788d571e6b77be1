"""The Monitoring issue's journey in a real browser (docs/rules.md §10): an inspector files
a violation with a photo, a second confirms it, the venue is excluded and its QR code
stops working at once; the owner appeals, the akimat cancels, the code works again."""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from ashyq.accounts.tests.factories import PASSWORD
from monitoring.models import Appeal, Sanction, SanctionKind, SanctionState, ViolationPhoto
from monitoring.tests.factories import AkimatFactory, InspectorFactory
from venues.codes.selectors import code_token, live_codes
from visitors.tests.factories import open_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser_page, base, user):
    page = browser_page.context.browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit].btn-primary")
    return page


def test_violation_exclusion_appeal_and_return_of_the_code(browser_page, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    base, now = live_server.url, timezone.now()
    venue = open_venue(now=now - timedelta(days=30), name="Кафе «Достық»")  # past test mode (R-VN-5)
    first, second = InspectorFactory(region=venue.region), InspectorFactory(region=venue.region)
    akimat = AkimatFactory(region=venue.region)
    entry = next(code for code in live_codes(venue) if code.direction == "entry")
    qr_url = f"{base}/q/{code_token(entry)}"
    photo = tmp_path / "door.jpg"
    Image.new("RGB", (320, 240), (200, 30, 30)).save(photo)

    page = _signed_in(browser_page, base, first)
    page.goto(f"{base}/monitoring/venues/{venue.pk}/")
    page.select_option("select[name=kind]", "red_yellow_admitted")
    page.fill("input[name=occurred_at]", timezone.localtime(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("textarea[name=description]", "Охранник пропустил посетителя с красным статусом.")
    page.set_input_files("input[type=file] >> nth=0", str(photo))
    page.click("main form[enctype] button[type=submit]")
    assert ViolationPhoto.objects.count() == 1

    assert browser_page.goto(qr_url).status == 200  # the code works before the decision
    page = _signed_in(browser_page, base, second)
    page.goto(f"{base}/monitoring/violations/")
    page.click("button[value=confirm]")
    sanction = Sanction.objects.get(venue=venue)
    assert sanction.kind == SanctionKind.EXCLUSION  # R-MN-3: the first one, 2 weeks
    assert browser_page.goto(qr_url).status == 403  # R-MN-4, R-CI-7: at once

    page = _signed_in(browser_page, base, venue.company.owner)
    page.goto(f"{base}/venues/{venue.pk}/")
    page.fill("textarea[name=text]", "Охранник проверял статусы, есть журнал.")
    page.click(f"form[action$='/sanctions/{sanction.pk}/appeal/'] button[type=submit]")
    appeal = Appeal.objects.get(sanction=sanction)

    page = _signed_in(browser_page, base, akimat)
    page.goto(f"{base}/monitoring/appeals/")
    form = page.locator(f"form[action$='/appeals/{appeal.pk}/decide/']")
    form.locator("textarea[name=reason]").fill("Журнал подтверждает проверку.")
    form.locator("button[value=cancel]").click()
    sanction.refresh_from_db()
    assert sanction.state == SanctionState.CANCELLED  # R-MN-5: lifted at once
    assert browser_page.goto(qr_url).status == 200
