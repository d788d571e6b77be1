"""`manage.py check --deploy`: the registries a production deployment must not miss."""

from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core import checks
from django.http import HttpRequest


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
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if getattr(settings, "BEHIND_TLS_PROXY", False) and not proxies:
        return [
            checks.Warning(
                "BEHIND_TLS_PROXY is on but AXES_PROXY_COUNT is 0: sign-in lockouts would use the proxy's address.",
                hint="Set AXES_PROXY_COUNT to the number of proxies in front of the app (usually 1).",
                id="ashyq.W003",
            )
        ]
    if proxies and forwarded_client_read(proxies) != _CLIENT:
        return [
            checks.Error(
                "AXES_PROXY_COUNT is set but the client's address is not read from X-Forwarded-For: "
                "every client would share the proxy's address, and five wrong passwords lock a staff "
                "account for everyone.",
                hint="Install django-ipware (requirements.txt) and keep the AXES_IPWARE_* settings as ashyq.settings "
                "makes them.",
                id="ashyq.E001",
            )
        ]
    return []


# A request as it reaches the app behind `proxies` proxies: the client's own (forged)
# X-Forwarded-For, then what each proxy appended, the last proxy being REMOTE_ADDR.
_FORGED, _CLIENT = "192.0.2.66", "198.51.100.23"


def forwarded_client_read(proxies: int) -> str | None:
    """The address axes reads from such a request (it should be _CLIENT)."""
    hops = [_FORGED, _CLIENT] + [f"203.0.113.{n}" for n in range(1, proxies)]
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "203.0.113.250", "HTTP_X_FORWARDED_FOR": ", ".join(hops)}
    return get_client_ip_address(request)
