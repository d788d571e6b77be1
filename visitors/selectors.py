"""Reads of the visitors app: occupancy (R-CI-6), a citizen's own lists (R-PR-4) and the
sanitary officers' door reports (R-CI-3)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, F, Func, IntegerField, Q, QuerySet, Subquery, Value

from ashyq.accounts.access import scope_to_region
from ashyq.core import rows as rows_of
from venues.conditions import occupancy_percent_at
from venues.models import ConditionsVersion, QrCode, Venue
from venues.standing.rules import local_midnight
from venues.standing.selectors import kind_subquery
from visitors import rules
from visitors.models import DoorReport, StatusLookup, Visit


@dataclass(frozen=True)
class Occupancy:
    """R-CI-6: people inside now against the allowed number; `percent` is of the
    allowed number (over 100 when over the limit). `full`: at or over the limit, so
    that nobody more may enter until someone leaves (R-CI-6 Decided)."""

    inside: int
    allowed: int
    percent: int
    over: bool
    full: bool = False


def occupancy(
    venue, *, now: datetime, inside: int | None = None, standing: str | None = None, version: str | None = None
) -> Occupancy:
    """R-CI-6: entries minus exits and automatic closes. A visit counts inside while it
    is open and less than 4 hours old (R-CI-4: an older one is closed, whether or
    not the periodic task has run yet). One COUNT on the open-visits index, unless
    the caller counted already (`inside`, e.g. from door_facts); `standing`: the
    venue's standing now and `version` the conditions' (venues.conditions), when the
    caller read them."""
    if inside is None:
        inside = _inside(venue, now=now).count()
    percent = occupancy_percent_at(venue, now, standing=standing, version=version)
    allowed = rules.allowed_occupancy(venue.capacity, percent)
    return occupancy_of(inside=inside, allowed=allowed)


def occupancy_of(*, inside: int, allowed: int) -> Occupancy:
    """R-CI-6: the Occupancy of `inside` people against `allowed` (no query)."""
    return Occupancy(
        inside=inside,
        allowed=allowed,
        percent=rules.occupancy_percent(inside, allowed),
        over=inside > allowed,
        full=rules.is_full(inside=inside, allowed=allowed),
    )


def _inside(venue, *, now: datetime) -> QuerySet[Visit]:
    return Visit.objects.filter(
        venue=venue, exited_at__isnull=True, entered_at__gt=now - rules.AUTO_CLOSE_AFTER, entered_at__lte=now
    )


# --- The facts of one guard look-up, in one statement (B1) -----------------------------------


@dataclass(frozen=True)
class DoorFacts:
    """What a guard's look-up must know before it writes, read in one statement: R-CI-7
    (the venue's standing now, None before it had one; a live code at the entrance, or
    the venue), the rate limits (the venue's and its company's look-ups of the last
    minute and day, whoever typed them), the enumeration check (other people born on
    the visitor's birth date looked up within the hour at the venue, and at any venue
    of its company) and the people inside (R-CI-6), all before this one."""

    standing: str | None
    live_code: bool
    venue_minute: int
    venue_day: int
    company_minute: int
    company_day: int
    same_birth_venue: int
    same_birth_company: int
    inside: int
    # The version of the zones and the table of conditions, None when there is none
    # (venues.conditions): the allowed share is then known without a query.
    conditions_version: str | None


def _count(queryset: QuerySet, distinct: str | None = None) -> Subquery:
    """A scalar subquery counting `queryset`'s rows, or its `distinct` field's distinct
    values. COUNT(*) needs no column: PostgreSQL can count from the index alone (the
    open visits of a busy venue: hundreds of rows on every look-up)."""
    if distinct is None:
        count = Func(template="COUNT(*)", output_field=IntegerField())
    else:
        count = Func(F(distinct), template="COUNT(DISTINCT %(expressions)s)", output_field=IntegerField())
    counted = queryset.order_by().annotate(n=count)
    return Subquery(counted.values("n"), output_field=IntegerField())


def door_facts(*, guard, venue, entrance, person: str, birth: str | None, now: datetime) -> DoorFacts:
    """The DoorFacts of a look-up of `person` (blind index; `birth`: visitors.services.
    birth_key, None for a passport) by `guard` at `venue`'s `entrance`, at `now`. Each
    count is read by its own index: (venue, at), (company, at), the birth keys' (venue
    or company, birth_key, at), the open visits'."""
    values = {
        "venue": venue.pk,
        "company": venue.company_id,
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


def _door_facts_query(*, venue, company, entrance, person, birth, now, minute_ago, day_ago, hour_ago, open_since):
    # No upper bound: a look-up that took its moment before this one but wrote first
    # (they wait for each other's write, visitors.services.guard) counts all the same.
    venues = StatusLookup.objects.filter(venue_id=venue, at__gt=day_ago)
    companies = StatusLookup.objects.filter(company_id=company, at__gt=day_ago)
    live = QrCode.objects.filter(entrance__venue_id=venue, revoked_at__isnull=True)
    if entrance is not None:
        live = live.filter(entrance_id=entrance)
    same_birth_venue: Subquery | Value
    same_birth_company: Subquery | Value
    if birth is not None:
        born = {"birth_key": birth, "at__gt": hour_ago, "at__lte": now}
        same_birth_venue = _count(
            StatusLookup.objects.filter(venue_id=venue, **born).exclude(person=person), distinct="person"
        )
        same_birth_company = _count(
            StatusLookup.objects.filter(company_id=company, **born).exclude(person=person), distinct="person"
        )
    else:
        same_birth_venue = same_birth_company = Value(0)
    inside = Visit.objects.filter(
        venue_id=venue, exited_at__isnull=True, entered_at__gt=open_since, entered_at__lte=now
    )  # as _inside()
    return (
        Venue.objects.filter(pk=venue)
        .annotate(
            standing_now=kind_subquery(venue, now),
            live_code=Exists(live),
            venue_minute=_count(venues.filter(at__gt=minute_ago)),
            venue_day=_count(venues),
            company_minute=_count(companies.filter(at__gt=minute_ago)),
            company_day=_count(companies),
            same_birth_venue=same_birth_venue,
            same_birth_company=same_birth_company,
            inside=_count(inside),
            conditions_version=Subquery(ConditionsVersion.objects.filter(pk=1).values("token")),
        )
        .values_list(
            "standing_now",
            "live_code",
            "venue_minute",
            "venue_day",
            "company_minute",
            "company_day",
            "same_birth_venue",
            "same_birth_company",
            "inside",
            "conditions_version",
        )
    )


_door_facts = rows_of.Compiled(
    _door_facts_query,
    venue="int", company="int", entrance="int", person="str", birth="str",
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


def door_reports_for(
    user,
    *,
    start: date | None = None,
    end: date | None = None,
    venue: str = "",
    colour: str = "",
    region=None,
) -> QuerySet[DoorReport]:
    """R-CI-3: the reports `user` may see — a sanitary officer (or any regional
    role) his region's, national roles all, anybody else none; newest first — from
    the local day `start` to the local day `end` (inclusive), of venues whose name or
    address holds `venue`, of one `colour`, of one `region`, each when given.
    Index (region, at), and (at) for a national range."""
    reports = scope_to_region(user, DoorReport.objects.all())
    if start is not None:
        reports = reports.filter(at__gte=local_midnight(start))
    if end is not None:
        reports = reports.filter(at__lt=local_midnight(end + timedelta(days=1)))
    if colour:
        reports = reports.filter(colour=colour)
    if region is not None:
        reports = reports.filter(region=region)
    if venue:
        condition = Q()
        for variant in {venue, venue.lower(), venue.capitalize()}:  # SQLite folds ASCII only
            condition |= Q(venue__name__icontains=variant) | Q(venue__address__icontains=variant)
        reports = reports.filter(condition)
    return reports.select_related("venue", "region").order_by("-at", "-id")
