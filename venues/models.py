"""Companies, their applications, venues, entrances and QR codes (DOMAIN.md §6)."""

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# R-VN-5: a venue is in test mode for 7 days from the first issue of its QR codes.
TEST_MODE_DAYS = 7


class Company(models.Model):
    """A legal entity, identified by its BIN (R-ID-3), with the owner's account."""

    bin = models.CharField(_("BIN"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="companies", verbose_name=_("owner")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return f"{self.name} ({self.bin})"


class ApplicationStatus(models.TextChoices):
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class Application(models.Model):
    """One application for one venue (R-VN-1), with the result of every automatic
    check (R-VN-3). An approved application has its venue; a refused one lists what
    failed, and an operator may override the refusal with a reason (audited)."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="applications", verbose_name=_("company")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # What the owner entered (R-VN-1).
    name = models.CharField(_("venue name"), max_length=300)
    address = models.CharField(_("address"), max_length=500)
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    category = models.ForeignKey(
        "reference.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    oked = models.CharField(_("OKED code"), max_length=5)
    notification_number = models.CharField(_("sanitary notification number"), max_length=50)
    notification_date = models.DateField(_("sanitary notification date"))
    capacity = models.PositiveIntegerField(_("capacity (persons)"), validators=[MinValueValidator(1)])
    entrances = models.JSONField(_("entrances"), default=list, help_text=_("The names of the entrances, in order."))
    phone = models.CharField(_("venue phone"), max_length=16)
    # The decision (R-VN-3).
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices)
    checks = models.JSONField(
        _("checks"), default=list, help_text=_("Every automatic check: code, passed, message in plain words.")
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refusal overridden by"),
    )
    override_reason = models.TextField(_("reason of the override"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["company", "-submitted_at"], name="application_company_date"),
            models.Index(fields=["status", "-submitted_at"], name="application_status_date"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class Venue(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="venues", verbose_name=_("company"))
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venue",
        verbose_name=_("application"),
    )
    name = models.CharField(_("name"), max_length=300)
    address = models.CharField(_("address"), max_length=500)
    region = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="venues", verbose_name=_("region")
    )
    category = models.ForeignKey(
        "reference.Category", on_delete=models.PROTECT, related_name="venues", verbose_name=_("category")
    )
    oked = models.CharField(_("OKED code"), max_length=5, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (persons)"), validators=[MinValueValidator(1)])
    phone = models.CharField(_("venue phone"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # R-VN-5: test mode runs from the first issue of the QR codes; re-issues keep it.
    codes_first_issued_at = models.DateTimeField(_("QR codes first issued at"), null=True, blank=True)
    # R-VN-7: guard mode names the phone a guard signs in with (normalised +7…).
    guard_phone = models.CharField(_("guard phone"), max_length=16, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        indexes = [
            models.Index(fields=["region", "category"], name="venue_region_category"),
            # The public participants list (R-VN-6): a region's venues past test mode.
            models.Index(fields=["region", "codes_first_issued_at"], name="venue_region_first_issue"),
            # Its order (issue 9, B6): a page is read from the index in order, not sorted
            # from all of the region's venues; with the first issue in it, a page's ids
            # come from the index alone (PostgreSQL; SQLite ignores INCLUDE).
            models.Index(
                fields=["region", "name", "id"], include=["codes_first_issued_at"], name="venue_region_name_issue"
            ),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(capacity__gte=1), name="venue_capacity_positive")]

    def __str__(self) -> str:
        return self.name

    def test_mode_ends_on(self) -> date | None:
        """The first local day on which the venue is no longer in test mode."""
        if self.codes_first_issued_at is None:
            return None
        return timezone.localdate(self.codes_first_issued_at) + timedelta(days=TEST_MODE_DAYS)

    def in_test_mode_on(self, day: date) -> bool:
        """R-VN-5: from the day of first issue, for 7 days (the 8th day is a full
        participant's)."""
        ends = self.test_mode_ends_on()
        return ends is not None and timezone.localdate(self.codes_first_issued_at) <= day < ends


class Entrance(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="entrances", verbose_name=_("venue"))
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["venue", "position", "id"]
        verbose_name = _("entrance")
        verbose_name_plural = _("entrances")
        constraints = [models.UniqueConstraint(fields=["venue", "name"], name="entrance_unique_name")]

    def __str__(self) -> str:
        return f"{self.venue}: {self.name}"


class Direction(models.TextChoices):
    ENTRY = "entry", _("entry")
    EXIT = "exit", _("exit")


class QrCode(models.Model):
    """R-VN-4: one signed code per entrance and direction and issue. Re-issuing makes
    a new issue and revokes the old one; a token names its issue, so an old print
    is refused (410) even though its signature is still valid."""

    entrance = models.ForeignKey(Entrance, on_delete=models.CASCADE, related_name="codes", verbose_name=_("entrance"))
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    issue = models.PositiveIntegerField(_("issue"))
    key_id = models.PositiveSmallIntegerField(_("signing key id"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["entrance", "direction", "-issue"]
        verbose_name = _("QR code")
        verbose_name_plural = _("QR codes")
        constraints = [
            models.UniqueConstraint(fields=["entrance", "direction", "issue"], name="qrcode_unique_issue"),
            # At most one live code per entrance and direction.
            models.UniqueConstraint(
                fields=["entrance", "direction"],
                condition=models.Q(revoked_at__isnull=True),
                name="qrcode_one_live_per_direction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entrance} {self.get_direction_display()} #{self.issue}"
