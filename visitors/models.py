"""Check-ins at the door, look-ups by others, reports and anonymous counts (docs/rules.md §7, §11).

A person appears here only as the blind index of his IIN (or passport and country),
`statuses.persons.person_key` (R-ID-5), and only for 28 days: the erasure task sets
it to NULL afterwards (R-PR-2). What must survive — the counts of R-CI-9 — is kept in
`DailyStats`, which holds no person at all.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERSON_KEY_LENGTH = 64


class Colour(models.TextChoices):
    """The colour shown at the door (R-ST-1); the values of statuses.rules.Colour."""

    RED = "red", _("red")
    YELLOW = "yellow", _("yellow")
    GREEN = "green", _("green")
    BLUE = "blue", _("blue")


class EntryMethod(models.TextChoices):
    SCAN = "scan", _("visitor's scan")  # R-CI-1
    GUARD = "guard", _("guard's entry")  # R-CI-2


class ExitMethod(models.TextChoices):
    SCAN = "scan", _("exit scan")  # R-CI-4
    AUTO = "auto", _("closed automatically")  # R-CI-4 Decided: after 4 hours
    GUARD = "guard", _("recorded by the guard")  # R-CI-6 Decided: by IIN or anonymous
    # R-CI-3: a red or yellow visitor is not admitted; his check-in is closed at once,
    # so he is counted at the door but never inside (R-CI-6).
    REFUSED = "refused", _("not admitted")


class Visit(models.Model):
    """One check-in (R-CI-1, R-CI-2): venue, entrance, time and the hashed person only
    (R-PR-1). Repeated entries within 30 minutes are one visit (R-CI-5, VisitWindow)."""

    # No index of its own: visit_venue_entered (venue, entered_at) serves every look-up
    # by venue (one index fewer to write on every check-in).
    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.PROTECT, related_name="visits", verbose_name=_("venue"), db_index=False
    )
    entrance = models.ForeignKey(
        "venues.Entrance",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("entrance"),
    )
    # R-PR-2: the blind index, erased (NULL) after 28 days.
    person = models.CharField(_("person (blind index)"), max_length=PERSON_KEY_LENGTH, null=True, blank=True)  # noqa: DJ001
    # The citizen who scanned (R-CI-1); erased with the person.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("citizen"),
    )
    method = models.CharField(_("method"), max_length=5, choices=EntryMethod.choices)
    colour = models.CharField(_("colour at the door"), max_length=6, choices=Colour.choices)
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    exited_at = models.DateTimeField(_("exited at"), null=True, blank=True)
    # NULL with exited_at NULL (a constraint): "open" is not an exit method.
    exit_method = models.CharField(_("exit"), max_length=7, choices=ExitMethod.choices, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["-entered_at", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            # R-CI-6 occupancy: the open visits of one venue.
            models.Index(
                fields=["venue", "entered_at"], condition=Q(exited_at__isnull=True), name="visit_open_by_venue"
            ),
            # Counts per venue and period (leaders, monitoring). With exit_method
            # (R-LD-1 leaves refusals out), the leaders' hourly counts of the
            # candidates read the index only, not the table (PostgreSQL; the benchmark B4).
            models.Index(fields=["venue", "entered_at"], include=["exit_method"], name="visit_venue_entered_exit"),
            # R-PR-4: the citizen's own check-ins; the exit scan finds his open visit.
            models.Index(fields=["person", "entered_at"], name="visit_person_entered"),
            # R-CI-4 auto-close: open visits entered before a moment, all venues.
            models.Index(fields=["entered_at"], condition=Q(exited_at__isnull=True), name="visit_open_entered"),
            # R-CI-9 daily roll-up and R-PR-2 erasure: by time, all venues.
            models.Index(fields=["entered_at"], name="visit_entered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(exited_at__isnull=True) | Q(exited_at__gte=F("entered_at")),
                name="visit_exit_after_entry",
            ),
            models.CheckConstraint(
                condition=Q(exited_at__isnull=True, exit_method__isnull=True)
                | Q(exited_at__isnull=False, exit_method__isnull=False),
                name="visit_exit_method_with_exit",
            ),
            models.CheckConstraint(condition=Q(method__in=EntryMethod.values), name="visit_method_valid"),
            models.CheckConstraint(condition=Q(colour__in=Colour.values), name="visit_colour_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.entered_at:%Y-%m-%d %H:%M} {self.colour}"


class VisitWindow(models.Model):
    """R-CI-5: the moment until which further entries of `person` at `venue` are the
    same check-in (30 minutes from the counted entry). One row per venue and person,
    unique in the database, so two simultaneous scans make one visit."""

    # No index of its own: the unique (venue, person) serves every look-up by venue.
    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.CASCADE, related_name="+", verbose_name=_("venue"), db_index=False
    )
    person = models.CharField(_("person (blind index)"), max_length=PERSON_KEY_LENGTH)
    until = models.DateTimeField(_("until"))

    class Meta:
        verbose_name = _("visit window")
        verbose_name_plural = _("visit windows")
        constraints = [models.UniqueConstraint(fields=["venue", "person"], name="visit_window_unique")]
        indexes = [models.Index(fields=["until"], name="visit_window_until")]  # the purge

    def __str__(self) -> str:
        return f"{self.venue_id} until {self.until:%Y-%m-%d %H:%M}"


class StatusLookup(models.Model):
    """R-PR-3: a look-up of a person's status by someone else (a guard, an operator):
    who, when, which venue, the colour. R-PR-4: the person sees it for 28 days."""

    # No index of their own: (actor, at) and (venue, at) below serve every look-up by
    # either (one index fewer each to write on every guard look-up).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("looked up by"),
        db_index=False,
    )
    venue = models.ForeignKey(
        "venues.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_lookups",
        verbose_name=_("venue"),
        db_index=False,
    )
    # The venue's company, copied at the look-up: the limits and the enumeration alarm
    # count per company too (visitors.services.guard), by its own index.
    company = models.ForeignKey(
        "venues.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
        db_index=False,
    )
    # R-PR-2: erased (NULL) after 28 days; the rest of the row stays as evidence.
    person = models.CharField(_("person (blind index)"), max_length=PERSON_KEY_LENGTH, null=True, blank=True)  # noqa: DJ001
    # The keyed hash of the IIN's birth date (its first 6 digits), to see a
    # guard counting through one birth date; erased with `person` (R-PR-2).
    birth_key = models.CharField(_("birth date (blind index)"), max_length=16, null=True, blank=True)  # noqa: DJ001
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("status look-up")
        verbose_name_plural = _("status look-ups")
        indexes = [
            models.Index(fields=["person", "at"], name="lookup_person_at"),  # R-PR-4
            models.Index(fields=["actor", "at"], name="lookup_actor_at"),  # who looked up
            models.Index(fields=["venue", "at"], name="lookup_venue_at"),  # rate limits per venue
            models.Index(fields=["company", "at"], name="lookup_company_at"),  # rate limits per company
            # Enumeration, per venue and per company, whichever guard typed.
            models.Index(fields=["venue", "birth_key", "at"], name="lookup_venue_birth_at"),
            models.Index(fields=["company", "birth_key", "at"], name="lookup_company_birth_at"),
            models.Index(fields=["at"], name="lookup_at"),  # R-PR-2 erasure
        ]
        constraints = [models.CheckConstraint(condition=Q(colour__in=Colour.values), name="lookup_colour_valid")]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.at:%Y-%m-%d %H:%M} {self.colour}"


class DoorReport(models.Model):
    """R-CI-3: a red or yellow visitor at the door, for the region's sanitary officers:
    venue, time, colour — no name, no identifier."""

    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.PROTECT, related_name="door_reports", verbose_name=_("venue")
    )
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    # Set by the mail task once the officers are written to, so a second run sends nothing.
    mailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("report of a visitor at the door")
        verbose_name_plural = _("reports of visitors at the door")
        indexes = [
            models.Index(fields=["region", "at"], name="door_report_region_at"),
            models.Index(fields=["at"], name="door_report_at"),  # national roles' range of days
        ]
        constraints = [
            models.CheckConstraint(condition=Q(colour__in=[Colour.RED, Colour.YELLOW]), name="door_report_red_yellow")
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.at:%Y-%m-%d %H:%M} {self.colour}"


class RemoteCheck(models.Model):
    """R-CI-8, R-CI-9: a citizen checked his own status away from any venue. No
    identifier. `region` is the citizen's region when known; the citizens' accounts
    carry none today, so it is NULL and the roll-up counts these under no region."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    region = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("remote check")
        verbose_name_plural = _("remote checks")
        indexes = [models.Index(fields=["at"], name="remote_check_at")]
        constraints = [models.CheckConstraint(condition=Q(colour__in=Colour.values), name="remote_check_colour_valid")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.colour}"


