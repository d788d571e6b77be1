"""The guard page's look-up (R-CI-2, R-CI-3, R-PR-3, R-PR-6) and its abuse limits.

- `guard_lookup` is the guard page's only entry point. It answers the colour and its
  validity only (R-PR-6); an unknown person goes through exactly the code path of a
  known blue one (no early return), so the answer and its timing do not tell who is
  in the registries. Every look-up is a `StatusLookup` row (R-PR-3: that table is the
  audit log of look-ups — who, when, which venue, colour — and what the citizen sees,
  R-PR-4).

Rate limits (abuse)
-------------------
Counted per venue and per company from the `StatusLookup` rows themselves, by the
indexes (venue, at) and (company, at), never per guard phone: a phone swapped for a
new one starts from the venue's counts, and a company's venues share its own. No
Redis needed, and the same in every process. A look-up reads them with everything
else it must know before writing in one statement (visitors.selectors.door_facts).
A venue's day is bounded by its capacity (rules.venue_lookups_per_day).

On PostgreSQL two requests racing at a limit may both pass (each counts before the
other writes): the limit is a brake on enumeration, not an exact quota, exceeded at
most by the number of simultaneous requests. In the embedded mode (SQLite) the count
and the write are one transaction, which takes the write lock at BEGIN: the limits
hold exactly under concurrency.

A refusal writes one audit row per venue (or company), limit and minute. The
enumeration alarm (audit "visitors.guard_enumeration_suspected" and a warning in the
log) is raised per venue and per company, whichever guards typed: a venue or company
that hits its minute limit in two different minutes within an hour, or where five
different people born on one day were looked up within an hour (each look-up keeps a
keyed hash of the IIN's birth date for that, erased with the person after 28 days).
"""

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ashyq.accounts.models import Role, User
from ashyq.core.models import AuditEvent
from ashyq.core.services import audit_record
from ashyq.crypto import blind_index, masked
from ashyq.identifiers import validate_adult_iin
from ashyq.reference.models import Region
from statuses.persons import person_key
from statuses.selectors import StatusReport, status_for
from venues.models import Company, Entrance, GuardConsent, Venue
from venues.standing import rules as standing_rules
from visitors import rules
from visitors.models import (
    EntryMethod,
    ExitMethod,
    StatusLookup,
)
from visitors.selectors import DoorFacts, Occupancy, door_facts, occupancy, occupancy_of
from visitors.services.checkin import CheckIn, check_in_record, refuse_unless_open, visit_exit, visit_exit_anonymous

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """Too many look-ups: `message` in the user's language, and the seconds after
    which the next look-up will be taken."""

    def __init__(self, message, *, retry_after_seconds: int, limit: str):
        super().__init__(str(message))
        self.message = message
        self.retry_after_seconds = retry_after_seconds
        self.limit = limit


@dataclass(frozen=True)
class GuardAnswer:
    """What the guard page shows, and nothing else (R-PR-6): no name, no birth date,
    no identifier, no record."""

    colour: str
    valid_until: datetime | None
    fresh: bool
    last_sync_at: datetime | None
    instruction: "StrOrPromise"  # R-CI-3, R-CI-6, lazy; empty for green and blue at a venue not full
    counted: bool
    occupancy: Occupancy
    # R-CI-6 Decided: the venue was at or over its allowed occupancy before this
    # visitor: an admissible one waits (not admitted, not counted), never "may enter".
    full: bool = False
    reopened: bool = False  # R-CI-5: back inside after an exit within the 30 minutes


# --- The guard page (R-CI-2, R-CI-3, R-PR-3, R-PR-6) -----------------------------------------


def _person_at_door(*, iin: str | None, passport: str | None, country: str | None, on: date) -> dict:
    """The identifier typed by the guard, checked (R-ID-1, R-ID-2, R-ID-4), as keyword
    arguments of status_for/person_key. ValidationError otherwise; nothing is stored."""
    if iin:
        return {"iin": validate_adult_iin(iin, on=on).number}
    if passport or country:
        number = rules.normalise_passport(passport or "")
        if number is None:
            raise ValidationError(
                _("A passport number has 5 to 20 Latin letters and digits. Please check the number."),
                code="passport",
            )
        code = rules.normalise_country(country or "")
        if code is None:
            raise ValidationError(
                _("Choose the country that issued the passport (two Latin letters, such as DE)."), code="country"
            )
        return {"passport": number, "country": code}
    raise ValidationError(_("Enter the visitor's IIN, or his passport number and country."), code="required")


