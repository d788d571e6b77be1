"""Monitoring and sanctions (docs/rules.md §10): violations, inactivity flags, outages,
sanctions and appeals."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ViolationKind(models.TextChoices):
    # R-MN-1
    NO_STATUS_CHECK = "no_status_check", _("visitors admitted without a status check")
    RED_YELLOW_ADMITTED = "red_yellow_admitted", _("a red or yellow visitor admitted")
    OVER_OCCUPANCY = "over_occupancy", _("over the allowed occupancy")
    OUTSIDE_HOURS = "outside_hours", _("open outside the working hours")
    OTHER = "other", _("other")


class ViolationState(models.TextChoices):
    FILED = "filed", _("filed, awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class Violation(models.Model):
    """R-MN-1: filed by an inspector of the venue's region; Decided: a second member of
    the monitoring group, not the one who filed it, confirms or rejects it, and only a
    confirmed violation has consequences."""

    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.PROTECT, related_name="violations", verbose_name=_("venue")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ViolationKind.choices)
    occurred_at = models.DateTimeField(_("when it happened"))
    description = models.TextField(_("description"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=ViolationState.choices, default=ViolationState.FILED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or rejected by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note of the decision"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        indexes = [
            models.Index(fields=["venue", "-filed_at"], name="violation_venue_filed"),
            models.Index(fields=["state", "-filed_at"], name="violation_state_filed"),
        ]
        constraints = [
            # R-MN-1 Decided: nobody confirms his own filing.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("filed_by")),
                name="violation_decided_by_another",
            ),
            models.CheckConstraint(
                condition=Q(state=ViolationState.FILED, decided_by__isnull=True)
                | (~Q(state=ViolationState.FILED) & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="violation_decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue}: {self.get_kind_display()} ({self.get_state_display()})"


class ViolationPhoto(models.Model):
    """Up to 5 per violation (R-MN-1), stored re-encoded without metadata."""

    violation = models.ForeignKey(
        Violation, on_delete=models.CASCADE, related_name="photos", verbose_name=_("violation")
    )
    image = models.ImageField(_("photo"), upload_to="violations/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)

    class Meta:
        ordering = ["violation", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.violation_id}: {self.image.name}"


class PhotoDraft(models.Model):
    """A photo an inspector attached to a violation form that was not filed yet (the
    form had an error): kept, re-encoded without metadata, so that he need not pick it
    again; it becomes a ViolationPhoto when the violation is filed. Deleted with its
    file a day after its upload (monitoring.services.inspections.monitoring_purge)."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    image = models.ImageField(_("photo"), upload_to="violations/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("photo not yet filed")
        verbose_name_plural = _("photos not yet filed")
        indexes = [
            models.Index(fields=["uploaded_by", "uploaded_at"], name="photo_draft_owner"),
            models.Index(fields=["uploaded_at"], name="photo_draft_uploaded"),  # the purge
        ]

    def __str__(self) -> str:
        return f"{self.uploaded_by_id}: {self.image.name}"


