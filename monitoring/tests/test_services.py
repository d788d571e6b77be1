"""The writes of monitoring (docs/rules.md §10): filing, deciding, sanctions, appeals, returns."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from ashyq.core.models import AuditEvent
from monitoring.models import (
    Appeal,
    AppealDecision,
    Sanction,
    SanctionKind,
    SanctionState,
    Violation,
    ViolationKind,
    ViolationPhoto,
    ViolationState,
)
from monitoring.services import sanctions, violations
from monitoring.tasks import sanction_mail
from monitoring.tests.factories import AkimatFactory, InspectorFactory, OutageFactory, ViolationFactory, jpeg_upload
from statuses.tests.factories import local
from venues.selectors import address_excluded
from venues.standing import rules as standing_rules
from venues.standing.selectors import kind_at, venue_ids_in
from visitors.tests.factories import open_venue

pytestmark = pytest.mark.django_db


def excluded(venue, at) -> bool:
    """R-MN-4, R-VN-9: excluded or awaiting the return at `at`, by the standing history."""
    return kind_at(venue, at) in standing_rules.EXCLUDED_KINDS


T0 = local(2021, 6, 1, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(T0, tick=False):
        yield tmp_path


@pytest.fixture
def venue():
    return open_venue(now=T0 - timedelta(days=30))  # long out of test mode


@pytest.fixture
def inspectors(venue):
    return InspectorFactory(region=venue.region), InspectorFactory(region=venue.region)


def file(inspector, venue, *, photos=(), kind=ViolationKind.OVER_OCCUPANCY, occurred_at=None):
    return violations.violation_file(
        inspector=inspector,
        venue=venue,
        kind=kind,
        occurred_at=occurred_at or T0 - timedelta(hours=1),
        description="50 человек при норме 20",
        photos=photos,
        now=T0,
    )


def test_r_mn_1_an_inspector_of_another_region_is_refused(venue):
    stranger = InspectorFactory()
    assert stranger.region_id != venue.region_id
    with pytest.raises(PermissionDenied):
        file(stranger, venue)
    assert not Violation.objects.exists()


def test_r_mn_1_a_non_image_is_refused_and_nothing_is_stored(venue, inspectors, media):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        file(inspectors[0], venue, photos=[jpeg_upload(), fake])
    assert "photo.jpg" in error.value.messages[0]
    assert not Violation.objects.exists() and not ViolationPhoto.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_r_mn_1_more_than_5_photos_are_refused(venue, inspectors):
    with pytest.raises(ValidationError):
        file(inspectors[0], venue, photos=[jpeg_upload(f"{n}.jpg") for n in range(6)])
    assert not Violation.objects.exists()


def test_r_mn_1_photos_are_re_encoded_without_exif_and_at_most_2000_px(venue, inspectors):
    big = jpeg_upload(size=(3000, 1000), exif=True)
    assert Image.open(big).getexif()  # the upload carries EXIF
    big.seek(0)
    filed = file(inspectors[0], venue, photos=[big, jpeg_upload(exif=True)])
    photos = list(filed.violation.photos.all())
    assert len(photos) == 2
    with Image.open(photos[0].image.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info
        assert max(stored.size) == 2000
    assert (photos[0].width, photos[0].height) == (2000, 667)


@pytest.mark.parametrize(("language", "word"), [("ru", "исключён"), ("kk", "шығарылды"), ("en", "excluded")])
def test_r_mn_4_the_owner_s_mail_is_in_the_language_he_chose(venue, inspectors, mailoutbox, language, word):
    owner = venue.company.owner
    owner.email, owner.language = "owner@example.kz", language
    owner.save(update_fields=["email", "language"])
    violation = file(inspectors[0], venue).violation
    sanction = violations.violation_decide(inspector=inspectors[1], violation=violation, confirm=True, note="", now=T0)
    sanction_mail(sanction.pk)
    assert word in mailoutbox[0].subject.lower()


def test_r_mn_1_a_portrait_phone_photo_is_stored_upright(venue, inspectors):
    # A phone held upright saves the landscape sensor's pixels with "turn 90°
    # clockwise" in EXIF; dropping the EXIF without turning the pixels laid it sideways.
    filed = file(inspectors[0], venue, photos=[jpeg_upload(size=(64, 48), orientation=6)])
    with Image.open(filed.violation.photos.get().image.path) as stored:
        assert stored.size == (48, 64)
        assert not stored.getexif()
        red, blue = stored.getpixel((24, 8)), stored.getpixel((24, 56))
    assert red[0] > 150 > red[2] and blue[2] > 150 > blue[0]  # the left (red) half is now on top


def test_r_mn_1_self_confirmation_is_refused_by_the_service_and_the_database(venue, inspectors):
    violation = file(inspectors[0], venue).violation
    with pytest.raises(PermissionDenied):
        violations.violation_decide(inspector=inspectors[0], violation=violation, confirm=True, note="", now=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Violation.objects.filter(pk=violation.pk).update(
            state=ViolationState.CONFIRMED, decided_by=inspectors[0], decided_at=T0
        )
    assert Violation.objects.get().state == ViolationState.FILED


def test_r_mn_1_a_decided_violation_cannot_be_decided_again(venue, inspectors):
    violation = file(inspectors[0], venue).violation
    violations.violation_decide(inspector=inspectors[1], violation=violation, confirm=False, note="нет", now=T0)
    third = InspectorFactory(region=venue.region)
    with pytest.raises(ValidationError):
        violations.violation_decide(inspector=third, violation=violation, confirm=True, note="", now=T0)
    assert not Sanction.objects.exists()


def test_r_mn_3_r_mn_4_a_confirmed_violation_excludes_the_venue_at_once(
    venue, inspectors, mailoutbox, django_capture_on_commit_callbacks
):
    venue.company.owner.email = "owner@example.kz"
    venue.company.owner.save(update_fields=["email"])
    violation = file(inspectors[0], venue).violation
    assert not excluded(venue, T0)
    with django_capture_on_commit_callbacks() as callbacks:
        sanction = violations.violation_decide(
            inspector=inspectors[1], violation=violation, confirm=True, note="", now=T0
        )
    # The owner's e-mail queued after the commit (and the door's kept conditions renewed).
    assert len([callback for callback in callbacks if callback.__name__ != "conditions_changed"]) == 1
    sanction_mail(sanction.pk)
    sanction_mail(sanction.pk + 1000)  # gone: quietly nothing
    assert [m.to for m in mailoutbox] == [["owner@example.kz"]]
    assert venue.name in mailoutbox[0].subject
    assert (sanction.kind, sanction.starts_at, sanction.ends_at) == (
        SanctionKind.EXCLUSION,
        T0,
        T0 + timedelta(days=14),
    )
    assert excluded(venue, T0)
    assert address_excluded(address=venue.address.upper(), at=T0)
    assert list(venue_ids_in(standing_rules.EXCLUDED_KINDS, T0).values_list("venue_id", flat=True)) == [venue.pk]
    assert AuditEvent.objects.filter(action="monitoring.sanction", details__venue=venue.pk).exists()


def test_r_mn_3_a_repeat_is_2_months_and_a_cancelled_one_does_not_count(venue, inspectors):
    first = ViolationFactory(venue=venue, filed_by=inspectors[0])
    violations.violation_decide(inspector=inspectors[1], violation=first, confirm=True, note="", now=T0)
    later = T0 + timedelta(days=20)
    second = ViolationFactory(venue=venue, filed_by=inspectors[0], occurred_at=later)
    sanction = violations.violation_decide(inspector=inspectors[1], violation=second, confirm=True, note="", now=later)
    assert sanction.ends_at == local(2021, 8, 21, 12)

    Sanction.objects.update(state=SanctionState.CANCELLED, lifted_at=later)
    third = ViolationFactory(venue=venue, filed_by=inspectors[0], occurred_at=later)
    sanction = violations.violation_decide(inspector=inspectors[1], violation=third, confirm=True, note="", now=later)
    assert sanction.ends_at == later + timedelta(days=14)


def test_r_mn_3_in_test_mode_a_warning_that_excludes_nothing(inspectors):
    venue = open_venue(now=T0 - timedelta(days=6))  # the 7th day of test mode
    inspector, other = InspectorFactory(region=venue.region), InspectorFactory(region=venue.region)
    violation = ViolationFactory(venue=venue, filed_by=inspector)
    sanction = violations.violation_decide(inspector=other, violation=violation, confirm=True, note="", now=T0)
    assert (sanction.kind, sanction.ends_at) == (SanctionKind.WARNING, None)
    assert not excluded(venue, T0)


def test_r_mn_6_no_status_check_during_an_outage_brings_no_sanction_and_the_filer_is_warned(venue, inspectors):
    outage = OutageFactory(starts_at=T0 - timedelta(hours=3), ends_at=T0 - timedelta(minutes=30))
    filed = file(inspectors[0], venue, kind=ViolationKind.NO_STATUS_CHECK)
    assert filed.outage == outage
    result = violations.violation_decide(
        inspector=inspectors[1], violation=filed.violation, confirm=True, note="", now=T0
    )
    assert result is None
    assert Violation.objects.get().state == ViolationState.CONFIRMED
    assert not Sanction.objects.exists()
    assert not excluded(venue, T0)
    event = AuditEvent.objects.get(action="monitoring.violation_confirm")
    assert event.details["no_sanction_outage"] == outage.pk


def test_r_mn_6_other_kinds_during_an_outage_are_sanctioned(venue, inspectors):
    OutageFactory(starts_at=T0 - timedelta(hours=3), ends_at=T0 - timedelta(minutes=30))
    filed = file(inspectors[0], venue, kind=ViolationKind.OVER_OCCUPANCY)
    assert violations.violation_decide(
        inspector=inspectors[1], violation=filed.violation, confirm=True, note="", now=T0
    )


def exclude(venue, inspectors, now=T0) -> Sanction:
    violation = ViolationFactory(venue=venue, filed_by=inspectors[0])
    return violations.violation_decide(inspector=inspectors[1], violation=violation, confirm=True, note="", now=now)


def test_r_mn_5_appeal_once_by_the_owner_and_cancel_lifts_at_once(venue, inspectors):
    sanction = exclude(venue, inspectors)
    owner = venue.company.owner
    with pytest.raises(PermissionDenied):
        sanctions.appeal_file(owner=InspectorFactory(), sanction=sanction, text="нет", now=T0)
    appeal = sanctions.appeal_file(owner=owner, sanction=sanction, text="Проверка была до открытия", now=T0)
    with pytest.raises(ValidationError):
        sanctions.appeal_file(owner=owner, sanction=sanction, text="ещё раз", now=T0)
    with pytest.raises(PermissionDenied):  # another region's akimat
        sanctions.appeal_decide(akimat=AkimatFactory(), appeal=appeal, cancel=True, reason="x", now=T0)
    assert excluded(venue, T0)

    akimat = AkimatFactory(region=venue.region)
    sanctions.appeal_decide(akimat=akimat, appeal=appeal, cancel=True, reason="Фото не того объекта", now=T0)
    assert Appeal.objects.get().decision == AppealDecision.CANCELLED
    assert Sanction.objects.get().state == SanctionState.CANCELLED
    assert not excluded(venue, T0)


def test_r_mn_5_an_upheld_appeal_keeps_the_exclusion(venue, inspectors):
    sanction = exclude(venue, inspectors)
    appeal = sanctions.appeal_file(owner=venue.company.owner, sanction=sanction, text="просим", now=T0)
    akimat = AkimatFactory(region=venue.region)
    sanctions.appeal_decide(akimat=akimat, appeal=appeal, cancel=False, reason="Нарушение подтверждено", now=T0)
    assert excluded(venue, T0)
    with pytest.raises(ValidationError):
        sanctions.appeal_decide(akimat=akimat, appeal=appeal, cancel=True, reason="передумали", now=T0)


def test_r_mn_4_after_the_end_the_venue_stays_out_until_the_owner_asks_to_return(venue, inspectors):
    sanction = exclude(venue, inspectors)
    owner = venue.company.owner
    just_before = sanction.ends_at - timedelta(seconds=1)
    with pytest.raises(ValidationError):
        sanctions.return_request(owner=owner, sanction=sanction, now=just_before)
    later = sanction.ends_at + timedelta(days=3)
    assert excluded(venue, later)
    sanctions.return_request(owner=owner, sanction=sanction, now=later)
    assert not excluded(venue, later)
    assert kind_at(venue, later) == standing_rules.PARTICIPANT  # no new test mode


def test_r_vn_3_an_application_at_an_excluded_address_is_refused_another_address_is_not(venue, inspectors):
    sanction = exclude(venue, inspectors)
    spelt_otherwise = venue.address.replace("ул.", "улица").upper()
    assert address_excluded(address=spelt_otherwise, at=T0)
    assert not address_excluded(address="г. Алматы, ул. Сатпаева, 1", at=T0)
    appeal = sanctions.appeal_file(owner=venue.company.owner, sanction=sanction, text="просим", now=T0)
    sanctions.appeal_decide(akimat=AkimatFactory(region=venue.region), appeal=appeal, cancel=True, reason="да", now=T0)
    assert not address_excluded(address=venue.address, at=T0)
