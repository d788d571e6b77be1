"""What happens when someone signs in: the session's fixed end.

A session ends at an absolute moment after sign-in (`set_expiry` with a moment, not a
number of idle seconds), so activity never stretches it: guards and staff after a
shift (SESSION_SHIFT_HOURS), citizens and owners after SESSION_DAYS.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from ashyq.accounts.models import Role

# Who signs in on his own phone, for himself; everyone else works a shift.
OWN_DEVICE_ROLES = frozenset({Role.CITIZEN, Role.OWNER})


def session_lifetime(user) -> timedelta:
    if user.role in OWN_DEVICE_ROLES and not user.is_staff and not user.is_superuser:
        return timedelta(days=settings.SESSION_DAYS)
    return timedelta(hours=settings.SESSION_SHIFT_HOURS)


@receiver(user_logged_in, dispatch_uid="ashyq.accounts.session_end")
def session_end(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.set_expiry(timezone.now() + session_lifetime(user))
