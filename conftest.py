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
