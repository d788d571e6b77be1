"""An inspection that found nothing (R-MN-1: the venue's page shows it was inspected),
the photos of a violation form kept across its errors, and the end of both rows."""

from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from ashyq.photos import clean_photo
from monitoring import rules
from monitoring.models import Inspection, PhotoDraft
from monitoring.services.sanctions import check_region

# A photo of a form never filed is kept a day; an inspection, a year (as the audit log).
DRAFT_KEPT = timedelta(days=1)
INSPECTION_KEPT = timedelta(days=365)


@transaction.atomic
def inspection_record(*, inspector, venue, note: str, now: datetime) -> Inspection:
    """R-MN-1: an inspector of the venue's region records that he inspected it and found
    nothing to file; once a day per venue (the database's constraint), audited."""
    check_region(inspector, venue, Role.INSPECTOR)
    day = timezone.localdate(now)
    try:
        with transaction.atomic():  # a savepoint: the constraint decides a double tap
            inspection = Inspection.objects.create(
                venue=venue, inspected_by=inspector, day=day, at=now, note=note.strip()
            )
    except IntegrityError:
        raise ValidationError(_("You have already recorded an inspection of this venue today."), code="once") from None
    audit_record(actor=inspector, action="monitoring.inspection", obj=inspection, region=venue.region, venue=venue.pk)
    return inspection


def photo_drafts_add(*, inspector, uploads, kept: int, now: datetime) -> list[PhotoDraft]:
    """Keep the photos `uploads` of a violation form as drafts of `inspector` (checked and
    re-encoded without metadata, ashyq.photos), so that a form error does not lose them;
    `kept`: the drafts the form holds already. At most 5 in all (R-MN-1); all checked
    before any is saved. Its own transaction: the filing that follows may fail."""
    if inspector.role != Role.INSPECTOR:
        raise PermissionDenied
    uploads = list(uploads or [])
    if kept + len(uploads) > rules.MAX_PHOTOS:
        raise ValidationError(_("At most 5 photos."), code="photo_count")
    cleaned = [clean_photo(upload) for upload in uploads]
    with transaction.atomic():
        return [PhotoDraft.objects.create(uploaded_by=inspector, uploaded_at=now, image=content) for content in cleaned]


@transaction.atomic
def monitoring_purge(*, now: datetime) -> dict[str, int]:
    """The end of monitoring's growing rows: drafts a day after their upload (their files
    deleted after the commit), inspections a year after. Safe to run twice."""
    drafts = list(PhotoDraft.objects.filter(uploaded_at__lt=now - DRAFT_KEPT).only("pk", "image"))
    for draft in drafts:
        transaction.on_commit(partial(draft.image.storage.delete, draft.image.name))
    PhotoDraft.objects.filter(pk__in=[draft.pk for draft in drafts]).delete()
    inspections, _rows = Inspection.objects.filter(at__lt=now - INSPECTION_KEPT).delete()
    return {"drafts": len(drafts), "inspections": inspections}
