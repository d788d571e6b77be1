"""Writes of the accounts app."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from ashyq.accounts.lockout import address_key
from ashyq.accounts.models import KnownAddress, User


@transaction.atomic
def known_address_record(*, user: User, address: str | None, now: datetime) -> None:
    """R-AU-3: `user` signed in with his password from `address`; it stays known (spared
    by the per-username cap) for KNOWN_ADDRESS_DAYS. Rows older than that go."""
    KnownAddress.objects.update_or_create(user=user, address=address_key(address), defaults={"last_seen_at": now})
    KnownAddress.objects.filter(last_seen_at__lte=now - timedelta(days=settings.KNOWN_ADDRESS_DAYS)).delete()


@transaction.atomic
def user_language_set(*, user: User, language: str) -> bool:
    """Keep `language` as the one `user` last chose (e-mails to him are written in it).
    A preference, not an act of his office: not audited. False for a language the
    interface does not offer, or the one already kept."""
    if language not in dict(settings.LANGUAGES):
        return False
    changed = User.objects.filter(pk=user.pk).exclude(language=language).update(language=language) == 1
    user.language = language
    return changed
