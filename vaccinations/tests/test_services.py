"""The passport's writes (R-VP-2, R-VP-3) and what they do to the colour (R-ST-5) and its
history (R-ST-10), at the exact day boundaries, with a frozen clock."""

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ashyq.accounts.tests.factories import CitizenFactory
from ashyq.core.models import AuditEvent
from ashyq.identifiers import make_iin
from ashyq.reference.tests.factories import RegionFactory
from monitoring.tests.factories import jpeg_upload
from statuses.models import StatusChange, Vaccination
from statuses.persons import person_key
from statuses.selectors import history_for, status_for
from vaccinations.models import Entry, Revocation, State
from vaccinations.selectors import passport_for
from vaccinations.services import (
    Person,
    self_entry_confirm,
    self_entry_reject,
    self_entry_submit,
    vaccination_correct,
    vaccination_record,
    vaccinations_purge,
)
from vaccinations.tests.factories import MedicFactory, VaccineFactory

ALMATY = ZoneInfo("Asia/Almaty")
IIN = make_iin(birth_date=date(1979, 2, 14), sex="male", serial=3131)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


def _record(medic, dose, day, *, now, vaccine=None, iin=IIN):
    return vaccination_record(
        medic=medic, person=Person(iin=iin), vaccine=vaccine or VaccineFactory(), dose=dose, administered_on=day,
        family_name="Ахметов", given_name="Ерлан", now=now,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_complete_scheme_is_green_from_the_day_after_the_final_dose():
    """R-ST-5 (Decided): 00:00 local of the day after the final dose, not a minute before."""
    medic = MedicFactory()
    entered = local(2021, 5, 20, 15, 0)
    with time_machine.travel(entered, tick=False):
        _record(medic, 1, date(2021, 4, 29), now=entered)
        assert status_for(iin=IIN).colour == "blue"  # dose 1 of 2: nothing yet
        _record(medic, 2, date(2021, 5, 20), now=entered)
    assert status_for(iin=IIN, at=local(2021, 5, 20, 23, 59, 59)).colour == "blue"
    green = status_for(iin=IIN, at=local(2021, 5, 21, 0, 0))
    assert (green.colour, green.rule, green.valid_until) == ("green", "R-ST-5", None)
    # R-ST-10: the history has the change, with the medical worker's record as its cause.
    with time_machine.travel(local(2021, 5, 22, 9, 0), tick=False):
        (change,) = history_for(iin=IIN)
    assert (change.colour, change.changed_at, change.registry) == ("green", local(2021, 5, 21), "vaccinations")
    assert change.record.startswith("ashyq:")


@pytest.mark.django_db
def test_an_unconfirmed_self_entry_changes_nothing_and_counts_once_confirmed(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    region = RegionFactory()
    citizen = CitizenFactory(iin=IIN)
    vaccine = VaccineFactory(code="one-dose", doses=1)
    now = local(2021, 6, 1, 10, 0)
    with time_machine.travel(now, tick=False):
        entry = self_entry_submit(
            citizen=citizen, vaccine=vaccine, dose=1, administered_on=date(2021, 5, 10), organisation="Clinic, Berlin",
            country="DE", region=region, family_name="Ахметов", given_name="Ерлан", photo=jpeg_upload(), now=now,
        )  # fmt: skip
        assert entry.state == State.PENDING and entry.document
        assert status_for(iin=IIN).colour == "blue"  # R-VP-3: it counts for nothing yet
        assert not Vaccination.objects.exists() and not StatusChange.objects.exists()
        assert passport_for(iin=IIN, now=now).certificate == ""

        with pytest.raises(PermissionDenied):  # a medical worker of another region
            self_entry_confirm(
                medic=MedicFactory(region=RegionFactory()), entry=entry, family_name="X", given_name="", now=now
            )
        document = entry.document.path
        with django_capture_on_commit_callbacks(execute=True):
            self_entry_confirm(
                medic=MedicFactory(region=region), entry=entry, family_name="Ахметов", given_name="Ерлан", now=now
            )
    assert status_for(iin=IIN, at=now).colour == "green"  # completed on 10 May: green since 11 May
    assert not entry.document and not Path(document).exists()  # R-VP-3: the photo is gone once decided
    assert AuditEvent.objects.filter(action="vaccinations.confirm", object_id=str(entry.pk)).exists()


@pytest.mark.django_db
def test_a_rejected_self_entry_says_why_and_never_counts(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    region = RegionFactory()
    entry = self_entry_submit(
        citizen=CitizenFactory(iin=IIN), vaccine=VaccineFactory(), dose=1, administered_on=date(2021, 5, 10),
        organisation="—", country="KZ", region=region, family_name="А", given_name="", photo=jpeg_upload(),
        now=local(2021, 6, 1),
    )  # fmt: skip
    medic = MedicFactory(region=region)
    with pytest.raises(ValidationError):
        self_entry_reject(medic=medic, entry=entry, reason="  ", now=local(2021, 6, 2))
    self_entry_reject(medic=medic, entry=entry, reason="На фото другой человек", now=local(2021, 6, 2))
    (shown,) = passport_for(iin=IIN, now=local(2021, 6, 2)).self_entries
    assert (shown.state, shown.reason) == (State.REJECTED, "На фото другой человек")
    with pytest.raises(ValidationError) as refused:  # a second decision: refused
        self_entry_confirm(medic=medic, entry=entry, family_name="А", given_name="", now=local(2021, 6, 2))
    assert refused.value.code == "stale"
    assert not Vaccination.objects.exists()


@pytest.mark.django_db
def test_a_correction_keeps_the_old_record_revokes_its_certificate_and_moves_the_colour():
    medic = MedicFactory()
    now = local(2021, 6, 1, 9, 0)
    _record(medic, 1, date(2021, 4, 1), now=now)
    wrong = _record(medic, 2, date(2021, 5, 30), now=now)
    assert status_for(iin=IIN, at=local(2021, 5, 31, 12)).colour == "green"
    fixed = vaccination_correct(
        medic=medic, entry=wrong, vaccine=wrong.vaccine, dose=2, administered_on=date(2021, 6, 1),
        family_name="Ахметов", given_name="Ерлан", now=now,
    )  # fmt: skip
    wrong.refresh_from_db()
    assert wrong.state == State.SUPERSEDED and fixed.corrects == wrong  # R-VP-2: the correction is kept
    assert Revocation.objects.filter(certificate=wrong.certificate).exists()
    assert fixed.certificate != wrong.certificate
    assert status_for(iin=IIN, at=local(2021, 5, 31, 12)).colour == "blue"  # the colour follows the correction
    assert status_for(iin=IIN, at=local(2021, 6, 2, 0, 0)).colour == "green"
    with pytest.raises(PermissionDenied):  # the old record cannot be corrected twice
        vaccination_correct(
            medic=medic, entry=wrong, vaccine=wrong.vaccine, dose=2, administered_on=date(2021, 6, 1),
            family_name="", given_name="", now=now,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):  # another medical worker's record
        vaccination_correct(
            medic=MedicFactory(), entry=fixed, vaccine=fixed.vaccine, dose=2, administered_on=date(2021, 6, 1),
            family_name="", given_name="", now=now,
        )  # fmt: skip


@pytest.mark.django_db
def test_a_dose_is_recorded_once_and_bad_input_changes_nothing():
    medic = MedicFactory()
    now = local(2021, 6, 1, 9, 0)
    _record(medic, 1, date(2021, 5, 1), now=now)
    with pytest.raises(ValidationError) as refused:
        _record(medic, 1, date(2021, 5, 2), now=now)  # the database's unique constraint
    assert refused.value.code == "duplicate"
    with pytest.raises(ValidationError) as refused:
        _record(medic, 2, date(2021, 6, 2), now=now)
    assert refused.value.code == "future"
    with pytest.raises(ValidationError):
        _record(medic, 11, date(2021, 5, 2), now=now)
    with pytest.raises(ValidationError):
        _record(medic, 2, date(2019, 12, 31), now=now)
    assert Entry.objects.count() == Vaccination.objects.count() == 1
    with pytest.raises(PermissionDenied):
        _record(CitizenFactory(), 2, date(2021, 5, 2), now=now)


@pytest.mark.django_db
def test_a_foreigner_is_recorded_by_passport_and_no_identifier_reaches_the_audit_log():
    medic = MedicFactory()
    now = local(2021, 6, 1, 9, 0)
    entry = vaccination_record(
        medic=medic, person=Person(passport="N1234567", country="DE"), vaccine=VaccineFactory(), dose=1,
        administered_on=date(2021, 5, 1), family_name="Müller", given_name="Anna", now=now,
    )  # fmt: skip
    assert entry.person == person_key(passport="N1234567", country="DE")
    assert entry.masked == "******4567"
    (event,) = AuditEvent.objects.filter(action="vaccinations.record")
    assert "N1234567" not in str(event.details) and "Müller" not in str(event.details)


@pytest.mark.django_db
def test_the_purge_lapses_old_self_entries_and_ends_old_revocations(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    region = RegionFactory()
    submitted = local(2021, 3, 1, 12)
    entry = self_entry_submit(
        citizen=CitizenFactory(iin=IIN), vaccine=VaccineFactory(), dose=1, administered_on=date(2021, 2, 20),
        organisation="—", country="KZ", region=region, family_name="А", given_name="", photo=jpeg_upload(),
        now=submitted,
    )  # fmt: skip
    Revocation.objects.create(certificate="URN:UVCI:01:KZ:OLD", revoked_at=submitted, reason="corrected")
    day_before = submitted + timedelta(days=settings.VACCINATION_PENDING_DAYS) - timedelta(seconds=1)
    assert vaccinations_purge(now=day_before) == {"lapsed": 0, "deleted": 0, "revocations": 0}
    later = submitted + timedelta(days=settings.VACCINATION_PENDING_DAYS, seconds=1)
    assert vaccinations_purge(now=later)["lapsed"] == 1
    entry.refresh_from_db()
    assert (entry.state, entry.reason, entry.document.name) == (State.REJECTED, "lapsed", "")
    assert vaccinations_purge(now=later) == {"lapsed": 0, "deleted": 0, "revocations": 0}  # twice: nothing more
    year = later + timedelta(days=366)
    assert vaccinations_purge(now=year) == {"lapsed": 0, "deleted": 1, "revocations": 1}


@pytest.mark.django_db
def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_stored(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        self_entry_submit(
            citizen=CitizenFactory(iin=IIN), vaccine=VaccineFactory(), dose=1, administered_on=date(2021, 5, 1),
            organisation="—", country="KZ", region=RegionFactory(), family_name="А", given_name="",
            photo=SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>"), now=local(2021, 6, 1),
        )  # fmt: skip
    assert not Entry.objects.exists() and not list(tmp_path.rglob("*.jpg"))
