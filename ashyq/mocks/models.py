"""The other agencies' own tables, as the mock registries keep them (R-RG-1).

These are stand-ins for databases Ashyq does not own, so identifiers are in clear
text here and only here (R-ID-5). Every record carries `seq`, its place in its
registry's feed: a number taken from MockCursor on every insert and every update, so
an updated record moves to the end of the feed with its old "id" and new values.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Registry(models.TextChoices):
    PCR = "pcr", _("PCR results")
    CONTACTS = "contacts", _("contacts")
    VACCINATIONS = "vaccinations", _("vaccinations")
    SUBSCRIBERS = "subscribers", _("mobile subscribers")
    COMPANIES = "companies", _("companies")
    NOTIFICATIONS = "notifications", _("sanitary notifications")


class PcrResult(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEGATIVE = "negative", _("negative")


class FeedRecord(models.Model):
    """A row of a registry feed: `seq` is the cursor, `changed_at` when it last changed."""

    seq = models.BigIntegerField(_("change number"), unique=True, editable=False)
    changed_at = models.DateTimeField(_("changed at"), editable=False)

    # Django's default manager, named on the base so that code handed any registry's
    # model (MODELS[name]) can use it, and the type checker knows it.
    objects = models.Manager()

    class Meta:
        abstract = True
        ordering = ["seq"]


class PcrRecord(FeedRecord):
    """A result of the unified PCR portal; a foreigner's is keyed by passport and country (R-ID-4)."""

    # NULL, as the contract sends it, not "": the check below says which key a record has.
    iin = models.CharField(_("IIN"), max_length=12, null=True, blank=True)  # noqa: DJ001
    passport = models.CharField(_("passport number"), max_length=20, null=True, blank=True)  # noqa: DJ001
    country = models.CharField(  # noqa: DJ001
        _("country"), max_length=2, null=True, blank=True, help_text=_("ISO 3166 alpha-2")
    )
    result = models.CharField(_("result"), max_length=10, choices=PcrResult.choices)
    sampled_at = models.DateTimeField(_("sampled at"))
    resulted_at = models.DateTimeField(_("resulted at"), null=True, blank=True)

    class Meta(FeedRecord.Meta):
        verbose_name = _("PCR result (mock registry)")
        verbose_name_plural = _("PCR results (mock registry)")
        indexes = [
            models.Index(fields=["iin"], name="mocks_pcr_iin"),
            models.Index(fields=["passport", "country"], name="mocks_pcr_passport"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(iin__isnull=False, passport__isnull=True, country__isnull=True)
                    | models.Q(iin__isnull=True, passport__isnull=False, country__isnull=False)
                ),
                name="mocks_pcr_iin_or_passport",
            ),
        ]

    def __str__(self) -> str:
        return f"PCR {self.pk} {self.result} {self.sampled_at:%Y-%m-%d %H:%M}"


class ContactRecord(FeedRecord):
    """A close contact registered by the COVID-19 control centre (R-ST-4)."""

    iin = models.CharField(_("IIN"), max_length=12)
    contact_date = models.DateField(_("contact date"))
    registered_at = models.DateTimeField(_("registered at"))

    class Meta(FeedRecord.Meta):
        verbose_name = _("contact (mock registry)")
        verbose_name_plural = _("contacts (mock registry)")
        indexes = [models.Index(fields=["iin"], name="mocks_contact_iin")]

    def __str__(self) -> str:
        return f"contact {self.pk} {self.contact_date}"


class VaccinationRecord(FeedRecord):
    """A dose recorded in the vaccination passport (R-ST-5)."""

    iin = models.CharField(_("IIN"), max_length=12)
    vaccine = models.CharField(_("vaccine"), max_length=100)
    dose = models.PositiveSmallIntegerField(_("dose"), validators=[MinValueValidator(1)])
    doses_in_scheme = models.PositiveSmallIntegerField(_("doses in the scheme"), validators=[MinValueValidator(1)])
    administered_on = models.DateField(_("administered on"))
    # R-VP-1, R-VP-4: optional, so that load files written before them still load; null
    # is "not sent", which the feed sends as JSON null.
    family_name = models.CharField(_("family name"), max_length=100, null=True, blank=True)  # noqa: DJ001
    given_name = models.CharField(_("given name"), max_length=100, null=True, blank=True)  # noqa: DJ001
    organisation = models.CharField(_("medical organisation"), max_length=200, null=True, blank=True)  # noqa: DJ001
    region = models.CharField(_("region code"), max_length=30, null=True, blank=True)  # noqa: DJ001
    certificate = models.CharField(_("certificate identifier"), max_length=80, null=True, blank=True)  # noqa: DJ001

    class Meta(FeedRecord.Meta):
        verbose_name = _("vaccination (mock registry)")
        verbose_name_plural = _("vaccinations (mock registry)")
        indexes = [models.Index(fields=["iin"], name="mocks_vaccination_iin")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dose__gte=1, dose__lte=models.F("doses_in_scheme")),
                name="mocks_vaccination_dose_in_scheme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vaccine} {self.dose}/{self.doses_in_scheme} {self.administered_on}"


