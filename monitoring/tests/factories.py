import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from monitoring.models import Outage, OutageKind, Violation, ViolationKind


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


def jpeg_upload(name="photo.jpg", *, size=(64, 48), exif: bool = False) -> SimpleUploadedFile:
    """A real JPEG; with `exif`, one that carries a camera make and GPS-like data."""
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x0110] = "Model X"  # Model
        image.save(out, format="JPEG", exif=data.tobytes())
    else:
        image.save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