class Inspection(models.Model):
    """An inspector's visit that found nothing to file (R-MN-1), so that the venue's
    page shows it was inspected. One per inspector, venue and local day (a second tap
    records nothing); kept a year, as the staff audit log (R-PR-2)."""

    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.CASCADE, related_name="inspections", verbose_name=_("venue")
    )
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("inspection, nothing found")
        verbose_name_plural = _("inspections, nothing found")
        constraints = [
            models.UniqueConstraint(fields=["venue", "inspected_by", "day"], name="inspection_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["venue", "-at"], name="inspection_venue_at"),
            models.Index(fields=["at"], name="inspection_at"),  # the purge
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.day}: {self.inspected_by_id}"


class OutageKind(models.TextChoices):
    # R-MN-6
    SYSTEM = "system", _("the Ashyq system")
    SMS = "sms", _("the SMS gateway")


class Outage(models.Model):
    """R-MN-6: recorded by an operator; no sanction follows from a failure to check
    statuses while it lasted, and its days do not count as inactive (R-MN-2). Without
    an end it still lasts (ongoing): it covers every moment from its start up to now,
    until an operator records its end."""

    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"), null=True, blank=True)
    kind = models.CharField(_("what failed"), max_length=10, choices=OutageKind.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="outage_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")), name="outage_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        # Local time, as the operator recorded it and as inspectors read it.
        starts = f"{timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"
        if self.ends_at is None:
            return f"{self.get_kind_display()}: {starts} – …"
        return f"{self.get_kind_display()}: {starts} – {timezone.localtime(self.ends_at):%d.%m.%Y %H:%M}"

    @property
    def ongoing(self) -> bool:
        return self.ends_at is None

    def covers(self, moment) -> bool:
        """Whether the outage lasted at `moment` (from its start, its end excluded; an
        ongoing one from its start on)."""
        return self.starts_at <= moment and (self.ends_at is None or moment < self.ends_at)


class InactivityFlag(models.Model):
    """R-MN-2: no check-in on four counted full local days (days with an outage, an
    exclusion or conditions that did not allow opening are not counted); a sanction
    trigger like a confirmed violation. `last_day` is the fourth counted day: the flag
    is raised when it ends. An outage recorded later over a counted day withdraws it."""

    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.PROTECT, related_name="inactivity_flags", verbose_name=_("venue")
    )
    first_day = models.DateField(_("first day without check-ins"))
    last_day = models.DateField(_("last day counted"))
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-flagged_at"]
        verbose_name = _("inactivity flag")
        verbose_name_plural = _("inactivity flags")
        # One flag per stretch of silence: the daily task running twice flags once. A
        # withdrawn flag does not count: the stretch is counted again without its outage.
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "first_day"], condition=Q(withdrawn_at__isnull=True), name="inactivity_flag_once"
            )
        ]
        indexes = [models.Index(fields=["venue", "-last_day"], name="inactivity_flag_venue_last")]

    def __str__(self) -> str:
        return f"{self.venue}: {self.first_day} – {self.last_day}"


class SanctionKind(models.TextChoices):
    # R-MN-3
    WARNING = "warning", _("warning")
    EXCLUSION = "exclusion", _("exclusion")


class SanctionState(models.TextChoices):
    ACTIVE = "active", _("in force")
    CANCELLED = "cancelled", _("cancelled on appeal")
    # R-MN-2: an outage recorded later covered a day its inactivity flag counted; R-MN-6:
    # one covered the moment of a violation of not checking statuses.
    WITHDRAWN = "withdrawn", _("withdrawn: an outage was recorded")


