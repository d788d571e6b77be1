"""Reference data of docs/rules.md §2: regions, zones, categories, admissions, OKED codes.

These are rows of tables edited by operators in the admin, not code (R-REF-1, R-REF-4,
R-REF-5). Names come in the three interface languages.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedName(models.Model):
    """A name in Russian, Kazakh and English; `name` answers in the active language."""

    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "ru")[:2]
        return getattr(self, f"name_{language}", "") or self.name_ru


class RegionKind(models.TextChoices):
    # R-REF-1: the leader thresholds differ for the two kinds (R-LD-1).
    CITY = "city", _("city of republican significance")
    OBLAST = "oblast", _("oblast")


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The regions whose data `user` may see: one for regional staff, all for the
        commission and operators, none for anybody else."""
        from ashyq.accounts.access import regions_visible_to

        return regions_visible_to(user, self)

    def with_zone(self, on):
        """Annotate `zone`: the zone in force on date `on`, in the same query."""
        latest = ZoneChange.objects.filter(region=models.OuterRef("pk"), effective_from__lte=on).order_by(
            "-effective_from", "-id"
        )
        return self.annotate(zone=models.Subquery(latest.values("zone")[:1]))


class Region(TranslatedName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RegionKind.choices)
    is_pilot = models.BooleanField(_("pilot region"), default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name_ru"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def current_zone(self, on=None):
        """The zone in force on date `on` (today, local time, by default) (R-REF-2)."""
        on = on or timezone.localdate()
        change = self.zone_changes.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()
        return change.zone if change else None


class Zone(models.TextChoices):
    RED = "red", _("red zone")
    YELLOW = "yellow", _("yellow zone")
    GREEN = "green", _("green zone")


class ZoneChange(models.Model):
    """R-REF-2: a region is in one zone at a time; every change is kept."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="zone_changes", verbose_name=_("region"))
    zone = models.CharField(_("zone"), max_length=10, choices=Zone.choices)
    effective_from = models.DateField(_("effective from"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("set by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["region", "-effective_from", "-id"]
        verbose_name = _("zone change")
        verbose_name_plural = _("zone changes")
        indexes = [models.Index(fields=["region", "-effective_from"], name="zonechange_region_date")]

    def __str__(self) -> str:
        return f"{self.region}: {self.get_zone_display()} ({self.effective_from})"


class Tier(models.TextChoices):
    # R-REF-3: the leader thresholds of tier B are half those of tier A (R-LD-1).
    A = "A", _("tier A")
    B = "B", _("tier B")


class Category(TranslatedName):
    """An activity category (R-REF-3). A category with no tier earns no leader status;
    volunteers get no participant benefits at all (R-LD-4)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    tier = models.CharField(_("leader tier"), max_length=1, choices=Tier.choices, blank=True)
    is_volunteer = models.BooleanField(_("volunteer category"), default=False)

    class Meta:
        ordering = ["name_ru"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_volunteer=True) | models.Q(tier=""),
                name="category_volunteers_have_no_tier",
            )
        ]


class Admission(models.Model):
    """R-REF-4: a category joins the project from a date, everywhere or in one region.

    `green_zone_only` is for banquet halls, admitted from 5 May 2021 only while the
    venue's region is in the green zone.
    """

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="admissions", verbose_name=_("category")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="admissions",
        verbose_name=_("region"),
        help_text=_("Empty: every region."),
    )
    admitted_from = models.DateField(_("admitted from"))
    green_zone_only = models.BooleanField(_("only while the region is in the green zone"), default=False)
    decree = models.CharField(_("decree"), max_length=200, blank=True)

    class Meta:
        ordering = ["admitted_from", "category"]
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        indexes = [models.Index(fields=["category", "admitted_from"], name="admission_category_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "region", "admitted_from"],
                condition=models.Q(region__isnull=False),
                name="admission_unique_in_region",
            ),
            models.UniqueConstraint(
                fields=["category", "admitted_from"],
                condition=models.Q(region__isnull=True),
                name="admission_unique_everywhere",
            ),
        ]

    def __str__(self) -> str:
        where = self.region or _("all regions")
        return f"{self.category}: {where}, {self.admitted_from}"


class OkedCode(TranslatedName):
    """R-REF-5: an OKED activity code and the categories it matches."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    categories = models.ManyToManyField(Category, related_name="oked_codes", blank=True, verbose_name=_("categories"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("OKED code")
        verbose_name_plural = _("OKED codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OperatingRule(models.Model):
    """R-OP-1: whether a venue of a category may open in a zone, its working hours and
    its maximum occupancy, separately for participants of Ashyq and for others.

    Hours: `closes_at` at or before `opens_at` means past midnight — 08:00–02:00 closes
    at 2 a.m. the next day, 08:00–00:00 closes at midnight, and 00:00–00:00 is round
    the clock (the convention of monitoring.risk). A closed row has no hours.
    """

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="operating_rules", verbose_name=_("category")
    )
    zone = models.CharField(_("zone"), max_length=10, choices=Zone.choices)
    for_participants = models.BooleanField(_("for participants of Ashyq"))
    may_open = models.BooleanField(_("may open"))
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("At or before the opening time: past midnight (00:00 is midnight; 00:00–00:00 is 24 hours)."),
    )
    occupancy_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("maximum occupancy, % of capacity"),
        validators=[MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["category__name_ru", "zone", "-for_participants"]
        verbose_name = _("operating rule")
        verbose_name_plural = _("operating rules")
        constraints = [
            # The look-up key of conditions_for (R-OP-2); the unique index serves it.
            models.UniqueConstraint(fields=["category", "zone", "for_participants"], name="operating_rule_unique"),
            models.CheckConstraint(condition=models.Q(occupancy_percent__lte=100), name="operating_rule_percent"),
            models.CheckConstraint(
                condition=models.Q(may_open=False) | models.Q(opens_at__isnull=False, closes_at__isnull=False),
                name="operating_rule_open_has_hours",
            ),
        ]

    def __str__(self) -> str:
        who = _("participants") if self.for_participants else _("others")
        return f"{self.category}: {self.get_zone_display()}, {who}"
