"""The vaccination passport (docs/rules.md §13): the vaccine reference, the doses entered by
hand, and the revoked certificate identifiers.

What counts for the colour (R-ST-5) and the figures (R-VP-6) is one table whatever the
source: statuses.Vaccination. The registry's doses arrive there by the sync; a medical
worker's dose (R-VP-2) and a confirmed self-entry (R-VP-3) are written there by
vaccinations.services, under an id of their own namespace ("ashyq:<uid>"). An Entry is
the hand-entered record with its workflow (pending, confirmed, rejected, superseded);
names and identifiers in it are encrypted (R-ID-5) and it is found by the person's
blind index.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ashyq.crypto import EncryptedCharField, masked
from statuses.clients import OWN_VACCINATION_PREFIX


class Vaccine(models.Model):
    """A vaccine of the reference list (R-VP-1), edited by operators in the admin.

    `registry_names` are the names the vaccination registry sends for it, one a line
    ("Sputnik V", "Спутник V"): a registry dose is matched by them, case aside. The DCC
    codes (`product`, `manufacturer`, `prophylaxis`) go into the certificate (R-VP-4).
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    maker = models.CharField(_("maker"), max_length=200)
    doses = models.PositiveSmallIntegerField(_("doses in the scheme"))
    registry_names = models.TextField(_("names in the registry"), blank=True, help_text=_("One a line."))
    product = models.CharField(_("DCC product (mp)"), max_length=80)
    manufacturer = models.CharField(_("DCC manufacturer (ma)"), max_length=80)
    prophylaxis = models.CharField(_("DCC prophylaxis (vp)"), max_length=40, default="J07BX03")
    active = models.BooleanField(_("can be entered"), default=True)

    class Meta:
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(doses__gte=1), name="vaccine_doses_positive")]

    def __str__(self) -> str:
        return self.name

    def names(self) -> set[str]:
        """Every name that means this vaccine, folded for comparison."""
        return {line.strip().casefold() for line in [self.name, *self.registry_names.splitlines()] if line.strip()}


class Source(models.TextChoices):
    MEDICAL = "medical", _("medical worker")
    CITIZEN = "citizen", _("the citizen")


class State(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("corrected")


# Where an entry is live: at most one per person, vaccine and dose (R-VP-1).
LIVE_STATES = (State.PENDING, State.CONFIRMED)


def _document_path(entry, filename: str) -> str:
    return f"vaccinations/{entry.uid.hex}.jpg"


class Entry(models.Model):
    """A dose entered by hand: by a medical worker (R-VP-2), or by the citizen and
    waiting for a medical worker of `region` (R-VP-3). A correction is a new Entry that
    `corrects` the old one, which becomes SUPERSEDED and keeps its values."""

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    person = models.CharField(_("person (blind index)"), max_length=64, editable=False)
    # "IIN" or "COUNTRY:PASSPORT" (R-ID-4), encrypted (R-ID-5): for the medical worker's list.
    identifier = EncryptedCharField(_("identifier"))
    family_name = EncryptedCharField(_("family name"), null=True, blank=True)
    given_name = EncryptedCharField(_("given name"), null=True, blank=True)
    vaccine = models.ForeignKey(Vaccine, on_delete=models.PROTECT, related_name="entries", verbose_name=_("vaccine"))
    dose = models.PositiveSmallIntegerField(_("dose"))
    administered_on = models.DateField(_("administered on"))
    organisation = models.CharField(_("medical organisation"), max_length=200)
    country = models.CharField(_("country"), max_length=2, default="KZ")
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    source = models.CharField(_("entered by"), max_length=10, choices=Source.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # R-VP-3: the citizen's photo of his document; deleted once decided (retention).
    document = models.ImageField(_("document photo"), upload_to=_document_path, blank=True)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction", verbose_name=_("corrects")
    )
    # The dose's certificate identifier (the DCC's "ci", a UVCI), new with every correction.
    certificate = models.CharField(_("certificate identifier"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("entered vaccination")
        verbose_name_plural = _("entered vaccinations")
        ordering = ["-entered_at"]
        constraints = [
            # R-VP-1: a dose is recorded once; a double click or a second self-entry of the
            # same dose is refused by the database, not only by a form.
            models.UniqueConstraint(
                fields=["person", "vaccine", "dose"],
                condition=Q(state__in=LIVE_STATES),
                name="vaccination_entry_once",
            ),
            models.CheckConstraint(condition=Q(dose__gte=1), name="vaccination_entry_dose_positive"),
            models.CheckConstraint(
                condition=~Q(state=State.REJECTED) | ~Q(reason=""), name="vaccination_entry_rejected_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "-entered_at"], name="vacc_entry_person"),
            models.Index(fields=["entered_by", "-entered_at"], name="vacc_entry_by"),
            models.Index(fields=["decided_by", "-entered_at"], name="vacc_entry_decided_by"),
            models.Index(fields=["region", "state", "entered_at"], name="vacc_entry_queue"),
            models.Index(fields=["state", "decided_at"], name="vacc_entry_state_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.vaccine} {self.dose} {self.administered_on} ({self.get_state_display()})"

    @property
    def masked(self) -> str:
        """The person as a list may show him: ******1234 (R-ID-5)."""
        return masked(self.identifier)

    @property
    def record_id(self) -> str:
        """Its id among the doses that count (statuses.Vaccination.source_id)."""
        return f"{OWN_PREFIX}{self.uid.hex}"


# The namespace of our own doses' ids in statuses.Vaccination: the sync refuses a
# registry record there.
OWN_PREFIX = OWN_VACCINATION_PREFIX


class Revocation(models.Model):
    """A certificate identifier that no longer holds (R-VP-5): a corrected dose's.

    Published at /verify/revoked.json. Kept VACCINATION_CERTIFICATE_DAYS: every
    certificate naming it was issued before the revocation and has expired by then."""

    certificate = models.CharField(_("certificate identifier"), max_length=80, unique=True)
    revoked_at = models.DateTimeField(_("revoked at"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("revoked certificate")
        verbose_name_plural = _("revoked certificates")
        ordering = ["-revoked_at"]
        indexes = [models.Index(fields=["revoked_at"], name="vacc_revocation_at")]

    def __str__(self) -> str:
        return self.certificate
