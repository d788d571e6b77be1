"""Pure rules of monitoring (DOMAIN.md §10)."""

import calendar
from datetime import date, datetime, timedelta

from django.utils import timezone

FIRST_EXCLUSION = timedelta(days=14)  # R-MN-3: the first exclusion lasts 2 weeks
LATER_EXCLUSION_MONTHS = 2  # R-MN-3: each later one 2 calendar months
MAX_PHOTOS = 5  # R-MN-1

WARNING = "warning"
EXCLUSION = "exclusion"


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
