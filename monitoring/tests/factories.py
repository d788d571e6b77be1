import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from monitoring.models import (
    Outage,
    OutageKind,
    Sanction,
    SanctionKind,
    SanctionState,
    Violation,
    ViolationKind,
    ViolationState,
)
from venues.standing.services import standing_exclude, standing_lift, standing_return


class InspectorFactory(UserFactory):
    role = Role.INSPECTOR


class AkimatFactory(UserFactory):
    role = Role.AKIMAT


class ViolationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Violation

    venue = factory.SubFactory("venues.tests.factories.VenueFactory")
    kind = ViolationKind.OVER_OCCUPANCY
    occurred_at = factory.LazyFunction(timezone.now)
    description = "Больше людей, чем разрешено"
    filed_by = factory.SubFactory(InspectorFactory, region=factory.SelfAttribute("..venue.region"))
    filed_at = factory.LazyFunction(timezone.now)


class OutageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outage

    kind = OutageKind.SMS
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    recorded_by = factory.SubFactory(UserFactory, role=Role.OPERATOR)


def exclusion(venue, *, starts_at, ends_at, returned_at=None, lifted_at=None, state=SanctionState.ACTIVE) -> Sanction:
    """An exclusion of `venue` as the services leave it (R-MN-4, R-VN-9): the sanction
    of a confirmed violation, and the venue's standing written at each of its moments —
    excluded from `starts_at`, awaiting the return from `ends_at`, back at
    `returned_at`, lifted at `lifted_at` (cancelled or withdrawn: `state`). Make a
    venue's exclusions in time order, as they happen."""
    if lifted_at is not None and state == SanctionState.ACTIVE:
        state = SanctionState.CANCELLED
    if state != SanctionState.ACTIVE and lifted_at is None:
        lifted_at = starts_at
    violation = ViolationFactory(
        venue=venue,
        occurred_at=starts_at,
        filed_at=starts_at,
        state=ViolationState.CONFIRMED,
        decided_by=InspectorFactory(region=venue.region),
        decided_at=starts_at,
    )
    sanction = Sanction.objects.create(
        venue=venue,
        violation=violation,
        kind=SanctionKind.EXCLUSION,
        starts_at=starts_at,
        ends_at=ends_at,
        returned_at=returned_at,
        lifted_at=lifted_at,
        state=state,
        created_at=starts_at,
    )
    standing_exclude(venue=venue, at=starts_at, until=ends_at, sanction=sanction.pk)
    if returned_at is not None:
        standing_return(venue=venue, at=returned_at, sanction=sanction.pk)
    if lifted_at is not None:
        standing_lift(venue=venue, at=lifted_at, sanction=sanction.pk)
    return sanction


def jpeg_upload(
    name="photo.jpg", *, size=(64, 48), exif: bool = False, orientation: int | None = None
) -> SimpleUploadedFile:
    """A real JPEG; with `exif`, one that carries a camera make and GPS-like data; with
    `orientation`, the EXIF orientation a phone writes instead of turning the pixels
    (6: held upright, the picture must turn 90° clockwise). Its left half is red, its
    right half blue."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    if exif or orientation:
        data = Image.Exif()
        if exif:
            data[0x010F] = "SpyCam"  # Make
            data[0x0110] = "Model X"  # Model
        if orientation:
            data[0x0112] = orientation  # Orientation
        image.save(out, format="JPEG", exif=data.tobytes())
    else:
        image.save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