class DailyStats(models.Model):
    """R-CI-9: anonymous counts of one region and local day; they survive the erasure
    of identifiers (R-PR-2). Counted once each by visitors.services.counts."""

    # NULL: the remote checks tied to no region (RemoteCheck.region), one row a day.
    region = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    day = models.DateField(_("day"))
    checkins = models.PositiveIntegerField(_("check-ins"), default=0)
    red_at_door = models.PositiveIntegerField(_("red at the door"), default=0)
    yellow_at_door = models.PositiveIntegerField(_("yellow at the door"), default=0)
    remote_checks = models.PositiveIntegerField(_("remote checks"), default=0)
    red_remote = models.PositiveIntegerField(_("red found remotely"), default=0)

    class Meta:
        ordering = ["-day", "region"]
        verbose_name = _("daily statistics")
        verbose_name_plural = _("daily statistics")
        constraints = [
            # The upsert's conflict target (ON CONFLICT (region_id, day)).
            models.UniqueConstraint(fields=["region", "day"], name="daily_stats_unique"),
            # NULLs are distinct in a unique index: one "no region" row a day, separately.
            models.UniqueConstraint(
                fields=["day"], condition=Q(region__isnull=True), name="daily_stats_unique_no_region"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="daily_stats_day")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day}"


class VenueDay(models.Model):
    """A venue's anonymous counts of one local day, kept for good: what the rules need
    of the check-ins once the rows themselves are gone (R-PR-2: after 28 days) — the
    Leader Ashyq counts (R-LD-1), a venue's last day with a check-in (R-MN-2), the
    region's exports. Counted once each, by visitors.services.counts."""

    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="+", verbose_name=_("venue"))
    day = models.DateField(_("day"))
    # R-LD-1 Decided: a red or yellow visitor refused at the door is not counted.
    checkins = models.PositiveIntegerField(_("check-ins"), default=0)
    refused = models.PositiveIntegerField(_("refused at the door"), default=0)  # R-CI-3
    by_guard = models.PositiveIntegerField(_("check-ins typed by a guard"), default=0)  # R-CI-2
    # Every status look-up at its door (StatusLookup), whatever the answer: a candidate
    # whose look-ups exceed what its capacity holds is flagged (R-LD-1).
    lookups = models.PositiveIntegerField(_("look-ups by its guards"), default=0)

    class Meta:
        verbose_name = _("a venue's day")
        verbose_name_plural = _("venues' days")
        constraints = [models.UniqueConstraint(fields=["venue", "day"], name="venue_day_unique")]
        # A period's counts of every venue (R-LD-1), read from the index alone.
        indexes = [models.Index(fields=["day", "venue"], include=["checkins"], name="venue_day_day")]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.day}"