@dataclass(frozen=True)
class _Limit:
    """A limit a look-up reached: which, the look-ups counting and the rows they are."""

    name: str  # "venue_minute", "venue_day", "company_minute", "company_day"
    count: int
    allowed: int
    window: timedelta
    rows: QuerySet


def _limit_reached(*, venue: Venue, now: datetime, facts: DoorFacts) -> _Limit | None:
    """The first limit of the venue's or its company's that this look-up would pass
    (counted from StatusLookup rows in `facts`, see the module's docstring), or None.
    The rows are a lazy queryset, read (for Retry-After) only when a limit is reached:
    building querysets on every look-up cost a tenth of its CPU."""
    minute_ago, day_ago = now - rules.RATE_MINUTE, now - rules.RATE_DAY
    at_venue = {"venue": venue}
    at_company = {"company_id": venue.company_id}
    checks = (
        ("venue_minute", facts.venue_minute, rules.venue_lookups_per_minute(), rules.RATE_MINUTE, at_venue, minute_ago),
        ("venue_day", facts.venue_day, rules.venue_lookups_per_day(venue.capacity), rules.RATE_DAY, at_venue, day_ago),
        (
            "company_minute", facts.company_minute, rules.company_lookups_per_minute(), rules.RATE_MINUTE,
            at_company, minute_ago,
        ),
        ("company_day", facts.company_day, rules.company_lookups_per_day(), rules.RATE_DAY, at_company, day_ago),
    )  # fmt: skip
    for name, count, allowed, window, where, since in checks:
        if count >= allowed:
            return _Limit(name, count, allowed, window, StatusLookup.objects.filter(at__gt=since, **where))
    return None


