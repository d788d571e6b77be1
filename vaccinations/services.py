"""Every write of the vaccination passport (docs/rules.md §13): a medical worker's dose and
its correction (R-VP-2), the citizen's self-entry and its confirmation or rejection
(R-VP-3), and the purge that gives each growing table its end.

Each is one transaction with an audit row; a dose that counts is written among the
synced ones through statuses.services (R-ST-5, R-ST-10), so the colour and its
history follow at once. No identifier or name ever goes into an audit row or a log.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from ashyq.photos import clean_photo
from statuses.models import VaccinationSource
from statuses.persons import person_key
from statuses.services import own_vaccination_delete, own_vaccination_save
from vaccinations import rules
from vaccinations.models import Entry, Revocation, Source, State, Vaccine

# The reason stored for a self-entry nobody decided on in time (shown translated).
LAPSED = "lapsed"
# R-PR-2's span for staff records: rejected entries are kept a year after the decision.
REJECTED_KEPT = timedelta(days=365)

_MESSAGES = {
    "dose": gettext_lazy("The dose number must be from 1 to 10."),
    "future": gettext_lazy("The date of the dose is in the future."),
    "too_early": gettext_lazy("No COVID-19 vaccine was given before 2020."),
}


@dataclass(frozen=True)
class Person:
    """Who was vaccinated: an IIN, or a passport and its country (R-ID-4)."""

    iin: str = ""
    passport: str = ""
    country: str = ""

    @property
    def key(self) -> str:
        return person_key(iin=self.iin or None, passport=self.passport or None, country=self.country or None)

    @property
    def identifier(self) -> str:
        return self.iin or f"{self.country}:{self.passport}"


def _check_dose(*, vaccine: Vaccine, dose: int, administered_on: date, now: datetime) -> None:
    problem = rules.dose_problem(dose=dose, administered_on=administered_on, today=timezone.localdate(now))
    if problem:
        raise ValidationError(str(_MESSAGES[problem]), code=problem)
    if not vaccine.active:
        raise ValidationError(_("This vaccine can no longer be entered."), code="vaccine")


def _check_medic(user) -> None:
    if user.role != Role.MEDIC or user.region_id is None:
        raise PermissionDenied


def _new_certificate() -> str:
    return rules.uvci(uuid.uuid4().hex)


def _save(entry: Entry) -> Entry:
    """Insert `entry`; the database refuses a second live entry of the same dose (R-VP-1)."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This dose of this vaccine is already recorded for this person, or waiting for confirmation."),
            code="duplicate",
        ) from exc
    return entry


def _counts(entry: Entry, *, now: datetime) -> None:
    """The entry counts for the colour and the figures from now on (R-ST-5, R-VP-6)."""
    own_vaccination_save(
        source_id=entry.record_id,
        person=entry.person,
        now=now,
        vaccine=entry.vaccine.name,
        dose=entry.dose,
        doses_in_scheme=entry.vaccine.doses,
        administered_on=entry.administered_on,
        source=VaccinationSource.MEDICAL if entry.source == Source.MEDICAL else VaccinationSource.CITIZEN,
        family_name=entry.family_name or None,
        given_name=entry.given_name or None,
        organisation=entry.organisation,
        region=entry.region.code,
        certificate=entry.certificate,
    )


def _delete_document(entry: Entry) -> None:
    """The document photo goes once decided (R-VP-3): after the commit, never before."""
    name = entry.document.name
    if name:
        storage = entry.document.storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def vaccination_record(
    *,
    medic,
    person: Person,
    vaccine: Vaccine,
    dose: int,
    administered_on: date,
    family_name: str,
    given_name: str,
    now: datetime,
) -> Entry:
    """R-VP-2: a medical worker records a dose of a person of any region; it counts at once."""
    _check_medic(medic)
    _check_dose(vaccine=vaccine, dose=dose, administered_on=administered_on, now=now)
    entry = _save(
        Entry(
            person=person.key,
            identifier=person.identifier,
            family_name=family_name.strip(),
            given_name=given_name.strip(),
            vaccine=vaccine,
            dose=dose,
            administered_on=administered_on,
            organisation=medic.organisation or medic.region.name,
            region=medic.region,
            source=Source.MEDICAL,
            state=State.CONFIRMED,
            entered_by=medic,
            entered_at=now,
            decided_by=medic,
            decided_at=now,
            certificate=_new_certificate(),
        )
    )
    _counts(entry, now=now)
    audit_record(
        actor=medic, action="vaccinations.record", obj=entry, region=medic.region, vaccine=vaccine.code, dose=dose
    )
    return entry


def can_correct(user, entry: Entry) -> bool:
    """A medical worker corrects the records he entered or confirmed, while they count (R-VP-2)."""
    return (
        user.role == Role.MEDIC
        and entry.state == State.CONFIRMED
        and user.pk in (entry.entered_by_id if entry.source == Source.MEDICAL else None, entry.decided_by_id)
    )


