"""Writes of the accounts app."""

from django.conf import settings
from django.db import transaction

from ashyq.accounts.models import User


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