def _limit_message(limit: str, retry_after: int) -> str:
    if limit.endswith("_day"):
        hours = max(1, -(-retry_after // 3600))
        return ngettext(
            "This venue has reached its limit of look-ups for today. Try again in %(hours)d hour.",
            "This venue has reached its limit of look-ups for today. Try again in %(hours)d hours.",
            hours,
        ) % {"hours": hours}
    return ngettext(
        "Too many look-ups at this venue in a minute. Wait %(seconds)d second and try again.",
        "Too many look-ups at this venue in a minute. Wait %(seconds)d seconds and try again.",
        retry_after,
    ) % {"seconds": retry_after}


def _rate_limited(*, guard: User, venue: Venue, limit: _Limit, now: datetime) -> None:
    # The look-up that must leave the window before the next one is taken.
    leaving = limit.rows.order_by("at", "id").values_list("at", flat=True)[limit.count - limit.allowed]
    retry_after = rules.retry_after_seconds(oldest=leaving, window=limit.window, now=now)
    _rate_limited_record(guard=guard, venue=venue, limit=limit.name, now=now)
    raise RateLimited(_limit_message(limit.name, retry_after), retry_after_seconds=retry_after, limit=limit.name)


@transaction.atomic
def _rate_limited_record(*, guard: User, venue: Venue, limit: str, now: datetime) -> None:
    """One audit row per venue (or company), limit and minute (a hammering client does
    not flood the log); its second minute limit within an hour flags an enumeration."""
    action = f"visitors.lookup_limit_{limit}"
    whose = _company_of(venue) if limit.startswith("company") else venue
    hits = AuditEvent.objects.filter(action=action, object_type=whose._meta.label_lower, object_id=str(whose.pk))
    if hits.filter(at__gt=now - rules.RATE_MINUTE).exists():
        return
    audit_record(actor=guard, action=action, obj=whose, region=_region_of(venue))
    if not limit.endswith("_minute"):
        return
    if hits.filter(at__gt=now - rules.ENUMERATION_WINDOW).count() < rules.ENUMERATION_HITS:
        return
    _enumeration_flag(guard=guard, venue=venue, whose=whose, now=now, reason="limit_twice")


def _company_of(venue: Venue) -> Company:
    return Company(pk=venue.company_id)


def _region_of(venue: Venue) -> Region:
    """The venue's region for an audit row, by id: venue_for_guard reads no region."""
    return Region(pk=venue.region_id)


def birth_key(iin: str) -> str:
    """The keyed hash of an IIN's birth date (its first 6 digits): equal for people
    born on one day, meaningless without the index key."""
    return blind_index(f"birth-date:{iin[:6]}")[:16]


def _enumeration_check(*, guard: User, venue: Venue, facts: DoorFacts, now: datetime) -> None:
    """Flag a venue, or a company, where ENUMERATION_SAME_BIRTH_DATE different
    people born on one day were looked up within the hour, whoever typed them. `facts`
    counted the others before this look-up's person was written (+1 for him)."""
    if facts.same_birth_venue + 1 >= rules.ENUMERATION_SAME_BIRTH_DATE:
        _enumeration_flag(guard=guard, venue=venue, whose=venue, now=now, reason="same_birth_date")
    if facts.same_birth_company + 1 >= rules.ENUMERATION_SAME_BIRTH_DATE:
        _enumeration_flag(guard=guard, venue=venue, whose=_company_of(venue), now=now, reason="same_birth_date")


def _enumeration_flag(*, guard: User, venue: Venue, whose: Venue | Company, now: datetime, reason: str) -> None:
    """One audit row "visitors.guard_enumeration_suspected" per venue (or company) and
    hour, and a warning in the log (masked phone) for the operators' alerting."""
    flagged = AuditEvent.objects.filter(
        action="visitors.guard_enumeration_suspected", object_type=whose._meta.label_lower, object_id=str(whose.pk)
    )
    if flagged.filter(at__gt=now - rules.ENUMERATION_WINDOW).exists():
        return
    audit_record(
        actor=guard,
        action="visitors.guard_enumeration_suspected",
        obj=whose,
        region=_region_of(venue),
        reason=reason,
        venue=venue.pk,
    )
    logger.warning(
        "Guard %s at venue %s (%s %s): possible enumeration of IINs (%s).",
        masked(guard.phone or ""),
        venue.pk,
        whose._meta.model_name,
        whose.pk,
        reason,
    )


def _one_at_a_time():
    """In the embedded mode (SQLite, whose transactions take the write lock at BEGIN) a
    look-up's counts and its write are one transaction, so that concurrent look-ups
    cannot all pass a limit: the 31st of 50 simultaneous ones is refused. PostgreSQL
    keeps its one-statement write (see the module's docstring)."""
    return transaction.atomic() if connection.vendor == "sqlite" else nullcontext()


def _check_guard(*, guard: User, venue: Venue, entrance: Entrance | None) -> None:
    # R-VN-7: a guard works at the one venue whose guard phone he signed in with, once
    # he has accepted to be its guard.
    if (
        guard.role != Role.CITIZEN
        or not guard.phone
        or venue.guard_phone != guard.phone
        or venue.guard_consent != GuardConsent.ACCEPTED
    ):
        raise PermissionDenied("not the guard of this venue")
    if entrance is not None and entrance.venue_id != venue.pk:
        raise PermissionDenied("the entrance is not of this venue")


def guard_lookup(
    *,
    guard: User,
    venue: Venue,
    entrance: Entrance | None,
    iin: str | None = None,
    passport: str | None = None,
    country: str | None = None,
    now: datetime,
) -> GuardAnswer:
    """The guard page's one entry point (R-CI-2): check the typed identifier, the
    venue and the limits, compute the colour, audit the look-up (R-PR-3) and check
    the visitor in (method "guard").

    Raises ValidationError for an invalid IIN, a minor (R-ID-2), a malformed passport
    or country (nothing stored); VenueRefused (R-CI-7); RateLimited (abuse limits);
    PermissionDenied when `guard` is not the guard of `venue`. Returns the colour and
    its validity only (R-PR-6).
    """
    _check_guard(guard=guard, venue=venue, entrance=entrance)
    key = _person_at_door(iin=iin, passport=passport, country=country, on=timezone.localdate(now))
    person = person_key(**key)
    birth = birth_key(iin) if iin else None
    with _one_at_a_time():
        # R-CI-7, the rate limits, the enumeration counts and occupancy in one read:
        # one statement per look-up at the door.
        facts = door_facts(guard=guard, venue=venue, entrance=entrance, person=person, birth=birth, now=now)
        refuse_unless_open(
            venue=venue,
            entrance=entrance,
            now=now,
            standing=facts.standing or standing_rules.APPLIED,
            live_code=facts.live_code,
        )
        limit = _limit_reached(venue=venue, now=now, facts=facts)
        if limit is None:
            # No branch on what the registries know: a person with no record is blue by
            # the same computation as a person whose records make him blue.
            report = status_for(**key, at=now, person=person)
            # R-CI-6: the people inside before this look-up.
            before = occupancy(
                venue,
                now=now,
                inside=facts.inside,
                standing=facts.standing or standing_rules.APPLIED,
                version=facts.conditions_version,
            )
            if before.full and not rules.is_reported(report.colour):
                # R-CI-6 Decided: a full venue admits nobody; the look-up is still R-PR-3's
                # row, but no check-in: he is checked again once someone has left.
                _lookup_record(guard=guard, venue=venue, person=person, birth=birth, colour=report.colour, now=now)
                checked_in = CheckIn(visit=None, counted=False)
            else:
                checked_in = _guard_record(
                    guard=guard, venue=venue, entrance=entrance, person=person, birth=birth, report=report, now=now
                )
    if limit is not None:  # its audit row outside the transaction: kept although refused
        _rate_limited(guard=guard, venue=venue, limit=limit, now=now)
    if birth:
        _enumeration_check(guard=guard, venue=venue, facts=facts, now=now)
    return GuardAnswer(
        colour=str(report.colour),
        valid_until=report.valid_until,
        fresh=report.fresh,
        last_sync_at=report.last_sync_at,
        instruction=rules.door_instruction(report.colour, full=before.full),
        counted=checked_in.counted,
        # …and the visitor if he went in (R-CI-3: not a red or yellow one).
        occupancy=occupancy_of(inside=before.inside + checked_in.inside, allowed=before.allowed),
        full=before.full,
        reopened=checked_in.reopened,
    )


@transaction.atomic
def _lookup_record(*, guard: User, venue: Venue, person: str, birth: str | None, colour: str, now: datetime) -> None:
    """R-PR-3's look-up row alone: a visitor who waits at a full venue (R-CI-6)."""
    StatusLookup.objects.create(
        actor=guard,
        venue=venue,
        company_id=venue.company_id,
        person=person,
        birth_key=birth,
        colour=str(colour),
        at=now,
    )


def _guard_record(
    *,
    guard: User,
    venue: Venue,
    entrance: Entrance | None,
    person: str,
    birth: str | None,
    report: StatusReport,
    now: datetime,
) -> CheckIn:
    """R-PR-3's look-up row and the check-in, together or not at all."""
    return check_in_record(
        venue=venue,
        entrance=entrance,
        person=person,
        colour=report.colour,
        method=EntryMethod.GUARD,
        user=None,
        now=now,
        lookup={"actor": guard, "birth_key": birth, "company_id": venue.company_id},
    )


# --- The guard records an exit (R-CI-6 Decided) ------------------------------------------------


def guard_exit(*, guard: User, venue: Venue, entrance: Entrance | None, iin: str | None, now: datetime) -> Occupancy:
    """R-CI-6 Decided: the guard records that a visitor left, for visitors without a
    phone (exit scans are optional, R-CI-4): by his IIN, his open visit here closes;
    without one (`iin` empty), one anonymous exit closes the oldest open visit here.
    Returns the occupancy after it.

    Raises ValidationError (nothing recorded) for an invalid IIN (R-ID-1), a person
    with no open visit here, or nobody inside; PermissionDenied when `guard` is not
    the guard of `venue`. No status is computed and no look-up is written: an exit
    says nothing about the person's colour."""
    _check_guard(guard=guard, venue=venue, entrance=entrance)
    if iin:
        number = validate_adult_iin(iin, on=timezone.localdate(now)).number
        if not visit_exit(venue=venue, person=person_key(iin=number), now=now, method=ExitMethod.GUARD):
            raise ValidationError(
                _("This visitor has no open visit at this venue: nothing was recorded."), code="no_visit"
            )
    elif not visit_exit_anonymous(venue=venue, now=now):
        raise ValidationError(_("Nobody is counted inside: nothing was recorded."), code="nobody_inside")
    return occupancy(venue, now=now)
