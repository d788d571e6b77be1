"""Accessibility in a real browser: axe-core on every page a journey visits (conftest's
AxeWatch), the skip link, the messages read out, and a computation's progress followed
without reloading the page under a screen reader."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import PASSWORD, UserFactory
from leaders.models import ComputeRun, RunStatus
from leaders.tests.factories import PERIOD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, user):
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit].btn-primary")
    expect(page.locator("#id_password")).to_have_count(0)


def test_axe_checks_each_page_a_journey_acts_on_and_reports_what_it_finds(browser_page, live_server, axe_watch):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/")
    # A button without a name (critical: button-name), put there by the test.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<button></button>')")
    page.click("a[href='/participants/']")  # an action on the page: axe runs on it first
    expect(page.locator("h1")).to_be_visible()  # a look at the next page: checked too

    assert axe_watch.checked == [f"{base}/", f"{base}/participants/"]
    assert len(axe_watch.found) == 1
    assert axe_watch.found[0].startswith(f"on {base}/:") and "button-name (critical)" in axe_watch.found[0]
    axe_watch.found.clear()  # the one expected here: it would fail this test at its end


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(browser_page, live_server):
    page = browser_page
    page.goto(f"{live_server.url}/")
    skip = page.locator("a.skip-link")
    expect(skip).not_to_be_in_viewport()  # off screen until a keyboard reaches it
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    expect(skip).to_have_text("Перейти к содержанию")
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()


def test_a_message_after_an_action_is_in_a_live_region(browser_page, live_server):
    page, base = browser_page, live_server.url
    _sign_in(page, base, UserFactory(role=Role.OPERATOR, is_staff=True))
    page.goto(f"{base}/system/")
    page.click("main form button[type=submit]")  # "Send a test task"
    region = page.locator("#messages[role=status][aria-live=polite]")
    expect(region.locator("li.notice")).to_have_count(1)


def test_a_computation_s_progress_is_followed_without_reloading_the_page(browser_page, live_server):
    """R-LD-2's run page polls its state (htmx): the document stays the same, the result
    appears when the worker is done, and the live region says so once."""
    page, base = browser_page, live_server.url
    commission = UserFactory(role=Role.COMMISSION)
    run = ComputeRun.objects.create(period_start=PERIOD, requested_by=commission, status=RunStatus.RUNNING)
    _sign_in(page, base, commission)
    page.goto(f"{base}/leaders/runs/{run.pk}/")
    expect(page.locator("#run-state [data-status=running]")).to_have_count(1)
    page.evaluate("window.sameDocument = true")
    announce = page.locator("#run-announce[role=status]")
    expect(announce).to_have_text("")

    ComputeRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, progress=100, message="Готово.", result={}, finished_at=timezone.now()
    )

    expect(page.locator("#run-state [data-status=done]")).to_have_count(1, timeout=10_000)
    expect(page.locator("table.run-result")).to_have_count(1)
    expect(announce).to_contain_text("Готово.")
    assert page.evaluate("window.sameDocument") is True  # not reloaded
    assert page.locator("#run-state").get_attribute("hx-trigger") is None  # the polling stopped
