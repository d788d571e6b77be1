"""Demo guard mode (R-VN-7): the demo guard's phone guards the demo cafe and its
holder has accepted (the demo answers for him), so signing in with it by SMS opens
that cafe's guard page. Runs after ashyq.accounts.demo and venues.demo; a second run
changes nothing."""

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role, User
from ashyq.demo import Credential
from venues.codes.services import guard_consent_answer, guard_mode_enable
from venues.models import GuardConsent, Venue

GUARD_PHONE = "+77010000101"  # ashyq.accounts.demo's guard
GUARDED_VENUE = "Кафе «Дастархан»"  # venues.demo's


def seed() -> list[Credential]:
    venue = Venue.objects.filter(name=GUARDED_VENUE).order_by("pk").first()
    if venue is None:
        return []
    if venue.guard_phone != GUARD_PHONE:
        venue = guard_mode_enable(venue=venue, phone=GUARD_PHONE, actor=None, now=timezone.now())
    if venue.guard_consent == GuardConsent.PENDING:
        # As if the phone's holder had signed in (a citizen's account) and accepted.
        holder, _created = User.objects.get_or_create(
            phone=GUARD_PHONE,
            defaults={"username": "phone" + GUARD_PHONE, "role": Role.CITIZEN, "password": make_password(None)},
        )
        guard_consent_answer(venue_id=venue.pk, phone=GUARD_PHONE, accept=True, actor=holder, now=timezone.now())
    return [Credential(_("Guard of %(venue)s") % {"venue": venue.name}, GUARD_PHONE, _("one-time code by SMS"))]
