"""Inactivity flags (R-MN-2): a venue with four counted full local days without a
check-in is flagged when the fourth ends, and a flag is a sanction trigger (R-MN-3).
A day is not counted when, at any time of it, an outage was recorded, the venue was
excluded or awaiting its return, or its conditions did not allow it to open
(monitoring.selectors.excused_days). An outage recorded later over a counted day
withdraws the flag and lifts its sanction (`flags_withdraw_for_outage`)."""

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from ashyq.core.services import audit_record
from monitoring.models import InactivityFlag, Outage, Sanction, SanctionState
from monitoring.rules import INACTIVITY_LOOKBACK, SILENT_DAYS_ALLOWED, silent_stretch
from monitoring.selectors import excused_days, outage_local_days
from monitoring.services.sanctions import sanction_for_trigger, sanction_withdraw
from venues.models import Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import venue_ids_in_during
from visitors.models import VenueDay
from visitors.services.counts import counts_rollup

logger = logging.getLogger(__name__)
local_midnight = standing_rules.local_midnight


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def inactivity_flag_all(*, now: datetime) -> int:
    """Flag every silent venue (R-MN-2) and trigger a sanction for each new flag
    (R-MN-3). Safe to run twice, at any time of the day: only check-ins before today
    count, and a stretch is flagged once (unique venue and first counted day). Returns
    the number of new flags.

    The venues looked at are those whose codes worked at some time of the last four
    days and that had no check-in in them; for them, one read of their last day with a
    check-in, their last flag, and the excused days since. The check-ins are read from
    the daily counts (visitors.models.VenueDay, kept after the rows are gone), counted
    first up to now: nothing is flagged while the days before today are not all
    counted."""
    today = timezone.localdate(now)
    window_day = today - timedelta(days=SILENT_DAYS_ALLOWED + 1)
    window = local_midnight(window_day)
    midnight = local_midnight(today)
    if counts_rollup(now=now) < midnight:
        logger.warning("Inactivity flags put off: the check-ins before today are not all counted yet.")
        return 0
    active = VenueDay.objects.filter(venue_id=OuterRef("pk")).filter(Q(checkins__gt=0) | Q(refused__gt=0))
    recent = active.filter(day__gte=window_day, day__lt=today)
    last_visit = active.filter(day__lt=window_day).order_by("-day")
    last_flag = InactivityFlag.objects.filter(venue_id=OuterRef("pk"), withdrawn_at__isnull=True).order_by("-last_day")
    venues = list(
        Venue.objects.filter(pk__in=venue_ids_in_during(standing_rules.WORKING, window, midnight))
        .exclude(Exists(recent))
        .annotate(
            last_day=Subquery(last_visit.values("day")[:1]),
            last_flagged=Subquery(last_flag.values("last_day")[:1]),
        )
        .only("pk", "region_id", "category_id")
    )
    if not venues:
        return 0
    floor = today - INACTIVITY_LOOKBACK
    starts = {venue.pk: _stretch_start(venue, floor) for venue in venues}
    excused = excused_days(venues, _days(min(starts.values()), today - timedelta(days=1)), now=now)
    stretches = {}
    for venue in venues:
        stretch = silent_stretch(start=starts[venue.pk], today=today, excused=excused[venue.pk])
        if stretch is not None:
            stretches[venue.pk] = stretch
    return _flags_create(stretches=stretches, now=now)


def _stretch_start(venue, floor: date) -> date:
    """The first day a stretch of `venue` may count: after its last check-in's day and
    its last flag's last day, no earlier than `floor`."""
    start = floor
    if venue.last_day is not None:
        start = max(start, venue.last_day + timedelta(days=1))
    if venue.last_flagged is not None:
        start = max(start, venue.last_flagged + timedelta(days=1))
    return start


@transaction.atomic
def _flags_create(*, stretches: dict[int, tuple[date, date]], now: datetime) -> int:
    existing = set(
        InactivityFlag.objects.filter(venue_id__in=stretches, withdrawn_at__isnull=True).values_list(
            "venue_id", "first_day"
        )
    )
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
            venue_id__in={pk for pk, _first in wanted}, flagged_at=now, sanction__isnull=True, withdrawn_at__isnull=True
        ).order_by("venue_id")
        if (flag.venue_id, flag.first_day) in wanted
    ]
    for flag in new_flags:
        sanction_for_trigger(inactivity_flag=flag, now=now)
    return len(new_flags)


@transaction.atomic
def flags_withdraw_for_outage(*, outage: Outage, now: datetime) -> int:
    """R-MN-2 Decided: an outage recorded later (or changed later: a new end, an
    earlier start) that covers a day a flag counted withdraws the flag, and the
    sanction that followed from it is lifted at once; an ongoing outage covers the
    days up to today. The next night's flags count that stretch again without the
    day. Returns how many flags were withdrawn."""
    first, last = outage_local_days(outage, now=now)  # an ongoing one: up to today
    flags = list(
        InactivityFlag.objects.filter(withdrawn_at__isnull=True, first_day__lte=last, last_day__gte=first)
        .select_related("venue__region")
        .order_by("venue_id", "first_day")
    )
    if not flags:
        return 0
    venues = {flag.venue_id: flag.venue for flag in flags}
    days = _days(min(flag.first_day for flag in flags), max(flag.last_day for flag in flags))
    excused = excused_days(list(venues.values()), days, now=now)
    withdrawn = 0
    for flag in flags:
        counted = [day for day in _days(flag.first_day, flag.last_day) if day not in excused[flag.venue_id]]
        if len(counted) > SILENT_DAYS_ALLOWED:
            continue  # the outage covered none of its counted days
        InactivityFlag.objects.filter(pk=flag.pk).update(withdrawn_at=now)
        audit_record(
            actor=None,
            action="monitoring.inactivity_withdrawn",
            obj=flag.venue,
            region=flag.venue.region,
            venue=flag.venue_id,
            flag=flag.pk,
            outage=outage.pk,
        )
        sanction = Sanction.objects.filter(inactivity_flag=flag, state=SanctionState.ACTIVE).first()
        if sanction is not None:
            sanction_withdraw(sanction=sanction, reason=f"outage:{outage.pk}", now=now)
        withdrawn += 1
    return withdrawn