class VenueHour(models.Model):
    """A venue's counted check-ins (R-LD-1) of one hour, `hour` its first moment (a UTC
    hour is one local hour: Asia/Almaty's offsets are whole hours): the Leader Ashyq
    flags (bursts, over capacity, out of hours) of any period. Kept for good for the
    venues that may be candidates of their period; the others' go once the period's
    check-ins are gone (leaders.services.retention)."""

    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="+", verbose_name=_("venue"))
    hour = models.DateTimeField(_("hour"))
    checkins = models.PositiveIntegerField(_("check-ins"), default=0)

    class Meta:
        verbose_name = _("a venue's hour")
        verbose_name_plural = _("venues' hours")
        constraints = [models.UniqueConstraint(fields=["venue", "hour"], name="venue_hour_unique")]
        # The hours of a day, every venue's: the prune of the hours no computation reads
        # (leaders.services.retention) and the rollup's recount.
        indexes = [models.Index(fields=["hour"], name="venue_hour_hour")]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.hour:%Y-%m-%d %H:%M}"


class CountsMark(models.Model):
    """How far the check-ins are counted (visitors.services.counts): every check-in and
    remote check that happened before `counted_until` is in VenueDay, VenueHour and
    DailyStats, once; one row."""

    counted_until = models.DateTimeField(_("counted until"))
    # The first local day whose check-ins are still kept (visitors.services.retention);
    # the days before it live on in the counts alone.
    rows_kept_from = models.DateField(_("check-ins kept from"), null=True, blank=True)

    class Meta:
        verbose_name = _("counts mark")
        verbose_name_plural = _("counts mark")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="counts_mark_one_row")]

    def __str__(self) -> str:
        return f"{self.counted_until:%Y-%m-%d %H:%M}"
