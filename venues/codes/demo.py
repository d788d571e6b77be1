"""Demo guard mode (R-VN-7): the demo guard's phone guards the demo cafe, so signing
in with it by SMS opens that cafe's guard page. Runs after ashyq.accounts.demo and
venues.demo; a second run changes nothing."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ashyq.demo import Credential
from venues.codes.services import guard_mode_enable
from venues.models import Venue

GUARD_PHONE = "+77010000101"  # ashyq.accounts.demo's guard
GUARDED_VENUE = "Кафе «Дастархан»"  # venues.demo's


def seed() -> list[Credential]:
    venue = Venue.objects.filter(name=GUARDED_VENUE).order_by("pk").first()
    if venue is None:
        return []
    if venue.guard_phone != GUARD_PHONE:
        guard_mode_enable(venue=venue, phone=GUARD_PHONE, actor=None, now=timezone.now())
    return [Credential(_("Guard of %(venue)s") % {"venue": venue.name}, GUARD_PHONE, _("one-time code by SMS"))]
