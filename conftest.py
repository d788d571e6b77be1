"""Fixtures every app's tests share."""

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from celery.signals import task_postrun


class FinishedTasks:
    """The tasks a Celery worker of this process (`start_worker`, a thread) has finished,
    by name, counted from Celery's task_postrun signal."""

    def __init__(self):
        self._done: dict[str, int] = {}
        self._changed = threading.Condition()

    def record(self, sender=None, **kwargs):
        with self._changed:
            self._done[sender.name] = self._done.get(sender.name, 0) + 1
            self._changed.notify_all()

    def wait(self, name: str, count: int = 1, timeout: float = 60) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self._done.get(name, 0) >= count, timeout), (
                f"{name} did not finish {count} time(s) within {timeout} s"
            )


@pytest.fixture(autouse=True)
def _allowed_shares_forgotten():
    """Each test decides its venues' allowed shares afresh. A process keeps them under
    the conditions' version (venues.conditions); a test's rows, the version's renewal
    included, are rolled back, and rows written by bulk_create renew nothing."""
    from venues.conditions import shares

    shares.clear()


@pytest.fixture
def finished_tasks():
    """Waits for a worker thread without reading the database it writes. The SQLite test
    database lives in shared memory, where a read of a table the worker is writing at
    that moment fails the worker's write ("database table is locked") instead of waiting
    for it; a test that polls the database until the worker is done is flaky there."""
    finished = FinishedTasks()
    task_postrun.connect(finished.record, weak=False)
    yield finished
    task_postrun.disconnect(finished.record)


@pytest.fixture
def registry(live_server, settings):
    """The mock registries served over real HTTP (R-RG-1), and REGISTRY_URL pointing
    at them, exactly as the run command's server serves them to the sync and the
    application checks. Needs a transactional database (the server is a thread)."""
    settings.REGISTRY_URL = f"{live_server.url}/mock/"
    settings.REGISTRY_MOCKS_ENABLED = True
    return live_server


