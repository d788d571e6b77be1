"""`manage.py check --deploy`: the registries a production deployment must not miss."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def registry_checks(app_configs, **kwargs):
    found = []
    if settings.REGISTRY_MOCKS_ENABLED:
        found.append(
            checks.Warning(
                "REGISTRY_MOCKS_ENABLED is on: /mock/ serves registry records with IINs in clear to anyone.",
                hint="Turn the mock registries off in production.",
                id="ashyq.W001",
            )
        )
    elif urlsplit(settings.REGISTRY_URL).path.rstrip("/").endswith("/mock"):
        found.append(
            checks.Warning(
                "REGISTRY_URL points at the mock registries, which are off: no status can be synced.",
                hint="Set REGISTRY_URL (and REGISTRY_TOKEN) to the agencies' registry gateway.",
                id="ashyq.W002",
            )
        )
    return found
