"""Our copy of the three health registries (R-RG-2), their sync state and the colour history.

No identifier is stored in clear (R-ID-5): every record is keyed by `person`, the blind
index of the IIN, or of "COUNTRY:PASSPORT" for a foreigner (statuses.persons.person_key).
The colour itself is never stored as truth (R-ST-8): StatusChange keeps the derived
history of colour changes for R-ST-10, recomputed from these records.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ashyq.crypto import EncryptedCharField
from statuses.rules import Colour


class Registry(models.TextChoices):
    PCR = "pcr", _("PCR results")
    CONTACTS = "contacts", _("contacts")
    VACCINATIONS = "vaccinations", _("vaccinations")


class RegistryRecord(models.Model):
    """A record as the registry last sent it; `source_id` is the registry's own "id"."""

    source_id = models.CharField(_("registry id"), max_length=64, unique=True)
    person = models.CharField(_("person (blind index)"), max_length=64, db_index=True, editable=False)
    changed_at = models.DateTimeField(_("changed in the registry at"))

    # Django's default manager, named on the base so that code handed any registry's
    # model (RECORD_MODELS[name]) can use it, and the type checker knows it.
    objects = models.Manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.source_id}"


class PcrResult(RegistryRecord):
    positive = models.BooleanField(_("positive"))
    sampled_at = models.DateTimeField(_("sampled at"))
    resulted_at = models.DateTimeField(_("resulted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("PCR result")
        verbose_name_plural = _("PCR results")
        ordering = ["-sampled_at"]
        indexes = [models.Index(fields=["sampled_at"], name="statuses_pcr_sampled")]


class Contact(RegistryRecord):
    contact_date = models.DateField(_("contact date"))
    registered_at = models.DateTimeField(_("registered at"))

    class Meta:
        verbose_name = _("close contact")
        verbose_name_plural = _("close contacts")
        ordering = ["-registered_at"]
        indexes = [models.Index(fields=["contact_date"], name="statuses_contact_date")]


class VaccinationSource(models.TextChoices):
    """Where a dose that counts came from (R-VP-1)."""

    REGISTRY = "registry", _("vaccination registry")
    MEDICAL = "medical", _("medical worker")
    CITIZEN = "citizen", _("the citizen, confirmed")


class Vaccination(RegistryRecord):
    """A dose that counts (R-ST-5, R-VP-6), whatever its source: the registry's, synced
    under the registry's id, or one entered by hand (vaccinations.Entry) under
    "ashyq:<uid>". The optional fields are what the registry may send besides (the
    holder's name, encrypted under R-ID-5; the organisation, its region's code, the
    certificate identifier); the sync writes them with raw SQL, hence the db_defaults."""

    vaccine = models.CharField(_("vaccine"), max_length=100)
    dose = models.PositiveSmallIntegerField(_("dose"))
    doses_in_scheme = models.PositiveSmallIntegerField(_("doses in the scheme"))
    administered_on = models.DateField(_("administered on"))
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=VaccinationSource.choices,
        default=VaccinationSource.REGISTRY,
        db_default=VaccinationSource.REGISTRY,
    )
    family_name = EncryptedCharField(_("family name"), null=True, blank=True)
    given_name = EncryptedCharField(_("given name"), null=True, blank=True)
    organisation = models.CharField(_("medical organisation"), max_length=200, blank=True, default="", db_default="")
    region = models.CharField(_("region code"), max_length=30, blank=True, default="", db_default="")
    certificate = models.CharField(_("certificate identifier"), max_length=80, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("vaccination")
        verbose_name_plural = _("vaccinations")
        ordering = ["-administered_on"]
        indexes = [
            models.Index(fields=["administered_on"], name="statuses_vacc_on"),
            # R-VP-6: a region's figures read its doses of the weeks asked for.
            models.Index(fields=["region", "administered_on"], name="statuses_vacc_region_on"),
        ]


RECORD_MODELS: dict[str, type[RegistryRecord]] = {
    Registry.PCR: PcrResult,
    Registry.CONTACTS: Contact,
    Registry.VACCINATIONS: Vaccination,
}


# The longest feed cursor a registry may hand us (services refuse a longer one).
CURSOR_MAX_LENGTH = 200


class SyncState(models.Model):
    """Where the sync of one registry stands (R-RG-2), and what operators need to see (R-RG-3).

    `version` grows with every committed page: a cached status is keyed by the versions
    (and by `epoch`, new whenever the row is made again, e.g. in a restored or a test
    database), so new records invalidate it (R-ST-8). `locked_until`/`lock_token`
    are a lease that keeps two syncs of the same registry from overlapping.
    `settled_before`: the registry's records that acted only before this moment are
    deleted (statuses.services.records_retention), so the history (R-ST-10) before it
    is no longer judged from the records.
    """

    registry = models.CharField(_("registry"), max_length=20, choices=Registry.choices, unique=True)
    cursor = models.CharField(_("cursor"), max_length=CURSOR_MAX_LENGTH, blank=True)
    last_success_at = models.DateTimeField(_("last successful sync"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    records_synced = models.PositiveBigIntegerField(_("records applied"), default=0)
    records_skipped = models.PositiveBigIntegerField(_("bad records skipped"), default=0)
    version = models.PositiveBigIntegerField(_("version"), default=0)
    epoch = models.UUIDField(_("epoch"), default=uuid.uuid4, editable=False)
    locked_until = models.DateTimeField(_("sync running until"), null=True, blank=True)
    lock_token = models.CharField(_("lock token"), max_length=64, blank=True)
    settled_before = models.DateTimeField(_("history settled before"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry sync")
        verbose_name_plural = _("registry syncs")
        ordering = ["registry"]

    def __str__(self) -> str:
        return self.get_registry_display()


class StatusChange(models.Model):
    """One change of a person's colour, with its cause (R-ST-10).

    Derived from the records (R-ST-8): a sync or a look-up recomputes the person's
    timeline and brings these rows in line with it, so a late record (a PCR result
    that arrives days after its sample) rewrites the part of the history it changes.
    `recorded_at` says when we learned of the change.
    """

    person = models.CharField(_("person (blind index)"), max_length=64, editable=False)
    colour = models.CharField(_("colour"), max_length=10, choices=[(c.value, c.value) for c in Colour])
    rule = models.CharField(_("rule"), max_length=10)
    registry = models.CharField(_("registry"), max_length=20, choices=Registry.choices, blank=True)
    record = models.CharField(_("registry id"), max_length=64, blank=True)
    changed_at = models.DateTimeField(_("changed at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    # Not a column: the cause in words (lazy), set on the rows statuses.selectors.status_for reads.
    reason: str

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at"]
        constraints = [
            # One colour at a time: re-running a sync can never duplicate a change.
            models.UniqueConstraint(fields=["person", "changed_at"], name="statuses_change_once"),
        ]
        # The unique index (person, changed_at) serves the history look-up, newest first too;
        # the one on changed_at the operators' list by date.
        indexes = [models.Index(fields=["changed_at"], name="statuses_change_at")]

    def __str__(self) -> str:
        return f"{self.colour} {self.changed_at:%Y-%m-%d %H:%M} {self.rule}"


class HistoryDue(models.Model):
    """A person whose history (R-ST-10) must be brought in line with records a sync
    applied. Marked in the transaction of the page that applied them, cleared when
    statuses.services.history_catch_up has recomputed the history: once per person
    however many of his records a run brought (BENCHMARKS.md, B3), and never lost to a
    worker killed in between. A citizen's own history page recomputes his at once."""

    person = models.CharField(_("person (blind index)"), max_length=64, primary_key=True, editable=False)
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("history due")
        verbose_name_plural = _("histories due")

    def __str__(self) -> str:
        return f"{self.person[:8]}… {self.marked_at:%Y-%m-%d %H:%M}"


class QuarantinedRecord(models.Model):
    """A record of a good feed page that could not be applied (R-RG-4): kept for the
    registry's operators with its id and the problem, the rest of the page applied.
    The record itself is not kept: it would hold an identifier in clear (R-ID-5);
    `person` is masked, and the registry finds the record by `source_id`."""

    registry = models.CharField(_("registry"), max_length=20, choices=Registry.choices)
    source_id = models.CharField(_("registry id"), max_length=64, blank=True)
    person = models.CharField(_("person (masked)"), max_length=40, blank=True)
    problem = models.TextField(_("problem"))
    cursor = models.CharField(_("feed position"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("quarantined record")
        verbose_name_plural = _("quarantined records")
        indexes = [models.Index(fields=["registry", "-received_at"], name="quarantine_registry_at")]

    def __str__(self) -> str:
        return f"{self.registry} {self.source_id or '?'}: {self.problem}"
