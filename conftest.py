"""Fixtures every app's tests share."""

import pytest


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


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A phone-sized page in Debian's headless Chromium, driven by Playwright, against
    the live server. Skips where Chromium or Playwright is missing (CI installs both)."""
    import os
    import shutil

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
        context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()
