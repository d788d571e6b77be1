"""Leader Ashyq (docs/rules.md §8): periods, candidate lists, decisions and leaders.

The computation (leaders.services.leaders_compute) fills `CandidateList` and
`Candidate`; the review pages (R-LD-3) strike candidates, submit the lists, and the
commission's `Decision` fixes them and makes `Leader` rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Period(models.Model):
    """R-LD-2: a 14-day window, Monday 00:00 to Monday 00:00 local time
    (leaders.rules.PERIOD_ANCHOR fixes which Mondays start one)."""

    starts_on = models.DateField(_("starts on"), unique=True)
    ends_on = models.DateField(_("ends on (exclusive)"))

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="period_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"


class ListStatus(models.TextChoices):
    COMPUTED = "computed", _("computed")
    SUBMITTED = "submitted", _("submitted by the akimat")
    FIXED = "fixed", _("fixed by the decision")


class CandidateList(models.Model):
    """The candidates of one region for one period (R-LD-1, R-LD-3)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="lists", verbose_name=_("period"))
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    computed_at = models.DateTimeField(_("computed at"))
    status = models.CharField(_("status"), max_length=10, choices=ListStatus.choices, default=ListStatus.COMPUTED)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # R-LD-3: the commission's decision that fixed the list (status "fixed").
    decision = models.ForeignKey(
        "Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="lists", verbose_name=_("decision")
    )

    class Meta:
        ordering = ["-period__starts_on", "region"]
        verbose_name = _("candidate list")
        verbose_name_plural = _("candidate lists")
        constraints = [
            models.UniqueConstraint(fields=["period", "region"], name="candidate_list_unique"),
            models.CheckConstraint(condition=Q(status__in=ListStatus.values), name="candidate_list_status_valid"),
            # A submitted or fixed list says when; a fixed one names its decision.
            models.CheckConstraint(
                condition=Q(status=ListStatus.COMPUTED) | Q(submitted_at__isnull=False),
                name="candidate_list_submitted_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=ListStatus.FIXED) | Q(decision__isnull=False),
                name="candidate_list_fixed_by_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.period}"


def no_flags() -> list:
    # A module-level callable: inside Candidate, `list` names the foreign key.
    return []


class Candidate(models.Model):
    """A venue over its threshold in the period, with its count and the flags an
    akimat should look at before approving."""

    list = models.ForeignKey(CandidateList, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("list"))
    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="+", verbose_name=_("venue"))
    checkins = models.PositiveIntegerField(_("check-ins"))
    threshold = models.PositiveIntegerField(_("threshold"))
    struck = models.BooleanField(_("struck by the akimat"), default=False)
    strike_reason = models.TextField(_("reason for striking"), blank=True)
    flags = models.JSONField(_("suspicious counts"), default=no_flags, blank=True)

    class Meta:
        ordering = ["-checkins", "venue_id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["list", "venue"], name="candidate_unique"),
            # R-LD-1: "more than" the threshold.
            models.CheckConstraint(condition=Q(checkins__gt=F("threshold")), name="candidate_over_threshold"),
        ]
        indexes = [models.Index(fields=["venue"], name="candidate_venue")]

    def __str__(self) -> str:
        return f"{self.venue_id}: {self.checkins}"


class Decision(models.Model):
    """R-LD-3: the commission's decision (number and date) that fixes the submitted
    lists of one period."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("period"))
    number = models.CharField(_("number"), max_length=50)
    date = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [models.UniqueConstraint(fields=["number", "date"], name="decision_unique")]

    def __str__(self) -> str:
        return f"№ {self.number} ({self.date})"


class Leader(models.Model):
    """R-LD-3: a venue is leader for 2 weeks from the decision: starts_on ≤ day < ends_on."""

    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="+", verbose_name=_("venue"))
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="leaders", verbose_name=_("decision"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (exclusive)"))

    class Meta:
        ordering = ["-starts_on", "venue_id"]
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")
        constraints = [
            models.UniqueConstraint(fields=["venue", "decision"], name="leader_unique"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="leader_ends_after_start"),
        ]
        # leaders.selectors.is_leader: one venue, one day.
        indexes = [models.Index(fields=["venue", "starts_on", "ends_on"], name="leader_venue_dates")]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.starts_on} – {self.ends_on}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ComputeRun(models.Model):
    """An on-demand computation started from a page (a long run reports its progress on
    the page that started it). The worker updates `progress` (0–100)
    and `message` as it goes; the page polls the row."""

    period_start = models.DateField(_("period start"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    message = models.TextField(_("message"), blank=True)
    result = models.JSONField(_("candidates per region"), default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("computation run")
        verbose_name_plural = _("computation runs")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="compute_run_status_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="compute_run_progress_max"),
        ]
        indexes = [models.Index(fields=["-requested_at"], name="compute_run_recent")]

    def __str__(self) -> str:
        return f"{self.period_start} {self.status} {self.progress}%"
