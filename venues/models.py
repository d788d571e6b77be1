"""Companies, their applications, venues, entrances and QR codes (docs/rules.md §6)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from venues.standing import rules as standing_rules


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


class ClaimState(models.TextChoices):
    """A claim of a company by the owner who signed up with its BIN (R-ID-3)."""

    CODE_SENT = "code_sent", _("waiting for the code sent to the company's phone")
    OPERATOR = "operator", _("waiting for an operator")
    DISPUTED = "disputed", _("disputed: the company has an owner")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


OPEN_CLAIMS = (ClaimState.CODE_SENT, ClaimState.OPERATOR, ClaimState.DISPUTED)


class CompanyClaim(models.Model):
    """A BIN is public: signing up with it proves nothing. The company gets its owner
    only once the claimant proves control of it — the one-time code sent to the
    company's contact phone in the business registry — or an operator confirms the
    claim. An owner already in place is never displaced by a claim: a proven claim
    against him is a dispute, which an operator decides in the admin."""

    bin = models.CharField(_("BIN"), max_length=12)
    name = models.CharField(_("company name"), max_length=300)
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="company_claims", verbose_name=_("claimant")
    )
    state = models.CharField(_("state"), max_length=10, choices=ClaimState.choices)
    # The registry's contact phone at the claim ("" when it has none: an operator decides).
    contact_phone = models.CharField(_("company's contact phone"), max_length=16, blank=True)
    # The one-time code sent to it (ashyq.sms.OneTimeCode; purged after a day).
    code_id = models.PositiveBigIntegerField(_("one-time code"), null=True, blank=True)
    created_at = models.DateTimeField(_("claimed at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    note = models.TextField(_("operator's note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("company claim")
        verbose_name_plural = _("company claims")
        constraints = [
            # One open claim of a company per claimant.
            models.UniqueConstraint(
                fields=["bin", "claimant"],
                condition=models.Q(state__in=OPEN_CLAIMS),
                name="company_claim_open_once",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="company_claim_state"),  # the operators' list
            models.Index(fields=["claimant", "state"], name="company_claim_claimant"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.bin}): {self.get_state_display()}"


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
    # The key of the form that was submitted: the same form sent again (the browser's
    # back button, a double tap, a resubmission) finds this application instead of
    # making a second venue. NULL for applications older than the key.
    idempotency_key = models.UUIDField(_("form key"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["company", "-submitted_at"], name="application_company_date"),
            models.Index(fields=["status", "-submitted_at"], name="application_status_date"),
            # One notification serves one venue (venues.selectors.notification_in_use).
            models.Index(fields=["notification_number"], name="application_notification"),
        ]
        constraints = [
            # One application per owner and form, whatever the timing of the requests.
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"], name="application_submitted_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class GuardConsent(models.TextChoices):
    """R-VN-7: the answer of the holder of a venue's guard phone."""

    PENDING = "pending", _("waiting for the phone's holder")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


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
    # R-VN-7: guard mode names the phone a guard signs in with (normalised +7…); it works
    # once the phone's holder has accepted, at his sign-in (venues.codes.services).
    guard_phone = models.CharField(_("guard phone"), max_length=16, null=True, blank=True)  # noqa: DJ001 (no phone: NULL)
    guard_consent = models.CharField(
        _("guard's answer"), max_length=8, choices=GuardConsent.choices, blank=True, default="", db_default=""
    )
    guard_named_at = models.DateTimeField(_("guard phone named at"), null=True, blank=True)
    guard_answered_at = models.DateTimeField(_("guard's answer at"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        indexes = [
            models.Index(fields=["region", "category"], name="venue_region_category"),
            # The public participants list (R-VN-6): a region's venues past test mode.
            models.Index(fields=["region", "codes_first_issued_at"], name="venue_region_first_issue"),
            # Its order (the benchmark B6): a page is read from the index in order, not sorted
            # from all of the region's venues; with the first issue in it, a page's ids
            # come from the index alone (PostgreSQL; SQLite ignores INCLUDE).
            models.Index(
                fields=["region", "name", "id"], include=["codes_first_issued_at"], name="venue_region_name_issue"
            ),
            # R-VN-7: the sign-in finds the venues that name a phone.
            models.Index(fields=["guard_phone"], name="venue_guard_phone"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="venue_capacity_positive"),
            # A phone guards one venue at a time (the one its holder accepted last).
            models.UniqueConstraint(
                fields=["guard_phone"],
                condition=models.Q(guard_consent=GuardConsent.ACCEPTED),
                name="venue_guard_phone_accepted",
            ),
            models.CheckConstraint(
                condition=models.Q(guard_phone__isnull=True, guard_consent="")
                | models.Q(guard_phone__isnull=False, guard_consent__in=GuardConsent.values),
                name="venue_guard_consent_with_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.name


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


class StandingKind(models.TextChoices):
    """R-VN-9: what a venue is at a moment (venues.standing.rules)."""

    APPLIED = standing_rules.APPLIED, _("approved, QR codes not issued yet")
    TEST_MODE = standing_rules.TEST_MODE_KIND, _("test mode")
    PARTICIPANT = standing_rules.PARTICIPANT, _("participant")
    VOLUNTEER = standing_rules.VOLUNTEER, _("volunteer participant")
    LEADER = standing_rules.LEADER, _("Leader Ashyq")
    EXCLUDED = standing_rules.EXCLUDED, _("excluded")
    AWAITING_RETURN = standing_rules.AWAITING_RETURN, _("excluded, awaiting the owner's return")


class StandingCause(models.TextChoices):
    CREATED = standing_rules.CREATED, _("application approved")
    ISSUE = standing_rules.ISSUE, _("QR codes issued")
    TEST_MODE_END = standing_rules.TEST_MODE_END, _("test mode ended")
    SANCTION = standing_rules.SANCTION, _("exclusion")
    SANCTION_END = standing_rules.SANCTION_END, _("the exclusion's term ended")
    RETURN = standing_rules.RETURN, _("the owner returned")
    LIFT = standing_rules.LIFT, _("the exclusion was lifted")
    LEADER_TERM = standing_rules.LEADER_TERM, _("the commission's decision")
    LEADER_END = standing_rules.LEADER_END, _("the Leader Ashyq term ended")


class Standing(models.Model):
    """R-VN-9: one interval of a venue's standing, [starts_at, ends_at) (ends_at NULL:
    until further notice). A venue's intervals never overlap: on PostgreSQL an exclusion
    constraint says so (migration 0006), everywhere the writer checks
    (venues.standing.services). Written only by venues.standing.services, read through
    venues.standing.selectors."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="standings", verbose_name=_("venue"))
    kind = models.CharField(_("standing"), max_length=16, choices=StandingKind.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=16, choices=StandingCause.choices)
    # The sanction (monitoring) or the commission's decision (leaders) behind it.
    ref = models.PositiveIntegerField(_("sanction or decision"), null=True, blank=True)

    class Meta:
        ordering = ["venue", "starts_at"]
        verbose_name = _("standing")
        verbose_name_plural = _("standing history")
        constraints = [
            models.UniqueConstraint(fields=["venue", "starts_at"], name="standing_venue_start"),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="standing_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=standing_rules.KINDS), name="standing_kind_valid"),
        ]
        indexes = [
            # The venues of a standing now (the public list leaves out the few in test
            # mode, excluded or awaiting) and during a period (R-LD-4).
            models.Index(fields=["kind", "ends_at"], name="standing_kind_ends"),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id}: {self.kind} {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at or '…'}"

    def interval(self) -> standing_rules.Interval:
        return standing_rules.Interval(self.kind, self.starts_at, self.ends_at, self.cause, self.ref)


class ConditionsVersion(models.Model):
    """One row: the version of the table of conditions (R-OP-1) and of the zones
    (R-REF-2) that every process's memory of allowed shares is keyed by
    (venues.conditions). Renewed in the transaction that changes them, so that a
    version is never seen before its change is, nor after a rollback."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="conditions_version_one_row")]

    def __str__(self) -> str:
        return self.token
