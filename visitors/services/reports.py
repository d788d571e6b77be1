"""The report of a red or yellow visitor at the door (R-CI-3), e-mailed to the region's
sanitary officers, each in the language he last chose (ru, kk, en)."""

from collections import defaultdict
from datetime import datetime

from django.core.mail import EmailMessage, get_connection
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import Role, User
from ashyq.validators import single_line
from visitors.models import (
    Colour,
    DoorReport,
)

# Whole sentences per colour, so that each language declines the colour its own way
# (a colour's label put into an English sentence read "a красная visitor").
SUBJECTS = {
    Colour.RED: _("Ashyq: a visitor with the red status at %(venue)s"),
    Colour.YELLOW: _("Ashyq: a visitor with the yellow status at %(venue)s"),
}
FIRST_LINES = {
    Colour.RED: _("A visitor with the red status came to the door and was not admitted."),
    Colour.YELLOW: _("A visitor with the yellow status came to the door and was not admitted."),
}
STATUS_LINES = {
    Colour.RED: _("Status: red (registered with a positive PCR)"),
    Colour.YELLOW: _("Status: yellow (a close contact)"),
}

# --- The report of R-CI-3, by e-mail ----------------------------------------------------------


def _sanitary_officers(region_id: int) -> dict[str, list[str]]:
    """The region's sanitary officers' addresses by the language each last chose."""
    officers = User.objects.filter(role=Role.SANITARY, region_id=region_id, is_active=True).exclude(email="")
    by_language: dict[str, set[str]] = defaultdict(set)
    for officer in officers.only("email", "language"):
        by_language[officer.mail_language].add(officer.email)
    return {language: sorted(emails) for language, emails in sorted(by_language.items())}


def door_report_send(*, report_id: int, now: datetime) -> int:
    """E-mail one door report to its region's sanitary officers, once, each in his
    language: the report is claimed by a conditional update before sending, and
    released if sending fails (so a retry sends it). Returns the number of recipients
    (0: nothing to do)."""
    report = DoorReport.objects.filter(pk=report_id).select_related("venue").first()
    if report is None or report.mailed_at is not None:
        return 0
    recipients = _sanitary_officers(report.region_id)
    if DoorReport.objects.filter(pk=report.pk, mailed_at__isnull=True).update(mailed_at=now) != 1:
        return 0  # another run has it
    if not recipients:
        return 0
    messages = []
    for language, emails in recipients.items():
        subject, body = door_report_mail(report, language=language)
        messages.append(EmailMessage(subject, body, None, emails))
    try:
        get_connection().send_messages(messages)  # one connection for every language
    except Exception:
        DoorReport.objects.filter(pk=report.pk).update(mailed_at=None)
        raise
    return sum(len(emails) for emails in recipients.values())


def door_report_mail(report: DoorReport, *, language: str) -> tuple[str, str]:
    """The subject and body in `language`: venue, address, time and colour — no name,
    no identifier (R-CI-3)."""
    with translation.override(language):
        colour = Colour(report.colour)
        # One line: a venue named with a line break before names were checked must not
        # break the header and so suppress the report.
        subject = single_line(str(SUBJECTS[colour]) % {"venue": report.venue.name})
        lines = [
            str(FIRST_LINES[colour]),
            "",
            gettext("Venue: %(name)s") % {"name": report.venue.name},
            gettext("Address: %(address)s") % {"address": report.venue.address},
            gettext("Time: %(time)s") % {"time": f"{timezone.localtime(report.at):%d.%m.%Y %H:%M}"},
            str(STATUS_LINES[colour]),
        ]
    return subject, "\n".join(lines)
