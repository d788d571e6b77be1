"""The citizen's IIN link to his phone (R-AU-2, R-ID-2)."""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import User
from ashyq.core.services import audit_record
from ashyq.crypto import blind_index, masked
from ashyq.identifiers import validate_adult_iin
from ashyq.registries import RegistryError
from visitors.clients import subscriber_iin


class LinkRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _registered_iin(user: User) -> str | None:
    """The IIN the subscriber registry has for the user's phone (R-AU-2); None, as for a
    phone it does not know, when he has none (a citizen signs in by phone, so he has)."""
    if user.phone is None:
        return None
    return subscriber_iin(user.phone)


def citizen_link_recheck(*, user: User, now: datetime) -> bool:
    """Keep the citizen's IIN linked only while the mobile-subscriber registry still
    has his phone for it (R-AU-2); a phone that changed hands loses the link, audited.

    When the registry does not answer, the link is kept: an outage of another agency
    must not lock citizens out of their own status. Returns whether the link stays.
    """
    try:
        registered = _registered_iin(user)
    except RegistryError:
        return True
    if registered is not None and blind_index(registered) == user.iin_index:
        return True
    User.objects.filter(pk=user.pk).update(iin=None, iin_index=None)
    audit_record(actor=user, action="citizen.iin_unlinked", obj=user, reason="phone not registered to the IIN")
    user.iin, user.iin_index = None, None
    return False


def citizen_link_iin(*, user: User, iin: str, now: datetime) -> User:
    """Link `iin` to the citizen signed in with his phone, once (R-AU-2, R-ID-2).

    Raises ValidationError for an invalid IIN or a minor, LinkRefused when the phone
    is not registered to that IIN or the IIN is linked to another account, and
    RegistryUnavailable when the subscriber registry does not answer. Nothing is
    stored unless the link is made.
    """
    if user.iin_index:
        raise LinkRefused(_("An IIN is already linked to this account."))
    person = validate_adult_iin(iin, on=timezone.localdate(now))
    registered = _registered_iin(user)
    if registered is None or blind_index(registered) != blind_index(person.number):
        raise LinkRefused(
            _(
                "This phone number is not registered to this IIN with a mobile operator. "
                "Use the phone registered to your IIN, or ask the guard to enter your IIN at the door."
            )
        )
    try:
        with transaction.atomic():
            updated = User.objects.filter(pk=user.pk, iin_index__isnull=True)
            user.iin = person.number
            # BlindIndexField fills itself on save(); a conditional update must set it.
            if updated.update(iin=user.iin, iin_index=blind_index(person.number)) != 1:
                raise LinkRefused(_("An IIN is already linked to this account."))
            audit_record(actor=user, action="citizen.iin_linked", obj=user, iin=masked(person.number))
    except IntegrityError as exc:  # the blind index is unique: another account has it
        raise LinkRefused(
            _("This IIN is linked to another account. If it is yours, write to the support: %(support)s.")
            % {"support": settings.SUPPORT_NAME}
        ) from exc
    user.refresh_from_db(fields=["iin", "iin_index"])
    return user
