"""Writes for venue QR codes (R-VN-4, R-VN-5) and guard mode (R-VN-7)."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ashyq.core.services import audit_record
from ashyq.sms.rules import mask_phone
from venues.codes import tokens
from venues.models import Direction, Entrance, GuardConsent, QrCode, Venue
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
#
# The owner names a phone; the venue's guard mode is then pending until the holder of
# that phone, at his next sign-in with it (phone and one-time code), accepts to be
# this venue's guard. Until he does, his sign-in goes where it would anyway, never to
# the guard page. The owner sees pending, accepted or declined, and nothing about
# the phone's account: naming a number tells whether it has one no more than
# switching guard mode off touches that account (a phone may be a citizen's and a
# guard's at once). A phone guards one venue at a time: accepting another ends the first.


class GuardModeError(Exception):
    """A refusal the person can act on; `message` says what to do, in his language."""

    message = _("This request to be a guard is no longer open: the owner changed or switched off guard mode.")


@transaction.atomic
def guard_mode_enable(*, venue: Venue, phone: str, actor, now) -> Venue:
    """Name `phone` (normalised +7…) the venue's guard phone: pending its holder's
    answer at his next sign-in. Naming the phone it already has changes nothing."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    if venue.guard_phone == phone and venue.guard_consent in (GuardConsent.PENDING, GuardConsent.ACCEPTED):
        return venue
    venue.guard_phone, venue.guard_consent = phone, GuardConsent.PENDING
    venue.guard_named_at, venue.guard_answered_at = now, None
    venue.save(update_fields=["guard_phone", "guard_consent", "guard_named_at", "guard_answered_at"])
    audit_record(
        actor=actor, action="venues.guard_mode_enabled", obj=venue, region=venue.region, phone=mask_phone(phone)
    )
    return venue


@transaction.atomic
def guard_mode_disable(*, venue: Venue, actor, now) -> None:
    """Clear the venue's guard phone: the guard page is closed to it at its next
    request (visitors.views reads the accepted guard phone on every one). The phone's
    own account is not touched."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    phone = venue.guard_phone
    if not phone:
        return
    venue.guard_phone, venue.guard_consent, venue.guard_named_at, venue.guard_answered_at = None, "", None, None
    venue.save(update_fields=["guard_phone", "guard_consent", "guard_named_at", "guard_answered_at"])
    audit_record(
        actor=actor, action="venues.guard_mode_disabled", obj=venue, region=venue.region, phone=mask_phone(phone)
    )


@transaction.atomic
def guard_consent_answer(*, venue_id: int, phone: str, accept: bool, actor, now) -> Venue:
    """The holder of `phone` (signed in with it: `actor`) accepts or declines to be the
    guard of the venue that asked. Raises GuardModeError when the venue no longer asks
    this phone. Accepting ends the phone's guard mode at any other venue (declined)."""
    venue = (
        Venue.objects.select_for_update()
        .filter(pk=venue_id, guard_phone=phone, guard_consent=GuardConsent.PENDING)
        .first()
    )
    if venue is None:
        raise GuardModeError
    if accept:
        for other in Venue.objects.select_for_update().filter(guard_phone=phone, guard_consent=GuardConsent.ACCEPTED):
            Venue.objects.filter(pk=other.pk).update(guard_consent=GuardConsent.DECLINED, guard_answered_at=now)
            audit_record(actor=actor, action="venues.guard_left", obj=other, region=other.region)
    venue.guard_consent = GuardConsent.ACCEPTED if accept else GuardConsent.DECLINED
    venue.guard_answered_at = now
    venue.save(update_fields=["guard_consent", "guard_answered_at"])
    audit_record(
        actor=actor,
        action="venues.guard_accepted" if accept else "venues.guard_declined",
        obj=venue,
        region=venue.region,
    )
    return venue
