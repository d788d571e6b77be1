"""Inactivity flags (R-MN-2): a venue with no check-in for more than 3 full local days,
outage days (R-MN-6) not counted, is flagged; a flag is a sanction trigger (R-MN-3)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from monitoring.models import InactivityFlag
from monitoring.rules import SILENT_DAYS_ALLOWED, silent_stretch
from monitoring.selectors import excluded_venue_ids, outage_days
from monitoring.services.sanctions import sanction_for_trigger
from venues.models import Venue


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
