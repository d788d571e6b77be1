"""The report of a red or yellow visitor at the door (R-CI-3), e-mailed to the region's
sanitary officers."""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _g

from ashyq.accounts.models import Role, User
from ashyq.validators import single_line
from visitors.models import (
    Colour,
    DoorReport,
)

# --- The report of R-CI-3, by e-mail ----------------------------------------------------------


def _sanitary_officers(region_id: int) -> list[str]:
    officers = User.objects.filter(role=Role.SANITARY, region_id=region_id, is_active=True).exclude(email="")
    return sorted(set(officers.values_list("email", flat=True)))


def door_report_send(*, report_id: int, now: datetime) -> int:
    """E-mail one door report to its region's sanitary officers, once: the report is
    claimed by a conditional update before sending, and released if sending fails
    (so a retry sends it). Returns the number of recipients (0: nothing to do)."""
    report = DoorReport.objects.filter(pk=report_id).select_related("venue").first()
    if report is None or report.mailed_at is not None:
        return 0
    recipients = _sanitary_officers(report.region_id)
    if DoorReport.objects.filter(pk=report.pk, mailed_at__isnull=True).update(mailed_at=now) != 1:
        return 0  # another run has it
    if not recipients:
        return 0
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _door_report_mail(report)
        send_mail(subject, body, None, recipients)
    except Exception:
        DoorReport.objects.filter(pk=report.pk).update(mailed_at=None)
        raise
    return len(recipients)


def _door_report_mail(report: DoorReport) -> tuple[str, str]:
    """Venue, address, time and colour — no name, no identifier (R-CI-3)."""
    colour = Colour(report.colour).label
    # One line: a venue named with a line break before names were checked must not
    # break the header and so suppress the report.
    subject = single_line(
        _g("Ashyq: a %(colour)s visitor at %(venue)s") % {"colour": colour, "venue": report.venue.name}
    )
    lines = [
        _g("A visitor with the %(colour)s status came to the door and was not admitted.") % {"colour": colour},
        "",
        _g("Venue: %(name)s") % {"name": report.venue.name},
        _g("Address: %(address)s") % {"address": report.venue.address},
        _g("Time: %(time)s") % {"time": f"{timezone.localtime(report.at):%d.%m.%Y %H:%M}"},
        _g("Status: %(colour)s") % {"colour": colour},
    ]
    return subject, "\n".join(lines)