class Sanction(models.Model):
    """R-MN-3: a warning (test mode at the moment of the violation) or an exclusion — 2
    weeks the first time, 2 calendar months each later time, from its confirmation.
    R-MN-4: an exclusion's term ends at `ends_at`; the venue is excluded until the owner
    returns (`returned_at`). `lifted_at`: when it was cancelled on appeal or withdrawn.

    What the venue was at each moment is its standing history (venues.Standing), which
    the services write with these rows; rules read that history, not these fields."""

    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.PROTECT, related_name="sanctions", verbose_name=_("venue")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SanctionKind.choices)
    violation = models.OneToOneField(
        Violation, on_delete=models.PROTECT, null=True, blank=True, related_name="sanction", verbose_name=_("violation")
    )
    inactivity_flag = models.OneToOneField(
        InactivityFlag,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sanction",
        verbose_name=_("inactivity flag"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=SanctionState.choices, default=SanctionState.ACTIVE)
    returned_at = models.DateTimeField(_("owner returned at"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        indexes = [models.Index(fields=["venue", "kind", "state", "starts_at"], name="sanction_venue_kind")]
        constraints = [
            # Each sanction follows from exactly one trigger.
            models.CheckConstraint(
                condition=Q(violation__isnull=False, inactivity_flag__isnull=True)
                | Q(violation__isnull=True, inactivity_flag__isnull=False),
                name="sanction_one_trigger",
            ),
            models.CheckConstraint(
                condition=Q(kind=SanctionKind.WARNING, ends_at__isnull=True)
                | Q(kind=SanctionKind.EXCLUSION, ends_at__isnull=False),
                name="sanction_exclusions_end",
            ),
            models.CheckConstraint(
                condition=Q(state=SanctionState.ACTIVE, lifted_at__isnull=True)
                | (~Q(state=SanctionState.ACTIVE) & Q(lifted_at__isnull=False)),
                name="sanction_lifted_when_not_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue}: {self.get_kind_display()} ({self.get_state_display()})"


class AppealDecision(models.TextChoices):
    PENDING = "pending", _("awaiting the akimat's decision")
    UPHELD = "upheld", _("sanction upheld")
    CANCELLED = "cancelled", _("sanction cancelled")


class Appeal(models.Model):
    """R-MN-5: the owner appeals a sanction once; the region's akimat upholds or
    cancels it with a reason, and a cancelled sanction is lifted at once."""

    sanction = models.OneToOneField(
        Sanction, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("sanction")
    )
    text = models.TextField(_("the owner's appeal"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decision = models.CharField(
        _("decision"), max_length=10, choices=AppealDecision.choices, default=AppealDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [models.Index(fields=["decision", "-filed_at"], name="appeal_decision_filed")]

    def __str__(self) -> str:
        return f"{self.sanction}: {self.get_decision_display()}"


class RiskList(models.Model):
    """R-MN-7: when a region's risk list was last computed (hourly, by
    monitoring.ops_tasks.risk_lists_refresh): the page reads the stored entries, since
    computing the list of a large region takes seconds to minutes."""

    region = models.OneToOneField(
        "reference.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region")
    )
    computed_at = models.DateTimeField(_("computed at"))
    days = models.PositiveSmallIntegerField(_("days looked at"))

    class Meta:
        verbose_name = _("risk list")
        verbose_name_plural = _("risk lists")

    def __str__(self) -> str:
        return f"{self.region} {self.computed_at}"


class RiskEntry(models.Model):
    """One venue of a stored risk list, with the figures that put it there (R-MN-7)."""

    risk_list = models.ForeignKey(
        RiskList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("risk list")
    )
    venue = models.ForeignKey("venues.Venue", on_delete=models.CASCADE, related_name="+", verbose_name=_("venue"))
    score = models.PositiveIntegerField(_("score"))
    checkins = models.PositiveIntegerField(_("check-ins"))
    outside_hours_checkins = models.PositiveIntegerField(_("check-ins outside working hours"))
    # R-MN-7 with R-CI-6: hours with more people inside at once than allowed.
    over_limit_hours = models.PositiveIntegerField(_("hours over the allowed occupancy"))
    peak_inside = models.PositiveIntegerField(_("most people inside at once"), default=0)
    peak_allowed = models.PositiveIntegerField(_("allowed occupancy then"), default=0)
    peak_hour = models.DateTimeField(_("hour of the most people inside"), null=True, blank=True)
    burst_hours = models.PositiveIntegerField(_("burst hours"))
    max_hourly = models.PositiveIntegerField(_("busiest hour"))
    burst_threshold = models.FloatField(_("burst threshold"))
    worst_hour = models.DateTimeField(_("worst hour"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk list entry")
        verbose_name_plural = _("risk list entries")
        constraints = [models.UniqueConstraint(fields=["risk_list", "venue"], name="risk_entry_unique")]
        # The page: one region's list, highest score first, a page at a time.
        indexes = [models.Index(fields=["risk_list", "-score", "venue"], name="risk_entry_rank")]

    def __str__(self) -> str:
        return f"{self.venue_id}: {self.score}"
