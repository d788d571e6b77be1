"""Leader Ashyq's review in a real browser (R-LD-3, R-LD-5): the akimat of Almaty opens
its list, sees a flagged candidate, strikes one with a reason and submits; the
commission secretary records the decision; the public page lists the leaders (not the
struck one), and a leader's owner sees the milder zone's conditions on the venue page."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import PASSWORD, UserFactory
from ashyq.reference.models import OperatingRule, Region, Zone
from ashyq.reference.tests.factories import CategoryFactory, ZoneChangeFactory
from leaders import rules
from leaders.models import Candidate, CandidateList, Decision, Leader, ListStatus
from leaders.services.compute import leaders_compute
from leaders.tests.factories import add_visits
from visitors.models import Colour, EntryMethod, ExitMethod, Visit
from visitors.tests.factories import count_visits, open_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser_page, base, user):
    page = browser_page.context.browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit].btn-primary")
    return page


def _burst(venue, day: date, count: int) -> None:
    first = timezone.make_aware(datetime.combine(day, time(10)))
    Visit.objects.bulk_create(
        Visit(
            venue=venue,
            method=EntryMethod.SCAN,
            colour=Colour.GREEN,
            entered_at=first + timedelta(seconds=30 * n),
            exited_at=first + timedelta(seconds=30 * n, hours=1),
            exit_method=ExitMethod.SCAN,
        )
        for n in range(count)
    )
    count_visits()


def _almaty_list(now):
    """Almaty (red zone) with three cafés over the tier-A city threshold in the last
    closed period, one with a burst day, computed as the beat would (R-LD-1, R-LD-2)."""
    almaty, _ = Region.objects.get_or_create(code="almaty", defaults={"name_ru": "Алматы", "kind": "city"})
    ZoneChangeFactory(region=almaty, zone=Zone.RED, effective_from=date(2021, 1, 1))
    category = CategoryFactory(tier="A")
    for zone, closes, percent in ((Zone.RED, time(20), 30), (Zone.YELLOW, time(23), 50)):
        OperatingRule.objects.create(
            category=category,
            zone=zone,
            for_participants=True,
            may_open=True,
            opens_at=time(8),
            closes_at=closes,
            occupancy_percent=percent,
        )
    start, _end = rules.last_closed_period(now)
    first_moment = rules.period_bounds_utc(start)[0]
    venues = {}
    for name in ("Кафе «Лидер»", "Кафе «Сомнительное»", "Кафе «Всплеск»"):
        venues[name] = open_venue(now=now - timedelta(days=60), region=almaty, category=category, name=name)
        add_visits(venues[name], 2100, start=first_moment)
    _burst(venues["Кафе «Всплеск»"], start + timedelta(days=4), 900)
    leaders_compute(period_start=start, now=now)
    return start, venues


def test_review_decision_and_public_leaders(browser_page, live_server):
    # A failure leaves screenshots of every page open (conftest.py, browser_page).
    base, now = live_server.url, timezone.now()
    start, venues = _almaty_list(now)
    akimat = UserFactory(role=Role.AKIMAT, region=Region.objects.get(code="almaty"))
    commission = UserFactory(role=Role.COMMISSION)
    leader, doubtful, burst = venues["Кафе «Лидер»"], venues["Кафе «Сомнительное»"], venues["Кафе «Всплеск»"]
    page = _signed_in(browser_page, base, akimat)
    page.goto(f"{base}/leaders/")
    page.click(f"a[href='/leaders/review/almaty/{start.isoformat()}/']")
    flagged = page.locator(f"li[data-venue='{burst.pk}']")
    expect(flagged.locator("[data-flag=burst]")).to_have_count(1)

    row = page.locator(f"li[data-venue='{doubtful.pk}']")
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill("Одни и те же посетители каждые 10 минут.")
    row.locator("button[type=submit]").click()
    expect(page.locator(f"li[data-venue='{doubtful.pk}']")).to_have_attribute("data-struck", "true")
    assert Candidate.objects.get(venue=doubtful).struck

    page.check("form.leaders-submit input[name=confirm]")
    page.click("form.leaders-submit button[type=submit]")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", ListStatus.SUBMITTED)
    expect(page.locator("form.leaders-strike")).to_have_count(0)

    page = _signed_in(browser_page, base, commission)
    page.goto(f"{base}/leaders/periods/{start.isoformat()}/")
    page.fill("input[name=number]", "27-Л")
    page.fill("input[name=date]", timezone.localdate().isoformat())
    page.click("form.leaders-decision button[type=submit]")
    expect(page.locator("[data-decision='27-Л']")).to_be_visible()
    assert CandidateList.objects.get(region__code="almaty").status == ListStatus.FIXED
    assert set(Leader.objects.values_list("venue_id", flat=True)) == {leader.pk, burst.pk}
    assert Decision.objects.get().number == "27-Л"

    page = browser_page
    page.goto(f"{base}/leaders/regions/")
    page.click("a[data-region=almaty]")
    expect(page.locator("li[data-venue]")).to_have_count(2)
    shown = {int(pk) for pk in page.locator("li[data-venue]").evaluate_all("els => els.map(e => e.dataset.venue)")}
    assert shown == {leader.pk, burst.pk}

    # R-LD-5: red zone → the yellow zone's conditions for participants: 08:00–23:00, 50 %.
    page = _signed_in(browser_page, base, leader.company.owner)
    page.goto(f"{base}/venues/{leader.pk}/")
    conditions = page.locator(".conditions").inner_text()
    assert "08:00–23:00" in conditions and "50 %" in conditions
    assert "20:00" not in conditions and "30 %" not in conditions
