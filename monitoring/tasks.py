"""Celery entry points of monitoring: thin, ids in, each safe to run twice."""

import logging

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ashyq.validators import single_line
from monitoring.models import Sanction, SanctionKind

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def sanction_mail(sanction_id: int) -> None:
    """R-MN-4: tell the owner by e-mail that his venue got a sanction, in the language
    he last chose."""
    sanction = Sanction.objects.select_related("venue__company__owner").filter(pk=sanction_id).first()
    if sanction is None:
        return
    owner = sanction.venue.company.owner
    if not owner.email:
        logger.info("Sanction %s: the owner has no e-mail", sanction_id)
        return
    with translation.override(owner.mail_language):
        if sanction.kind == SanctionKind.EXCLUSION:
            subject = _("Ashyq: %(venue)s is excluded") % {"venue": sanction.venue.name}
            body = _(
                "Your venue %(venue)s is excluded from Ashyq until %(until)s: its QR codes do not work. "
                "You may appeal on the venue's page."
            ) % {"venue": sanction.venue.name, "until": f"{timezone.localtime(sanction.ends_at):%d.%m.%Y %H:%M}"}
        else:
            subject = _("Ashyq: a warning for %(venue)s") % {"venue": sanction.venue.name}
            body = _("Your venue %(venue)s received a warning. You may appeal on the venue's page.") % {
                "venue": sanction.venue.name
            }
    send_mail(single_line(subject), body, None, [owner.email])  # a name with a line break breaks no header
