"""The staff pages in a real browser, one journey per role (the issue "what inspectors,
akimats, the commission and sanitary officers lack"): the inspector on a phone, in
Kazakh; the akimat, in Russian; the operator; the sanitary officer, in Kazakh; the
commission. Every page a journey visits is checked by axe-core (conftest.py)."""

import csv
import io
from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import PASSWORD, UserFactory
from ashyq.reference.models import OperatingRule, Zone
from ashyq.reference.tests.factories import CategoryFactory, ZoneChangeFactory
from leaders.models import Decision
from leaders.services import review
from leaders.tests.test_review import PERIOD_END, computed_list
from monitoring.models import Inspection, Outage, Sanction, SanctionKind, Violation, ViolationPhoto
from monitoring.services.sanctions import appeal_file
from monitoring.services.violations import violation_decide
from monitoring.tests.factories import InspectorFactory, ViolationFactory, jpeg_upload
from visitors.models import DailyStats
from visitors.tests.factories import DoorReportFactory, VisitFactory, open_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 420, "height": 900}


def _signed_in(browser_page, base, user, language="ru"):
    """A phone of its own, `user` signed in with his password, in `language` chosen
    with the switcher at the foot of the page."""
    page = browser_page.context.browser.new_context(viewport=PHONE, accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit].btn-primary")
    if language != "ru":
        page.click(f".language-switcher button[value={language}]")
        page.wait_for_load_state()
    return page


