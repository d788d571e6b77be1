"""The rules of the visit (docs/rules.md §7, §11) as constants and pure functions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# R-CI-5 Decided: entries of the same person at the same venue within 30 minutes of the
# counted entry are one check-in; at exactly 30 minutes a new one is counted.
VISIT_WINDOW = timedelta(minutes=30)
# R-CI-4 Decided: a visit with no exit is closed automatically after 4 hours.
AUTO_CLOSE_AFTER = timedelta(hours=4)
# R-PR-2 Decided: identifiers in check-ins and look-ups are erased after 28 days.
IDENTIFIER_RETENTION = timedelta(days=28)

# Rate limits of guard look-ups (abuse: the guard page must not be a machine for
# looking up strangers). Counted per venue and per company, never per guard phone: a
# new phone starts from the venue's counts, and a company's venues share its own. A
# door sees a few people a minute; its day is bounded by what its capacity can hold.
RATE_MINUTE = timedelta(minutes=1)
RATE_DAY = timedelta(days=1)
# Enumeration: a venue (or a company) that hits its minute limit in two different
# minutes of an hour…
ENUMERATION_WINDOW = timedelta(hours=1)
ENUMERATION_HITS = 2
# …or where, within that hour, this many different people born on one day were looked
# up, whoever typed them: someone counting through the serial numbers of a birth date
# (the first 6 digits of an IIN). At a real door, five visitors sharing a birthday
# within an hour is rare.
ENUMERATION_SAME_BIRTH_DATE = 5


def venue_lookups_per_minute() -> int:
    return int(getattr(settings, "VENUE_LOOKUPS_PER_MINUTE", 30))


def venue_lookups_per_day(capacity: int) -> int:
    """A venue's guard look-ups in a day: VENUE_LOOKUPS_PER_SEAT for each person of its
    capacity, and never fewer than VENUE_LOOKUPS_DAY_MIN (a small venue with a busy day)."""
    per_seat = int(getattr(settings, "VENUE_LOOKUPS_PER_SEAT", 10))
    return max(int(getattr(settings, "VENUE_LOOKUPS_DAY_MIN", 100)), capacity * per_seat)


def company_lookups_per_minute() -> int:
    return int(getattr(settings, "COMPANY_LOOKUPS_PER_MINUTE", 60))


def company_lookups_per_day() -> int:
    return int(getattr(settings, "COMPANY_LOOKUPS_PER_DAY", 10000))


def retry_after_seconds(*, oldest: datetime, window: timedelta, now: datetime) -> int:
    """Whole seconds until the oldest look-up in a full window leaves it (at least 1)."""
    seconds = (oldest + window - now).total_seconds()
    return max(1, int(-(-seconds // 1)))


def allowed_occupancy(capacity: int, percent: int) -> int:
    """R-CI-6: capacity × percent / 100, rounded down (a person is not divisible)."""
    return max(0, capacity * percent // 100)


def is_full(*, inside: int, allowed: int) -> bool:
    """R-CI-6 Decided: at or over the allowed occupancy nobody more may enter (40 of
    40 is full); an admissible visitor waits until someone leaves."""
    return inside >= allowed


def occupancy_percent(inside: int, capacity: int) -> int:
    """The share of the capacity in use, in whole percent (rounded down)."""
    return inside * 100 // capacity if capacity > 0 else 0


# R-CI-3: what the guard does with a red or yellow visitor, in plain words.
DOOR_INSTRUCTIONS = {
    "red": _(
        "Do not admit this visitor: he has a positive PCR test. Lead him to the waiting zone, away from "
        "other people, or ask him to leave. A report has been sent to the sanitary service."
    ),
    "yellow": _(
        "Do not admit this visitor: he is registered as a close contact. Lead him to the waiting zone, "
        "away from other people, or ask him to leave. A report has been sent to the sanitary service."
    ),
}


# R-CI-6 Decided: at or over the allowed occupancy, an admissible visitor waits.
FULL_INSTRUCTION = _(
    "The venue is full: do not let the visitor in yet. Ask him to wait until someone leaves, record that exit "
    "below, then check this visitor again."
)


def door_instruction(colour: str, *, full: bool = False) -> StrOrPromise:
    """The guard's instruction for a colour; for green and blue, empty (admit) unless
    the venue is full (R-CI-6), when the visitor waits. Lazy: translated when shown."""
    instruction = DOOR_INSTRUCTIONS.get(str(colour), "")
    if not instruction and full:
        return FULL_INSTRUCTION
    return instruction


def is_reported(colour: str) -> bool:
    """R-CI-3: red and yellow at the door are turned away and reported."""
    return str(colour) in DOOR_INSTRUCTIONS


# R-ID-4: a passport number is letters and digits; spaces and dashes are dropped.
_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")
_COUNTRY = re.compile(r"[A-Z]{2}")


def normalise_passport(value: str) -> str | None:
    """The passport number in capitals without spaces or dashes, or None if it is not
    5–20 letters and digits."""
    squeezed = re.sub(r"[\s-]", "", value or "").upper()
    return squeezed if _PASSPORT.fullmatch(squeezed) else None


def normalise_country(value: str) -> str | None:
    """An ISO 3166 alpha-2 code in capitals, or None (shape only: two Latin letters)."""
    code = (value or "").strip().upper()
    return code if _COUNTRY.fullmatch(code) else None