class SubscriberRecord(FeedRecord):
    """A mobile subscriber: the phone and the IIN of its holder (R-AU-2)."""

    phone = models.CharField(_("phone"), max_length=16, unique=True)
    iin = models.CharField(_("IIN"), max_length=12)

    class Meta(FeedRecord.Meta):
        verbose_name = _("mobile subscriber (mock registry)")
        verbose_name_plural = _("mobile subscribers (mock registry)")

    def __str__(self) -> str:
        return self.phone


class CompanyRecord(FeedRecord):
    """A legal entity of the business registry: BIN, name and OKED codes (R-VN-1, R-VN-2),
    and its contact phone, where Ashyq sends the code that proves a claim of it."""

    bin = models.CharField(_("BIN"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=300)
    oked = models.JSONField(_("OKED codes"), default=list)
    phone = models.CharField(_("contact phone"), max_length=16, null=True, blank=True)  # noqa: DJ001 (the contract's null)

    class Meta(FeedRecord.Meta):
        verbose_name = _("company (mock registry)")
        verbose_name_plural = _("companies (mock registry)")

    def __str__(self) -> str:
        return f"{self.name} ({self.bin})"


class NotificationRecord(FeedRecord):
    """A sanitary notification of the e-licensing registry (R-VN-1)."""

    number = models.CharField(_("number"), max_length=50, unique=True)
    date = models.DateField(_("date"))
    bin = models.CharField(_("BIN"), max_length=12)
    address = models.CharField(_("address"), max_length=500)

    class Meta(FeedRecord.Meta):
        verbose_name = _("sanitary notification (mock registry)")
        verbose_name_plural = _("sanitary notifications (mock registry)")

    def __str__(self) -> str:
        return self.number


MODELS: dict[str, type[FeedRecord]] = {
    Registry.PCR: PcrRecord,
    Registry.CONTACTS: ContactRecord,
    Registry.VACCINATIONS: VaccinationRecord,
    Registry.SUBSCRIBERS: SubscriberRecord,
    Registry.COMPANIES: CompanyRecord,
    Registry.NOTIFICATIONS: NotificationRecord,
}
NAMES: dict[type[FeedRecord], str] = {model: str(name) for name, model in MODELS.items()}


class MockCursor(models.Model):
    """The last change number handed out in one registry.

    Taken with an UPDATE inside the writing transaction: the row stays locked until the
    commit, so change numbers become visible in the order they were given and a feed
    reader never skips one that commits late.
    """

    registry = models.CharField(_("registry"), max_length=20, choices=Registry.choices, primary_key=True)
    last = models.BigIntegerField(_("last change number"), default=0)

    class Meta:
        verbose_name = _("feed cursor (mock registry)")
        verbose_name_plural = _("feed cursors (mock registries)")

    def __str__(self) -> str:
        return f"{self.registry}: {self.last}"


def _rate_validators():
    return [MinValueValidator(0.0), MaxValueValidator(1.0)]


class MockFailure(models.Model):
    """How badly one mock registry behaves (R-RG-4), for demos and tests.

    Without a seed every request draws at random. With a seed the draws are
    repeatable: request n (counted in `requests` since the last failure_set) draws
    from random.Random(f"{seed}:{n}").
    """

    registry = models.CharField(_("registry"), max_length=20, choices=Registry.choices, unique=True)
    error_rate = models.FloatField(
        _("error rate"), default=0.0, validators=_rate_validators(), help_text=_("Share of requests answered 503.")
    )
    latency_ms = models.PositiveIntegerField(
        _("latency (ms)"),
        default=0,
        validators=[MaxValueValidator(60_000)],
        help_text=_("Added to every request."),
    )
    malformed_rate = models.FloatField(
        _("malformed rate"),
        default=0.0,
        validators=_rate_validators(),
        help_text=_("Share of requests answered 200 with a truncated JSON body."),
    )
    bad_record_rate = models.FloatField(
        _("bad record rate"),
        default=0.0,
        validators=_rate_validators(),
        help_text=_("Share of feed records replaced by a structurally broken record."),
    )
    seed = models.BigIntegerField(
        _("seed"), null=True, blank=True, help_text=_("Set it to make the failures repeatable (tests).")
    )
    requests = models.PositiveBigIntegerField(_("requests drawn"), default=0, editable=False)

    class Meta:
        verbose_name = _("failure switch (mock registry)")
        verbose_name_plural = _("failure switches (mock registries)")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    error_rate__gte=0,
                    error_rate__lte=1,
                    malformed_rate__gte=0,
                    malformed_rate__lte=1,
                    bad_record_rate__gte=0,
                    bad_record_rate__lte=1,
                ),
                name="mocks_failure_rates_0_1",
            ),
        ]

    def __str__(self) -> str:
        return self.registry

    @property
    def is_off(self) -> bool:
        return not (self.error_rate or self.latency_ms or self.malformed_rate or self.bad_record_rate)
