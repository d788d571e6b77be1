"""Pure rules of monitoring (docs/rules.md §10)."""

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

FIRST_EXCLUSION = timedelta(days=14)  # R-MN-3: the first exclusion lasts 2 weeks
LATER_EXCLUSION_MONTHS = 2  # R-MN-3: each later one 2 calendar months
MAX_PHOTOS = 5  # R-MN-1

WARNING = "warning"
EXCLUSION = "exclusion"
NONE = "none"  # no new sanction: the trigger happened before the current one began


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, the day clamped to the month's last day
    (31 Dec + 2 → 28/29 Feb; 31 Mar + 2 → 31 May)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def sanction_for(*, in_test_mode: bool, prior_exclusions: int, at: datetime) -> tuple[str, datetime | None]:
    """R-MN-3: the kind of sanction and its end for a trigger decided at `at`.

    In test mode a warning (no end); otherwise the first exclusion ends 14 days after
    `at`, each later one 2 calendar months after it (local date, same local time).
    `prior_exclusions` counts earlier exclusions not cancelled on appeal."""
    if in_test_mode:
        return WARNING, None
    if prior_exclusions == 0:
        return EXCLUSION, at + FIRST_EXCLUSION
    local = timezone.localtime(at)
    day = add_months(local.date(), LATER_EXCLUSION_MONTHS)
    ends = timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)), local.tzinfo)
    return EXCLUSION, ends


@dataclass(frozen=True)
class Outcome:
    """What a trigger brings (R-MN-3): `kind` is WARNING, EXCLUSION or NONE; an
    exclusion's end; `later` is true for a 2-month exclusion (an earlier one counts)."""

    kind: str
    ends_at: datetime | None = None
    later: bool = False


def sanction_outcome(
    *, happened: datetime, current_started_at: datetime | None, in_test_mode: bool, prior_exclusions: int, at: datetime
) -> Outcome:
    """R-MN-3 Decided, pure: the sanction of a trigger that happened at `happened`,
    decided at `at`, on the venue's facts — when the sanction in force that began last
    began (`current_started_at`, None without one), whether the venue was in test mode
    when it happened, and its earlier exclusions not cancelled or withdrawn.

    None when it happened before the current sanction began; otherwise
    `sanction_for`. The confirmation (monitoring.services) and its preview to the
    confirming inspector (monitoring.selectors.sanction_previews) both decide here."""
    if current_started_at is not None and happened < current_started_at:
        return Outcome(NONE)
    kind, ends_at = sanction_for(in_test_mode=in_test_mode, prior_exclusions=prior_exclusions, at=at)
    return Outcome(kind, ends_at, later=kind == EXCLUSION and prior_exclusions > 0)


# R-MN-2: "more than 3 days" — the 4th counted full day without a check-in flags.
SILENT_DAYS_ALLOWED = 3
# How far back the nightly flags look for a stretch: the flags of every earlier night
# looked at the days before (a stretch older than this was flagged then, or excused).
INACTIVITY_LOOKBACK = timedelta(days=60)


def silent_stretch(*, start: date, today: date, excused: Collection[date]) -> tuple[date, date] | None:
    """R-MN-2, pure: the stretch of silence to flag, as (its first counted day, its
    fourth counted day), or None.

    The days looked at run from `start` (the day after the venue's last check-in, or
    after its previous flag's last day) to the day before `today`; a day in `excused`
    is not counted and does not break the stretch (an outage, an exclusion, conditions
    that did not allow opening, a day the codes did not work all day). The flag is
    raised when the fourth counted day ends."""
    counted: list[date] = []
    day = start
    while day < today and len(counted) <= SILENT_DAYS_ALLOWED:
        if day not in excused:
            counted.append(day)
        day += timedelta(days=1)
    if len(counted) <= SILENT_DAYS_ALLOWED:
        return None
    return counted[0], counted[SILENT_DAYS_ALLOWED]
