"""Reads of the visitors app: occupancy (R-CI-6), a citizen's own lists (R-PR-4) and the
sanitary officers' door reports (R-CI-3)."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, F, Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from ashyq.accounts.access import scope_to_region
from ashyq.cache import cache_get, cache_set
from ashyq.core import rows as rows_of
from ashyq.reference.models import Category, OperatingRule, ZoneChange
from leaders.models import Leader
from monitoring.models import Sanction
from monitoring.selectors import excluded_venue_ids
from venues.models import QrCode, Venue
from visitors import rules
from visitors.models import DoorReport, StatusLookup, Visit


@dataclass(frozen=True)
class Occupancy:
    """R-CI-6: people inside now against the allowed number; `percent` is of the
    allowed number (over 100 when over the limit)."""

    inside: int
    allowed: int
    percent: int
    over: bool


def allowed_percent(venue, day: date) -> int:
    """The share of the capacity a venue may fill on `day` (R-OP-1, R-OP-2): the
    operating conditions (the region's zone, participation, leader status — R-LD-5);
    0 when the venue may not open. occupancy() and the guard page follow it."""
    from leaders.conditions import conditions_for

    return conditions_for(venue, day).occupancy_percent


# Issue 9 (B1): the allowed share changes with the zone, the table of conditions, the
# venue's participation, exclusion and leader status — a few queries (leaders.conditions)
# that every guard look-up would repeat. It is kept in the cache per venue and local day
# for OCCUPANCY_RULE_SECONDS, under a version that every save or delete of those rows
# renews. A change made without a save (a bulk update: an appeal lifting an exclusion,
# leaders written in bulk), or read by another request between the save and its
# commit, shows on the guard page at most OCCUPANCY_RULE_SECONDS late.
OCCUPANCY_RULE_SECONDS = 60
_RULES_VERSION_KEY = "visitors:occupancy-rules-version"


def _renew_rules_version(**_kwargs) -> None:
    cache_set(_RULES_VERSION_KEY, uuid.uuid4().hex, None)


# By sender: a delete receiver on every model would stop Django's fast deletes (it
# would load each row to send the signal). Leader rows are never deleted one by one.
for _model in (Venue, Category, ZoneChange, OperatingRule, Sanction):
    post_save.connect(_renew_rules_version, sender=_model, dispatch_uid=f"visitors.rules_saved.{_model.__name__}")
    post_delete.connect(_renew_rules_version, sender=_model, dispatch_uid=f"visitors.rules_deleted.{_model.__name__}")
post_save.connect(_renew_rules_version, sender=Leader, dispatch_uid="visitors.rules_saved.Leader")


def _allowed_percent_kept(venue, day: date) -> int:
    """allowed_percent(venue, day), from the cache while it holds (see above)."""
    version = cache_get(_RULES_VERSION_KEY) or "-"
    key = f"visitors:allowed-percent:{version}:{venue.pk}:{day.isoformat()}"
    percent = cache_get(key)
    if percent is None:
        percent = allowed_percent(venue, day)
        cache_set(key, percent, OCCUPANCY_RULE_SECONDS)
    return percent


def occupancy(venue, *, now: datetime, inside: int | None = None) -> Occupancy:
    """R-CI-6: entries minus exits and automatic closes. A visit counts inside while it
    is open and less than 4 hours old (R-CI-4: an older one is closed, whether or
    not the periodic task has run yet). One COUNT on the open-visits index, unless
    the caller counted already (`inside`, e.g. from door_facts)."""
    if inside is None:
        inside = _inside(venue, now=now).count()
    allowed = rules.allowed_occupancy(venue.capacity, _allowed_percent_kept(venue, timezone.localdate(now)))
    return Occupancy(
        inside=inside,
        allowed=allowed,
        percent=rules.occupancy_percent(inside, allowed),
        over=inside > allowed,
    )


def _inside(venue, *, now: datetime) -> QuerySet[Visit]:
    return Visit.objects.filter(
        venue=venue, exited_at__isnull=True, entered_at__gt=now - rules.AUTO_CLOSE_AFTER, entered_at__lte=now
    )


# --- The facts of one guard look-up (issue 9, B1) ---------------------------------------------


@dataclass(frozen=True)
class DoorFacts:
    """What a guard's look-up must know before it writes, read in one statement: R-CI-7
    (excluded now; a live code at the entrance, or the venue), the rate limits (the
    guard's look-ups of the last minute and day, the venue's of the last minute), the
    enumeration check (other people born on the visitor's birth date whom this guard
    looked up within the hour) and the people inside (R-CI-6), all before this one."""

    excluded: bool
    live_code: bool
    guard_minute: int
    guard_day: int
    venue_minute: int
    same_birth_date_others: int
    inside: int


def _count(queryset: QuerySet, distinct: str | None = None) -> Subquery:
    """A scalar subquery counting `queryset`'s rows, or its `distinct` field's distinct
    values. COUNT(*) needs no column: PostgreSQL can count from the index alone (the
    open visits of a busy venue: hundreds of rows on every look-up, issue 9 B1)."""
    if distinct is None:
        count = Func(template="COUNT(*)", output_field=IntegerField())
    else:
        count = Func(F(distinct), template="COUNT(DISTINCT %(expressions)s)", output_field=IntegerField())
    counted = queryset.order_by().annotate(n=count)
    return Subquery(counted.values("n"), output_field=IntegerField())


def door_facts(*, guard, venue, entrance, person: str, birth: str | None, now: datetime) -> DoorFacts:
    """The DoorFacts of a look-up of `person` (blind index; `birth`: visitors.services.
    birth_key, None for a passport) by `guard` at `venue`'s `entrance`, at `now`. Each
    count is read by its own index, as the separate queries were: (actor, at), (venue,
    at), the birth key's, the open visits'."""
    values = {
        "guard": guard.pk,
        "venue": venue.pk,
        "entrance": entrance.pk if entrance is not None else None,
        "person": person,
        "birth": birth or None,
        "now": now,
        "minute_ago": now - rules.RATE_MINUTE,
        "day_ago": now - rules.RATE_DAY,
        "hour_ago": now - rules.ENUMERATION_WINDOW,
        "open_since": now - rules.AUTO_CLOSE_AFTER,
    }
    # Compiled once per process (ashyq.core.rows.Compiled): building its seven
    # subqueries cost more than running them.
    return DoorFacts(*_door_facts.run(**values)[0])


def _door_facts_query(*, guard, venue, entrance, person, birth, now, minute_ago, day_ago, hour_ago, open_since):
    mine = StatusLookup.objects.filter(actor_id=guard, at__gt=day_ago, at__lte=now)
    live = QrCode.objects.filter(entrance__venue_id=venue, revoked_at__isnull=True)
    if entrance is not None:
        live = live.filter(entrance_id=entrance)
    if birth is not None:
        same_birth = _count(
            StatusLookup.objects.filter(actor_id=guard, birth_key=birth, at__gt=hour_ago, at__lte=now).exclude(
                person=person
            ),
            distinct="person",
        )
    else:
        same_birth = Value(0)
    inside = Visit.objects.filter(
        venue_id=venue, exited_at__isnull=True, entered_at__gt=open_since, entered_at__lte=now
    )  # as _inside()
    return (
        Venue.objects.filter(pk=venue)
        .annotate(
            excluded_now=Exists(excluded_venue_ids(at=now).filter(venue_id=venue)),
            live_code=Exists(live),
            guard_minute=_count(mine.filter(at__gt=minute_ago)),
            guard_day=_count(mine),
            venue_minute=_count(StatusLookup.objects.filter(venue_id=venue, at__gt=minute_ago, at__lte=now)),
            same_birth_date_others=same_birth,
            inside=_count(inside),
        )
        .values_list(
            "excluded_now", "live_code", "guard_minute", "guard_day", "venue_minute", "same_birth_date_others", "inside"
        )
    )


_door_facts = rows_of.Compiled(
    _door_facts_query,
    guard="int", venue="int", entrance="int", person="str", birth="str",
    now="time", minute_ago="time", day_ago="time", hour_ago="time", open_since="time",
)  # fmt: skip


def lookups_of(person: str, *, now: datetime) -> QuerySet[StatusLookup]:
    """R-PR-4: the look-ups of `person`'s status by others in the last 28 days, newest
    first, with the venue (page it with a Paginator). Index (person, at)."""
    return (
        StatusLookup.objects.filter(person=person, at__gt=now - rules.IDENTIFIER_RETENTION, at__lte=now)
        .select_related("venue")
        .order_by("-at", "-id")
    )


def visits_of(person: str, *, now: datetime) -> QuerySet[Visit]:
    """R-PR-4: `person`'s check-ins of the last 28 days, newest first, with the venue
    and entrance. Index (person, entered_at)."""
    return (
        Visit.objects.filter(person=person, entered_at__gt=now - rules.IDENTIFIER_RETENTION, entered_at__lte=now)
        .select_related("venue", "entrance")
        .order_by("-entered_at", "-id")
    )


def door_reports_for(user) -> QuerySet[DoorReport]:
    """R-CI-3: the reports `user` may see — a sanitary officer (or any regional
    role) his region's, national roles all, anybody else none; newest first.
    Index (region, at)."""
    return scope_to_region(user, DoorReport.objects.all()).select_related("venue", "region").order_by("-at", "-id")
