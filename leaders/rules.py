"""The rules of Leader Ashyq (docs/rules.md §8) as pure functions: periods, thresholds,
suspicious counts. No database; time comes in as an argument."""

import functools
import re
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

PERIOD_DAYS = 14
# R-LD-2 Decided: periods are consecutive 14-day windows anchored on Monday
# 26 Apr 2021, the day the pilot ended and every admitted category joined in all
# regions (R-REF-4). Every period starts on PERIOD_ANCHOR + 14·k days (k may be < 0).
PERIOD_ANCHOR = date(2021, 4, 26)
LOCAL_TZ = ZoneInfo("Asia/Almaty")
# The first period that can hold a check-in: the one holding 26 Feb 2021, when the
# first category (fitness clubs) was admitted (R-REF-4). Earlier dates are refused.
FIRST_PERIOD_START = date(2021, 2, 15)

# R-LD-1: (tier, region kind) → the count a candidate must exceed.
THRESHOLDS = {
    ("A", "city"): 2000,
    ("A", "oblast"): 1000,
    ("B", "city"): 1000,
    ("B", "oblast"): 500,
}
# No venue at or under this many check-ins can be a candidate, whatever its tier.
LOWEST_THRESHOLD = min(THRESHOLDS.values())

# Suspicious counts (R-LD-1's flags). A venue cannot plausibly turn its full
# capacity over more than 3 times a day, every day of the period.
TURNOVERS_PER_DAY = 3
# A single day more than 5 × the venue's median day of the period is a burst.
BURST_FACTOR = 5
# Decided: check-ins outside the allowed working hours (R-OP-1, R-OP-2, with a leader's
# own extra hours, R-LD-5) are flagged when they are more than 10 % of the venue's
# check-ins in the period AND at least 100 of them (about 7 a night over the 14 days):
# a few late guests, or a guard's phone clock a few minutes off, should not flag a
# venue; a venue counting visitors while it must be closed should. Exactly 10 % is not
# more than 10 %; 99 is not 100.
OUT_OF_HOURS_PERCENT = 10
OUT_OF_HOURS_MIN = 100
DAY_MINUTES = 24 * 60


def is_period_start(day: date) -> bool:
    """R-LD-2: whether `day` is the first day of a period."""
    return (day - PERIOD_ANCHOR).days % PERIOD_DAYS == 0


def period_containing(day: date) -> tuple[date, date]:
    """R-LD-2: the period (first day, first day of the next) that holds local `day`."""
    start = day - timedelta(days=(day - PERIOD_ANCHOR).days % PERIOD_DAYS)
    return start, start + timedelta(days=PERIOD_DAYS)


def last_closed_period(now: datetime) -> tuple[date, date]:
    """The latest period whose end (Monday 00:00 local) is not after `now`."""
    start, _end = period_containing(now.astimezone(LOCAL_TZ).date())
    return start - timedelta(days=PERIOD_DAYS), start


def period_bounds_utc(start: date) -> tuple[datetime, datetime]:
    """R-LD-2: the period starting on `start` as aware moments [from, to): local
    Monday 00:00 in Asia/Almaty to the Monday 00:00 fourteen days later."""
    end = start + timedelta(days=PERIOD_DAYS)
    return (
        datetime.combine(start, time.min, tzinfo=LOCAL_TZ),
        datetime.combine(end, time.min, tzinfo=LOCAL_TZ),
    )


def threshold(*, tier: str, region_kind: str) -> int | None:
    """R-LD-1: the count to exceed for a venue of category `tier` in a region of
    `region_kind`; None for a category with no tier (volunteers, airports: R-LD-4)."""
    return THRESHOLDS.get((tier, region_kind))


def is_candidate(*, checkins: int, threshold: int | None) -> bool:
    """R-LD-1: "more than" the threshold — exactly 2,000 is not more than 2,000."""
    return threshold is not None and checkins > threshold


def hour_outside(hour: int, today: tuple[time, time] | None, yesterday: tuple[time, time] | None) -> bool:
    """Whether the local hour [hour:00, hour+1:00) of a day lies wholly outside the
    venue's working time: that day's opening, and the part after midnight of the
    previous day's opening (08:00–02:00 on Friday covers Saturday 00:00–02:00 even if
    the venue may not open on Saturday). An hour partly open counts as open (the counts
    are per hour). `today`/`yesterday` are (opens, closes) or None (may not open);
    closes ≤ opens is past midnight, equal is round the clock."""
    start, end = hour * 60, hour * 60 + 60
    spans = []
    if today is not None:
        opens, closes = _minutes(today[0]), _minutes(today[1])
        spans.append((opens, closes if closes > opens else DAY_MINUTES))
    if yesterday is not None:
        opens, closes = _minutes(yesterday[0]), _minutes(yesterday[1])
        if closes <= opens:
            spans.append((0, closes))
    return not any(start < span_end and span_start < end for span_start, span_end in spans)