@transaction.atomic
def vaccination_correct(
    *,
    medic,
    entry: Entry,
    vaccine: Vaccine,
    dose: int,
    administered_on: date,
    family_name: str,
    given_name: str,
    now: datetime,
) -> Entry:
    """R-VP-2: the correction is a new record; the old one is kept as corrected and its
    certificate identifier revoked, so a certificate that shows it reads "revoked"."""
    _check_medic(medic)
    if not can_correct(medic, entry):
        raise PermissionDenied
    _check_dose(vaccine=vaccine, dose=dose, administered_on=administered_on, now=now)
    # A shared row: only the request that moves it out of CONFIRMED corrects it.
    if Entry.objects.filter(pk=entry.pk, state=State.CONFIRMED).update(state=State.SUPERSEDED) != 1:
        raise ValidationError(_("This record has been corrected already."), code="stale")
    correction = _save(
        Entry(
            person=entry.person,
            identifier=entry.identifier,
            family_name=family_name.strip(),
            given_name=given_name.strip(),
            vaccine=vaccine,
            dose=dose,
            administered_on=administered_on,
            organisation=entry.organisation,
            country=entry.country,
            region=entry.region,
            source=entry.source,
            state=State.CONFIRMED,
            entered_by=medic,
            entered_at=now,
            decided_by=medic,
            decided_at=now,
            corrects=entry,
            certificate=_new_certificate(),
        )
    )
    own_vaccination_delete(source_id=entry.record_id, now=now)
    _counts(correction, now=now)
    Revocation.objects.create(certificate=entry.certificate, revoked_at=now, reason="corrected")
    audit_record(
        actor=medic,
        action="vaccinations.correct",
        obj=correction,
        region=medic.region,
        corrects=entry.pk,
        vaccine=vaccine.code,
        dose=dose,
    )
    return correction


@transaction.atomic
def self_entry_submit(
    *,
    citizen,
    vaccine: Vaccine,
    dose: int,
    administered_on: date,
    organisation: str,
    country: str,
    region,
    family_name: str,
    given_name: str,
    photo,
    now: datetime,
) -> Entry:
    """R-VP-3: the citizen enters a dose with a photo of the document; it counts for
    nothing until a medical worker of `region` confirms it."""
    if citizen.role != Role.CITIZEN or not citizen.iin:
        raise PermissionDenied
    _check_dose(vaccine=vaccine, dose=dose, administered_on=administered_on, now=now)
    if photo is None:
        raise ValidationError(_("Attach a photo of the vaccination document."), code="photo_missing")
    document = clean_photo(photo)  # checked before anything is saved
    entry = Entry(
        person=person_key(iin=citizen.iin),
        identifier=citizen.iin,
        family_name=family_name.strip(),
        given_name=given_name.strip(),
        vaccine=vaccine,
        dose=dose,
        administered_on=administered_on,
        organisation=organisation.strip(),
        country=country,
        region=region,
        source=Source.CITIZEN,
        state=State.PENDING,
        entered_by=citizen,
        entered_at=now,
        certificate=_new_certificate(),
    )
    entry.document.save("document.jpg", document, save=False)
    _save(entry)
    audit_record(actor=citizen, action="vaccinations.self_entry", obj=entry, region=region, vaccine=vaccine.code)
    return entry


def _decide(entry: Entry, *, medic, state: str, now: datetime, **fields) -> None:
    _check_medic(medic)
    if entry.region_id != medic.region_id:
        raise PermissionDenied  # R-VP-3: a medical worker of the chosen region
    changed = Entry.objects.filter(pk=entry.pk, state=State.PENDING).update(
        state=state, decided_by=medic, decided_at=now, document="", **fields
    )
    if changed != 1:
        raise ValidationError(_("Another medical worker has decided on this entry already."), code="stale")
    _delete_document(entry)
    entry.refresh_from_db()


@transaction.atomic
def self_entry_confirm(*, medic, entry: Entry, family_name: str, given_name: str, now: datetime) -> Entry:
    """R-VP-3: confirmed, it counts from now on like any dose; the name is as the medical
    worker recorded it (R-VP-4)."""
    _decide(
        entry,
        medic=medic,
        state=State.CONFIRMED,
        now=now,
        family_name=family_name.strip() or None,
        given_name=given_name.strip() or None,
    )
    _counts(entry, now=now)
    audit_record(actor=medic, action="vaccinations.confirm", obj=entry, region=medic.region)
    return entry


@transaction.atomic
def self_entry_reject(*, medic, entry: Entry, reason: str, now: datetime) -> Entry:
    """R-VP-3: rejected with a reason the citizen reads."""
    if not reason.strip():
        raise ValidationError(_("Say why the entry is rejected."), code="reason")
    _decide(entry, medic=medic, state=State.REJECTED, now=now, reason=reason.strip())
    audit_record(actor=medic, action="vaccinations.reject", obj=entry, region=medic.region)
    return entry


@transaction.atomic
def vaccinations_purge(*, now: datetime) -> dict[str, int]:
    """Every growing table's end of life:

    - a self-entry nobody decided on within VACCINATION_PENDING_DAYS lapses (rejected,
      its photo deleted);
    - a rejected entry is deleted a year after its decision (it never counted);
    - a revocation is deleted once every certificate naming it has expired
      (VACCINATION_CERTIFICATE_DAYS after it).

    Confirmed and corrected entries are the vaccination record itself (R-VP-1, R-VP-2)
    and are kept, as the Ministry's registry keeps its own.
    """
    overdue = now - timedelta(days=settings.VACCINATION_PENDING_DAYS)
    lapsing = list(Entry.objects.filter(state=State.PENDING, entered_at__lt=overdue).only("pk", "document"))
    for entry in lapsing:
        _delete_document(entry)
    lapsed = Entry.objects.filter(pk__in=[entry.pk for entry in lapsing], state=State.PENDING).update(
        state=State.REJECTED, reason=LAPSED, decided_at=now, document=""
    )
    deleted, _rows = Entry.objects.filter(state=State.REJECTED, decided_at__lt=now - REJECTED_KEPT).delete()
    expired = now - timedelta(days=settings.VACCINATION_CERTIFICATE_DAYS)
    revocations, _rows = Revocation.objects.filter(revoked_at__lt=expired).delete()
    return {"lapsed": lapsed, "deleted": deleted, "revocations": revocations}
