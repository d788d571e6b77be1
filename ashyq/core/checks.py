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


@checks.register(checks.Tags.security, deploy=True)
def lockout_check(app_configs, **kwargs):
    """R-AU-3: behind a TLS proxy every request comes from the proxy's address; unless
    axes reads the client's from X-Forwarded-For, the (username, IP) lock becomes a
    username lock that anyone can set off against any staff member."""
    if getattr(settings, "BEHIND_TLS_PROXY", False) and not settings.AXES_IPWARE_PROXY_COUNT:
        return [
            checks.Warning(
                "BEHIND_TLS_PROXY is on but AXES_PROXY_COUNT is 0: sign-in lockouts would use the proxy's address.",
                hint="Set AXES_PROXY_COUNT to the number of proxies in front of the app (usually 1).",
                id="ashyq.W003",
            )
        ]
    return []