@pytest.fixture
def en_client(client, settings):
    """A browser whose person picked English with the language switcher: for tests
    that read messages (Russian is the default)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).resolve().parent / "ashyq" / "tests" / "vendor" / "axe.min.js"
SCREENSHOTS = pytest.StashKey[list]()


def screenshot_folder() -> Path:
    """Where a failed browser test leaves its screenshots: $ASHYQ_SCREENSHOTS, else
    var/test-screenshots (CI prints the folder at the end of the run)."""
    folder = os.environ.get("ASHYQ_SCREENSHOTS")
    return Path(folder) if folder else Path(__file__).resolve().parent / "var" / "test-screenshots"


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item (item.report_setup / report_call), so
    that a fixture's teardown can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    pages = config.stash.get(AXE_PAGES, 0)
    if pages:
        terminalreporter.write_line(f"axe-core checked {pages} pages of the browser journeys")
    saved = config.stash.get(SCREENSHOTS, [])
    if saved:
        terminalreporter.write_sep("-", f"screenshots of failed browser tests in {screenshot_folder()}")
        for path in saved:
            terminalreporter.write_line(str(path))


def _failed(item) -> bool:
    return any(
        getattr(item, f"report_{when}", None) is not None and getattr(item, f"report_{when}").failed
        for when in ("setup", "call")
    )


def _save_screenshots(item, browser) -> None:
    """A full-page screenshot of every page the test opened (its own sign-in contexts
    included): <test name>.png, then <test name>-2.png, … ."""
    folder = screenshot_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", item.name)
    pages = [page for context in browser.contexts for page in context.pages if not page.is_closed()]
    for number, page in enumerate(pages, start=1):
        path = folder / (f"{name}.png" if number == 1 else f"{name}-{number}.png")
        try:
            page.screenshot(path=str(path), full_page=True, timeout=5_000)
        except Exception as error:  # the screenshot must not hide the test's own failure
            item.config.stash.setdefault(SCREENSHOTS, []).append(f"{path}: not saved ({error})")
        else:
            item.config.stash.setdefault(SCREENSHOTS, []).append(path)


@pytest.fixture
def browser_page(live_server, monkeypatch, request, axe_watch):
    """A phone-sized page in Debian's headless Chromium, driven by Playwright, against
    the live server. Skips where Chromium or Playwright is missing (CI installs both).
    When the test fails, every open page is saved as a full-page screenshot (see
    screenshot_folder). More pages, e.g. a second person: browser_page.context.browser
    .new_context(viewport=PHONE) or the `phone_page` fixture.

    axe-core checks every page the test visits, in every context of this browser
    (AxeWatch): a serious or critical violation fails the test at its end."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still synchronous, one at a time.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"],
        )
        # Every context, also those a test makes for another person's phone, is watched —
        # but one without JavaScript (a page that must work without it), where axe
        # cannot run.
        new_context = browser.new_context
        browser.new_context = lambda *args, **kwargs: (
            new_context(*args, **kwargs)
            if kwargs.get("java_script_enabled") is False
            else axe_watch.watch(new_context(*args, **kwargs))
        )
        context = browser.new_context(viewport=PHONE, accept_downloads=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        failed = False
        try:
            yield page
        finally:
            failed = _failed(request.node)
            if failed:
                _save_screenshots(request.node, browser)
            else:  # the pages the test ends on
                for context in browser.contexts:
                    for open_page in context.pages:
                        axe_watch.check(open_page)
            browser.close()
            request.config.stash[AXE_PAGES] = request.config.stash.get(AXE_PAGES, 0) + len(axe_watch.checked)
        if axe_watch.found and not failed:
            pytest.fail("axe-core found serious or critical violations:\n" + "\n".join(axe_watch.found), pytrace=False)
        if axe_watch.csp and not failed:
            pytest.fail("the Content-Security-Policy refused:\n" + "\n".join(axe_watch.csp), pytrace=False)


@pytest.fixture
def phone_page(browser_page):
    """Opens another phone-sized page in a fresh context (another person's phone: own
    cookies, own language), in the same browser, so a failure screenshots it too."""

    def open_page():
        context = browser_page.context.browser.new_context(viewport=PHONE, accept_downloads=True)
        context.set_default_timeout(15_000)
        return context.new_page()

    return open_page


SERIOUS = ("serious", "critical")
AXE_PAGES = pytest.StashKey[int]()


_UNCHECKED = "html:not([data-ashyq-axe])"


class AxeWatch:
    """axe-core on every page of a browser journey, not only where a test asks.

    Each page of the watched contexts gets a Playwright locator handler on a document
    not yet checked: before the test's next action or auto-waiting assertion on the
    page (a click that leaves it, a fill, an expect), axe runs on it and marks it
    checked. The pages a test ends on are checked by the browser_page fixture. A page
    left by goto() alone, without a look at it, is not; states that scripts make
    without a navigation (htmx answers) are checked where a test calls axe_check.
    `checked`: the URLs checked; `found`: one report per page with a serious or
    critical violation. It also listens to the console: `csp` holds what the
    Content-Security-Policy refused on any page (an inline script or style left in a
    template), which fails the test too."""

    def __init__(self):
        self.checked: list[str] = []
        self.found: list[str] = []
        self.csp: list[str] = []
        self._pages: set[int] = set()

    def watch(self, context):
        new_page = context.new_page
        context.new_page = lambda *args, **kwargs: self.watch_page(new_page(*args, **kwargs))
        context.on("page", self.watch_page)  # pages a link or a script opens
        return context

    def watch_page(self, page):
        if id(page) not in self._pages:
            self._pages.add(id(page))
            page.add_locator_handler(page.locator(_UNCHECKED), lambda _locator: self.check(page))
            page.on("console", lambda message: self._console(page, message))
        return page

    def _console(self, page, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp.append(f"on {page.url}: {message.text}")

    def check(self, page) -> None:
        from playwright.sync_api import Error

        if id(page) not in self._pages:  # a context without JavaScript: axe cannot run there
            return
        try:
            url = page.url
            html = page.evaluate(
                "location.protocol.startsWith('http') && document.contentType === 'text/html'"
                " && !document.documentElement.hasAttribute('data-ashyq-axe')"
            )
            found = axe_violations(page) if html else []
            page.evaluate("document.documentElement.setAttribute('data-ashyq-axe', '')")
        except Error:  # the page navigated away or closed meanwhile
            return
        if html:
            self.checked.append(url)
        if found:
            self.found.append(f"on {url}:\n{_axe_report(found)}")


def _axe_report(found: list[dict]) -> str:
    return "\n".join(f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found)


@pytest.fixture
def axe_watch():
    """The AxeWatch of this test's browser (browser_page): what it checked and found."""
    return AxeWatch()


def axe_violations(page) -> list[dict]:
    """Runs axe-core (vendored, ashyq/tests/vendor) on the page as it is now and returns
    the violations of impact serious or critical: id, impact, help and the first nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the Content-Security-Policy refuses inline
        # scripts, and the page's own policy is what the journeys test.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " | " + n.failureSummary),
            }));
        }"""
    )
    return [violation for violation in violations if violation["impact"] in SERIOUS]


@pytest.fixture
def axe_check():
    """axe_check(page, where): asserts axe-core finds no serious or critical violation
    on the page as it is now (WCAG 2.1 A/AA and best practices)."""

    def check(page, where: str = "") -> None:
        found = axe_violations(page)
        assert not found, f"axe-core on {where or page.url}:\n{_axe_report(found)}"

    return check
