"""Writes for venue QR codes (R-VN-4, R-VN-5) and guard mode (R-VN-7)."""

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import Role, User
from ashyq.core.services import audit_record
from ashyq.sms.rules import mask_phone
from venues.codes import tokens
from venues.models import Direction, Entrance, QrCode, Venue
from venues.standing.services import standing_issue


@transaction.atomic
def codes_issue(*, venue: Venue, actor, now) -> list[QrCode]:
    """Issue an entry and an exit code for every entrance of the venue (R-VN-4).

    The new codes take the next issue number of the venue; the previous live codes
    are revoked in the same transaction, so an old print answers 410. The first
    issue ever starts test mode (R-VN-5: codes_first_issued_at = now, and the standing
    history's test mode); a re-issue keeps both, so it does not restart test mode."""
    original, venue = venue, Venue.objects.select_for_update().get(pk=venue.pk)
    entrances = list(Entrance.objects.filter(venue=venue).order_by("position", "id"))
    previous = QrCode.objects.filter(entrance__venue=venue).order_by("-issue").values_list("issue", flat=True).first()
    issue = (previous or 0) + 1
    revoked = QrCode.objects.filter(entrance__venue=venue, revoked_at__isnull=True).update(revoked_at=now)
    key_id = tokens.current_key_id()  # the key the posters will be signed with
    codes = QrCode.objects.bulk_create(
        QrCode(entrance=entrance, direction=direction, issue=issue, key_id=key_id, issued_at=now)
        for entrance in entrances
        for direction in (Direction.ENTRY, Direction.EXIT)
    )
    first = venue.codes_first_issued_at is None
    if first:
        venue.codes_first_issued_at = now
        venue.save(update_fields=["codes_first_issued_at"])
        standing_issue(venue=venue, at=now)
    original.codes_first_issued_at = venue.codes_first_issued_at  # the caller's copy
    audit_record(
        actor=actor,
        action="venues.codes_issued" if first else "venues.codes_reissued",
        obj=venue,
        region=venue.region,
        issue=issue,
        codes=len(codes),
        revoked=revoked,
    )
    return codes


# --- Guard mode (R-VN-7) -------------------------------------------------------------------


class GuardModeError(Exception):
    """A refusal the owner can act on; `message` says what to do, in his language."""

    message = _("Guard mode could not be enabled.")


# One message for both refusals: an owner typing numbers must not learn whose they are
# (a citizen's, a staff member's, another venue's). The exception says which, for logs.
_REFUSED_PHONE = _(
    "This number cannot be the guard phone. Name a phone that this venue itself uses and that is not "
    "anyone's personal number or another venue's guard phone."
)


class PhoneOfPersonalAccount(GuardModeError):
    message = _REFUSED_PHONE


class PhoneOfAnotherVenue(GuardModeError):
    message = _REFUSED_PHONE


@transaction.atomic
def guard_mode_enable(*, venue: Venue, phone: str, actor, now) -> User:
    """Name `phone` (normalised +7…) the venue's guard phone and make sure a guard
    account with that phone exists and is active, so that the SMS sign-in
    (/auth/phone/) opens that venue's guard page and nothing else (R-VN-7, R-AU-1).

    Refuses a phone of a citizen or staff account (a guard account sees a venue, a
    person's account his own status: one phone cannot be both) and a phone that is
    already another venue's guard phone (unique in the database too). Changing the
    phone deactivates the previous guard account."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    user = User.objects.select_for_update().filter(phone=phone).first()
    if user is not None and (user.role != Role.GUARD or user.is_staff or user.is_superuser):
        raise PhoneOfPersonalAccount
    if Venue.objects.filter(guard_phone=phone).exclude(pk=venue.pk).exists():
        raise PhoneOfAnotherVenue
    previous = venue.guard_phone
    if previous and previous != phone:
        _guard_account_close(phone=previous)
    venue.guard_phone = phone
    try:
        with transaction.atomic():
            venue.save(update_fields=["guard_phone"])
    except IntegrityError as exc:  # another venue took the phone meanwhile
        raise PhoneOfAnotherVenue from exc
    if user is None:
        user = User(username=_guard_username(phone), phone=phone, role=Role.GUARD)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:  # the phone signed in as a citizen meanwhile
            raise PhoneOfPersonalAccount from exc
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="venues.guard_mode_enabled", obj=venue, region=venue.region, phone=mask_phone(phone)
    )
    return user


@transaction.atomic
def guard_mode_disable(*, venue: Venue, actor, now) -> None:
    """Clear the venue's guard phone and close its guard account: it can no longer
    sign in, and a session already open ends at its next request (R-VN-7)."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    phone = venue.guard_phone
    if not phone:
        return
    _guard_account_close(phone=phone)
    venue.guard_phone = None
    venue.save(update_fields=["guard_phone"])
    audit_record(
        actor=actor, action="venues.guard_mode_disabled", obj=venue, region=venue.region, phone=mask_phone(phone)
    )


def _guard_account_close(*, phone: str) -> None:
    for user in User.objects.select_for_update().filter(phone=phone, role=Role.GUARD):
        # Inactive: the SMS sign-in refuses it and ModelBackend drops its sessions; a
        # new unusable password also changes the session hash, so re-enabling the
        # same phone later does not revive a session left open on an old phone.
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])


def _guard_username(phone: str) -> str:
    # The SMS sign-in's naming ("phone+77011234567"), so an account made here looks
    # like one made there; a name kept by an older account gets a suffix.
    username = "phone" + phone
    if User.objects.filter(username=username).exists():
        username = f"{username}-{secrets.token_hex(3)}"
    return username