@functools.cache
def closed_hours(today: tuple[time, time] | None, yesterday: tuple[time, time] | None) -> frozenset[int]:
    """The local hours of a day wholly outside the working time (hour_outside), decided
    once per pair of (today's, yesterday's) hours: a few dozen pairs serve every venue
    and day (the flags, B4, and the risk list)."""
    return frozenset(hour for hour in range(24) if hour_outside(hour, today, yesterday))


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def out_of_hours_flag(*, outside: int, total: int) -> dict | None:
    """The out-of-hours flag when `outside` of `total` check-ins are more than
    OUT_OF_HOURS_PERCENT % and at least OUT_OF_HOURS_MIN (Decided), else None. The
    comparison is exact; "percent" is the share rounded half up, for the page."""
    if total <= 0 or outside < OUT_OF_HOURS_MIN or outside * 100 <= OUT_OF_HOURS_PERCENT * total:
        return None
    return {
        "kind": "out_of_hours",
        "checkins": outside,
        "total": total,
        "percent": (outside * 200 + total) // (2 * total),
    }


def suspicious_flags(
    *,
    checkins: int,
    capacity: int,
    daily: dict[date, int],
    outside: int = 0,
    by_guard: int = 0,
    lookups: int = 0,
) -> list[dict]:
    """Flags an akimat should look at before approving, each with its figures.

    `daily` maps every local day of the period to its check-ins, zero days included.
    Capacity: more check-ins than capacity × days × 3 turnovers could hold.
    Burst: a day above 5 × the median day; a median of 0 (a venue idle most of the
    period) counts as 1, so one busy day in an idle fortnight is flagged.
    Out of hours: `outside` of the `checkins` fell outside the allowed hours
    (out_of_hours_flag).
    Mostly typed by the guard: more than half of the check-ins (`by_guard`) were typed
    on the guard page, not scanned by visitors: a look-up of an invented valid IIN
    counts as a check-in, so typed counts are the ones to doubt.
    Guard look-ups over capacity: the venue's guard look-ups of the period (`lookups`,
    whatever their answer) are more than capacity × days × 3 turnovers.
    """
    days = len(daily)
    flags = []
    limit = capacity * days * TURNOVERS_PER_DAY
    if checkins > limit:
        flags.append(
            {
                "kind": "over_capacity",
                "checkins": checkins,
                "capacity": capacity,
                "days": days,
                "turnovers_per_day": TURNOVERS_PER_DAY,
                "limit": limit,
            }
        )
    if daily:
        usual = median(daily.values())
        peak_day = max(daily, key=lambda day: (daily[day], day))
        peak = daily[peak_day]
        if peak > BURST_FACTOR * max(usual, 1):
            flags.append(
                {
                    "kind": "burst",
                    "day": peak_day.isoformat(),
                    "checkins": peak,
                    "median_day": usual,
                    "factor": BURST_FACTOR,
                }
            )
    late = out_of_hours_flag(outside=outside, total=checkins)
    if late:
        flags.append(late)
    if checkins and by_guard * 2 > checkins:
        flags.append(
            {"kind": "mostly_guard", "by_guard": by_guard, "checkins": checkins, "percent": by_guard * 100 // checkins}
        )
    if lookups > limit:
        flags.append(
            {"kind": "guard_over_capacity", "lookups": lookups, "capacity": capacity, "days": days, "limit": limit}
        )
    return flags


# R-LD-3: "the status then lasts 2 weeks from the decision" — from the decision's date
# (a leader that day) to the day 14 days later (no longer one): starts_on ≤ day < ends_on.
LEADER_DAYS = 14


def leader_dates(decision_date: date) -> tuple[date, date]:
    """R-LD-3: the first day of the status and the first day without it."""
    return decision_date, decision_date + timedelta(days=LEADER_DAYS)


# What people type before a decision's number: the pages print "№" themselves.
_NUMBER_SIGNS = re.compile(r"^(?:№|#|(?:No|Nr|N)(?:\.|(?=[\s\d])))\s*", re.IGNORECASE)


def decision_number(typed: str) -> str:
    """R-LD-3: the number of the commission's decision as stored, without the sign
    typed before it ("№ 47", "№47", "No. 47", "#47" → "47"), so that the pages, which
    print "№" themselves, never read "№ № 47". Blank when nothing else is left."""
    number = (typed or "").strip()
    while True:
        bare = _NUMBER_SIGNS.sub("", number, count=1).strip()
        if bare == number:
            return number
        number = bare
