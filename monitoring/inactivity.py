"""Inactivity flags (R-MN-2): a venue with no check-in for more than 3 full local days,
outage days (R-MN-6) not counted, is flagged; a flag is a sanction trigger (R-MN-3)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from monitoring.models import InactivityFlag
from monitoring.outages import outage_days
from monitoring.selectors import excluded_venue_ids
from monitoring.services import sanction_for_trigger
from venues.models import Venue

# R-MN-2: "more than 3 days" — the 4th counted full day without a check-in flags.
SILENT_DAYS_ALLOWED = 3


def silent_stretch(
    *, last_checkin_day: date | None, since_day: date, today: date, outage_days: set[date]
) -> tuple[date, date] | None:
    """The stretch of silence to flag, as (first day without a check-in, last full day
    counted), or None. Pure (R-MN-2).

    The days counted are the full local days strictly before `today`, after the last
    check-in day (or from `since_day`, the first full day after the venue's codes were
    first issued, when it never had one), that are not outage days. The venue is flagged
    when more than SILENT_DAYS_ALLOWED days are counted. `first_day` identifies the
    stretch, so a venue that stays silent is flagged once per stretch.
    """
    first_day = since_day if last_checkin_day is None else max(last_checkin_day + timedelta(days=1), since_day)
    last_day = today - timedelta(days=1)
    counted = 0
    day = first_day
    while day <= last_day and counted <= SILENT_DAYS_ALLOWED:
        if day not in outage_days:
            counted += 1
        day += timedelta(days=1)
    if counted <= SILENT_DAYS_ALLOWED:
        return None
    return first_day, last_day


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def inactivity_flag_all(*, now: datetime) -> int:
    """Flag every silent venue (R-MN-2) and trigger a sanction for each new flag
    (R-MN-3). Safe to run twice: a stretch is flagged once (unique venue, first_day).
    Returns the number of new flags."""
    today = timezone.localdate(now)
    # A venue can only be flagged if its last check-in, and the first issue of its codes,
    # lie before the 4th day before today (the counted days are before today).
    cutoff = _local_midnight(today - timedelta(days=SILENT_DAYS_ALLOWED + 1))
    rows = list(
        Venue.objects.filter(codes_first_issued_at__lt=cutoff)
        # R-MN-4: an excluded venue's codes are refused; its silence is not its own.
        .exclude(pk__in=excluded_venue_ids(at=now))
        .annotate(last_entry=Max("visits__entered_at"))
        .filter(Q(last_entry__isnull=True) | Q(last_entry__lt=cutoff))
        .values_list("pk", "codes_first_issued_at", "last_entry")
    )
    if not rows:
        return 0
    # The first full day after the issue: the issue day itself is not a full day.
    since = {pk: timezone.localdate(issued) + timedelta(days=1) for pk, issued, _last in rows}
    outages = outage_days(start=min(since.values()), end=today - timedelta(days=1))
    stretches = {}
    for pk, _issued, last_entry in rows:
        stretch = silent_stretch(
            last_checkin_day=timezone.localdate(last_entry) if last_entry else None,
            since_day=since[pk],
            today=today,
            outage_days=outages,
        )
        if stretch is not None:
            stretches[pk] = stretch
    return _flags_create(stretches=stretches, now=now)


@transaction.atomic
def _flags_create(*, stretches: dict[int, tuple[date, date]], now: datetime) -> int:
    existing = set(InactivityFlag.objects.filter(venue_id__in=stretches).values_list("venue_id", "first_day"))
    wanted = {(pk, first) for pk, (first, _last) in stretches.items()} - existing
    InactivityFlag.objects.bulk_create(
        [
            InactivityFlag(venue_id=pk, first_day=first, last_day=stretches[pk][1], flagged_at=now)
            for pk, first in sorted(wanted)
        ],
        ignore_conflicts=True,  # another run at the same time: the constraint decides
    )
    new_flags = [
        flag
        for flag in InactivityFlag.objects.filter(
            venue_id__in={pk for pk, _first in wanted}, flagged_at=now, sanction__isnull=True
        ).select_related("venue")
        if (flag.venue_id, flag.first_day) in wanted
    ]
    for flag in new_flags:
        sanction_for_trigger(inactivity_flag=flag, now=now)
    return len(new_flags)