def _fits(page) -> None:
    """The page is as wide as the phone: nothing overflows sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def cafe(tmp_path, settings):
    """A cafe of capacity 40 in a yellow zone where participants may fill 50 %, past
    test mode, 23 people inside."""
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    category = CategoryFactory()
    venue = open_venue(now=now - timedelta(days=30), name="Кафе «Достық»", capacity=40, category=category)
    ZoneChangeFactory(region=venue.region, zone=Zone.YELLOW, effective_from=date(2021, 1, 1))
    OperatingRule.objects.bulk_create(
        OperatingRule(category=category, zone=zone, for_participants=mine, may_open=True, opens_at=time(0),
                      closes_at=time(0), occupancy_percent=50)
        for zone in Zone.values for mine in (True, False)
    )  # fmt: skip
    for n in range(23):
        VisitFactory(venue=venue, entered_at=now - timedelta(minutes=10 + n))
    return venue


def test_the_inspector_on_site_in_kazakh(browser_page, live_server, cafe, tmp_path):
    base, now = live_server.url, timezone.now()
    inspector, second = InspectorFactory(region=cafe.region), InspectorFactory(region=cafe.region)
    photo = tmp_path / "door.jpg"
    photo.write_bytes(jpeg_upload(size=(640, 480), orientation=6).read())

    page = _signed_in(browser_page, base, inspector, language="kk")
    page.goto(f"{base}/monitoring/")
    card = page.locator(f"a.card[data-venue='{cafe.pk}']")
    expect(card.locator("[data-standing=participant]")).to_be_visible()
    card.click()
    expect(page.locator("[data-inside='23'][data-allowed='20']")).to_contain_text("нормадан асқан")
    _fits(page)

    page.click("form[action$='/inspected/'] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Тексеру тіркелді")
    assert Inspection.objects.filter(venue=cafe, inspected_by=inspector).count() == 1

    # A time in the future: the server refuses, and the photo picked is kept.
    form = page.locator("form[enctype]")
    form.locator("select[name=kind]").select_option("over_occupancy")
    form.locator("input[name=occurred_at]").fill(timezone.localtime(now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    form.locator("textarea[name=description]").fill("Ішінде 23 адам, рұқсат 20.")
    form.locator("input[type=file] >> nth=0").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    expect(page.locator(".kept-photos img")).to_have_count(1)
    assert not Violation.objects.exists()
    form = page.locator("form[enctype]")
    form.locator("input[name=occurred_at]").fill(
        timezone.localtime(now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    )
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Бұзушылық тіркелді")
    stored = ViolationPhoto.objects.get(violation__venue=cafe)
    assert (stored.width, stored.height) == (480, 640)  # upright

    other = _signed_in(browser_page, base, second, language="kk")
    other.goto(f"{base}/monitoring/violations/")
    expect(other.locator("[data-preview=exclusion]")).to_contain_text("2 аптаға")
    _fits(other)
    other.click("button[value=confirm]")
    assert Sanction.objects.get(venue=cafe).kind == SanctionKind.EXCLUSION


def test_the_akimat_reviews_participants_and_judges_an_appeal_in_russian(browser_page, live_server, cafe):
    base, now = live_server.url, timezone.now()
    violation = ViolationFactory(
        venue=cafe, description="Охранник не проверял статусы.", occurred_at=now - timedelta(hours=3)
    )
    ViolationPhoto.objects.create(violation=violation, image=jpeg_upload())
    sanction = violation_decide(inspector=InspectorFactory(region=cafe.region), violation=violation, confirm=True,
                                note="Подтверждаю по видео.", now=now - timedelta(hours=1))  # fmt: skip
    appeal_file(owner=cafe.company.owner, sanction=sanction, text="Журнал проверок ведётся.", now=now)
    akimat = UserFactory(role=Role.AKIMAT, region=cafe.region)

    page = _signed_in(browser_page, base, akimat)
    expect(page.locator("[data-card=appeals]")).to_contain_text("1 апелляция")
    page.click("[data-card=participants]")
    expect(page.locator(f"[data-venue='{cafe.pk}'] [data-standing=excluded]")).to_be_visible()
    _fits(page)
    with page.expect_download() as download:
        page.click("a.btn:text('CSV')")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert rows[1][1] == "Кафе «Достық»" and rows[1][5] == "исключён"

    page.goto(f"{base}/monitoring/appeals/")
    appeal = page.locator(".card[data-appeal]")
    expect(appeal).to_contain_text("Подтверждаю по видео.")
    expect(appeal.locator("img")).to_have_count(1)
    _fits(page)
    appeal.locator("textarea[name=reason]").fill("Журнал подтверждает проверку.")
    appeal.locator("button[value=cancel]").click()
    expect(page.locator("[data-sanction-state=cancelled]")).to_contain_text("снята")
    page.click(f"a[href='/monitoring/venues/{cafe.pk}/']")
    expect(page.locator("[data-standing=participant]")).to_be_visible()


def test_the_operator_records_an_outage_the_owner_sees_it(browser_page, live_server, cafe):
    base = live_server.url
    operator = UserFactory(role=Role.OPERATOR)
    page = _signed_in(browser_page, base, operator, language="kk")
    page.goto(f"{base}/system/")
    expect(page.locator("[data-registry=pcr]")).to_be_visible()
    page.goto(f"{base}/monitoring/ops/outages/")
    started = timezone.localtime(timezone.now() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    page.select_option("select[name=kind]", "sms")
    page.fill("input[name=starts_at]", started)  # the end left empty: it still lasts
    page.click("main form button[type=submit]")
    outage = Outage.objects.get()
    expect(page.locator(f"[data-outage='{outage.pk}'][data-ongoing=true]")).to_contain_text("жалғасуда")
    _fits(page)

    owner = _signed_in(browser_page, base, cafe.company.owner)
    owner.goto(f"{base}/venues/{cafe.pk}/")
    expect(owner.locator(f".outages-panel [data-outage='{outage.pk}']")).to_contain_text("продолжается")

    page.click(f"a[href='/monitoring/ops/outages/{outage.pk}/']")
    page.fill("input[name=ends_at]", timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M"))
    page.click("main form button[type=submit]")
    outage.refresh_from_db()
    assert outage.ends_at is not None


def test_the_sanitary_officer_filters_and_downloads_in_kazakh(browser_page, live_server, cafe):
    base, now = live_server.url, timezone.now()
    other = open_venue(now=now - timedelta(days=30), region=cafe.region, name="Баня «Жар»")
    DoorReportFactory(venue=cafe, colour="red", at=now - timedelta(minutes=30))
    DoorReportFactory(venue=other, colour="yellow", at=now - timedelta(minutes=20))
    officer = UserFactory(role=Role.SANITARY, region=cafe.region)
    page = _signed_in(browser_page, base, officer, language="kk")
    page.click("[data-card=door-reports]")
    expect(page.locator("tr[data-report]")).to_have_count(2)
    page.select_option("select[name=colour]", "yellow")
    page.click("form.filters button[type=submit]")
    expect(page.locator("tr[data-report]")).to_have_count(1)
    expect(page.locator("tr[data-report]")).to_contain_text("Баня «Жар»")
    _fits(page)
    with page.expect_download() as download:
        page.click("a.btn:text('XLSX')")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_commission_reads_the_red_found_remotely_and_records_a_decision(browser_page, live_server):
    base = live_server.url
    DailyStats.objects.create(
        region=None, day=timezone.localdate() - timedelta(days=1), remote_checks=140, red_remote=97
    )
    the_list = computed_list()
    review.submit(the_list, actor=None, now=timezone.now())
    page = _signed_in(browser_page, base, UserFactory(role=Role.COMMISSION))
    page.goto(f"{base}/stats/national/")
    expect(page.locator("main")).to_contain_text("Красный статус при удалённых проверках")
    expect(page.locator("#table-heading ~ div table.stats-table")).to_contain_text("97")
    _fits(page)
    page.goto(f"{base}/leaders/periods/{the_list.period.starts_on.isoformat()}/")
    page.fill("input[name=number]", "№ 47")
    page.fill("input[name=date]", PERIOD_END.isoformat())
    page.click("main form button[type=submit]")
    assert Decision.objects.get().number == "47"
    expect(page.locator("main")).not_to_contain_text("№ №")
