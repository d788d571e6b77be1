"""Staff sign-in lockouts (R-AU-3) on top of django-axes, and the client's address.

axes locks the pair (username, address) after AXES_FAILURE_LIMIT wrong passwords: an
attacker elsewhere cannot lock a victim out of his own desk. Alone, that lets a patient
attacker guess without end from many addresses, a few tries each. So a username that
collected USERNAME_FAILURE_LIMIT failures within a day, from any addresses, is also
locked for every address it has not signed in from successfully (KnownAddress): the
slow distributed guess stops, and the staff member at his usual desk still signs in.
A stranger can set that lock off, but only for addresses that are not the victim's.
"""

from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from ashyq.accounts.models import KnownAddress
from ashyq.crypto import blind_index

USERNAME_WINDOW = timedelta(days=1)
# Set on the request when the per-username cap refused it: the lockout page says what
# the person can do (sign in from his usual computer, or ask an operator).
NEW_ADDRESS_LOCK = "ashyq_new_address_lock"


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as axes sees it (django-ipware behind AXES_PROXY_COUNT
    proxies, see the settings), or None."""
    return get_client_ip_address(request)


def address_key(address: str | None) -> str:
    """The keyed hash an address is stored as: who signed in from where is not kept in clear."""
    return blind_index(f"address:{address or '-'}")


def is_known_address(*, username: str, address: str | None, now: datetime) -> bool:
    since = now - timedelta(days=settings.KNOWN_ADDRESS_DAYS)
    return KnownAddress.objects.filter(
        user__username=username, address=address_key(address), last_seen_at__gt=since
    ).exists()


def username_failures(*, username: str, now: datetime) -> int:
    """Failures of `username` from any address within USERNAME_WINDOW (axes' failure log,
    indexed by username and capped per username by axes)."""
    return AccessFailureLog.objects.filter(username=username, attempt_time__gt=now - USERNAME_WINDOW).count()


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with the per-username cap for addresses it does not know."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        if not username:
            return False
        now = timezone.now()
        if username_failures(username=username, now=now) < settings.USERNAME_FAILURE_LIMIT:
            return False
        if is_known_address(username=username, address=client_address(request), now=now):
            return False
        setattr(request, NEW_ADDRESS_LOCK, True)
        return True
