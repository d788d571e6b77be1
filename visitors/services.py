"""Writes of the visitors app: the citizen's IIN link (R-AU-2) and the check-ins at the
door (DOMAIN.md §7) with their privacy rules (§11).

Check-ins
---------
- `visit_check_in` counts one visit per person and venue within 30 minutes
  (R-CI-5): a `VisitWindow` row per (venue, person), unique in the database, is
  claimed by an INSERT or a conditional UPDATE, so two simultaneous requests make one
  visit whatever the isolation level.
- A red or yellow visitor (R-CI-3) is checked in (the counts of R-CI-9 see him at the
  door) but closed at once ("not admitted"), so he never counts inside (R-CI-6); a
  `DoorReport` is written and mailed to the region's sanitary officers. Only a
  counted entry reports: a re-scan of the same red visitor within 30 minutes changes
  nothing, as R-CI-5 says of any re-scan.
- `guard_lookup` is the guard page's only entry point. It answers the colour and its
  validity only (R-PR-6); an unknown person goes through exactly the code path of a
  known blue one (no early return), so the answer and its timing do not tell who is
  in the registries. Every look-up is a `StatusLookup` row (R-PR-3: that table is the
  audit log of look-ups — who, when, which venue, colour — and what the citizen sees,
  R-PR-4).

Rate limits (abuse)
-------------------
Counted from the `StatusLookup` rows themselves, by the indexes (actor, at) and
(venue, at): no Redis needed, and the same in every process. A look-up reads them
with everything else it must know before writing in one statement
(visitors.selectors.door_facts, issue 9). Two requests racing
at the limit may both pass (each counts before the other writes): the limit is a
brake on enumeration, not an exact quota, and is at most exceeded by the number of
simultaneous requests. A refusal writes one audit row per guard, limit and minute;
a guard who hits his minute limit in two different minutes within an hour is
flagged as a suspected enumeration (audit "visitors.guard_enumeration_suspected" and
a warning in the log with the masked phone), and so is a guard who looks up five
different people born on one day within an hour (issue 8): each look-up keeps a
keyed hash of the IIN's birth date for that, erased with the person after 28 days.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ashyq.accounts.models import Role, User
from ashyq.core.models import AuditEvent
from ashyq.core.services import audit_record
from ashyq.crypto import blind_index, masked
from ashyq.identifiers import validate_adult_iin
from ashyq.queue import enqueue
from ashyq.registries import RegistryError
from monitoring.selectors import venue_excluded
from statuses.persons import person_key
from statuses.selectors import StatusReport, status_for
from venues.models import Entrance, QrCode, Venue
from visitors import rules
from visitors.clients import subscriber_iin
from visitors.models import (
    Colour,
    DailyStats,
    DoorReport,
    EntryMethod,
    ExitMethod,
    RemoteCheck,
    StatusLookup,
    Visit,
    VisitWindow,
)
from visitors.selectors import DoorFacts, Occupancy, door_facts, occupancy

logger = logging.getLogger(__name__)


class LinkRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def citizen_link_recheck(*, user: User, now: datetime) -> bool:
    """Keep the citizen's IIN linked only while the mobile-subscriber registry still
    has his phone for it (R-AU-2); a phone that changed hands loses the link, audited.

    When the registry does not answer, the link is kept: an outage of another agency
    must not lock citizens out of their own status. Returns whether the link stays.
    """
    try:
        registered = subscriber_iin(user.phone)
    except RegistryError:
        return True
    if registered is not None and blind_index(registered) == user.iin_index:
        return True
    User.objects.filter(pk=user.pk).update(iin=None, iin_index=None)
    audit_record(actor=user, action="citizen.iin_unlinked", obj=user, reason="phone not registered to the IIN")
    user.iin, user.iin_index = None, None
    return False


def citizen_link_iin(*, user: User, iin: str, now: datetime) -> User:
    """Link `iin` to the citizen signed in with his phone, once (R-AU-2, R-ID-2).

    Raises ValidationError for an invalid IIN or a minor, LinkRefused when the phone
    is not registered to that IIN or the IIN is linked to another account, and
    RegistryUnavailable when the subscriber registry does not answer. Nothing is
    stored unless the link is made.
    """
    if user.iin_index:
        raise LinkRefused(_("An IIN is already linked to this account."))
    person = validate_adult_iin(iin, on=timezone.localdate(now))
    registered = subscriber_iin(user.phone)
    if registered is None or blind_index(registered) != blind_index(person.number):
        raise LinkRefused(
            _(
                "This phone number is not registered to this IIN with a mobile operator. "
                "Use the phone registered to your IIN, or ask the guard to enter your IIN at the door."
            )
        )
    try:
        with transaction.atomic():
            updated = User.objects.filter(pk=user.pk, iin_index__isnull=True)
            user.iin = person.number
            # BlindIndexField fills itself on save(); a conditional update must set it.
            if updated.update(iin=user.iin, iin_index=blind_index(person.number)) != 1:
                raise LinkRefused(_("An IIN is already linked to this account."))
            audit_record(actor=user, action="citizen.iin_linked", obj=user, iin=masked(person.number))
    except IntegrityError as exc:  # the blind index is unique: another account has it
        raise LinkRefused(_("This IIN is linked to another account. If it is yours, contact support.")) from exc
    user.refresh_from_db(fields=["iin", "iin_index"])
    return user


# --- Check-ins (DOMAIN.md §7) --------------------------------------------------------------


class VenueRefused(Exception):
    """R-CI-7: the venue does not take check-ins. `message` says why, in the user's
    language; `reason` is "excluded", "not_approved" or "revoked"."""

    def __init__(self, message, *, reason: str):
        super().__init__(str(message))
        self.message = message
        self.reason = reason


class RateLimited(Exception):
    """Too many look-ups: `message` in the user's language, and the seconds after
    which the next look-up will be taken."""

    def __init__(self, message, *, retry_after_seconds: int, limit: str):
        super().__init__(str(message))
        self.message = message
        self.retry_after_seconds = retry_after_seconds
        self.limit = limit


class IinNotLinked(Exception):
    """The citizen has not linked his IIN yet (R-AU-2): send him to the link page."""


@dataclass(frozen=True)
class CheckIn:
    visit: Visit | None  # None: the entry was within the 30 minutes of a counted one (R-CI-5)
    counted: bool
    report: DoorReport | None = None  # R-CI-3: red or yellow at the door
    # Not counted: when the counted check-in it repeats was made, when the write knew
    # it (PostgreSQL's one statement); None otherwise.
    repeats: datetime | None = None


@dataclass(frozen=True)
class GuardAnswer:
    """What the guard page shows, and nothing else (R-PR-6): no name, no birth date,
    no identifier, no record."""

    colour: str
    valid_until: datetime | None
    fresh: bool
    last_sync_at: datetime | None
    instruction: str  # R-CI-3, lazy; empty for green and blue
    counted: bool
    occupancy: Occupancy


@dataclass(frozen=True)
class ScanAnswer:
    """What the visitor's own phone shows after scanning a venue code (R-CI-1, R-CI-4).

    Entry: the colour card. Exit: `closed` says whether an open visit was closed
    (colour and report are None: no status is computed for an exit)."""

    direction: str  # "entry" or "exit"
    venue_name: str
    entrance_name: str
    colour: str | None = None
    valid_until: datetime | None = None
    fresh: bool = False
    last_sync_at: datetime | None = None
    counted: bool = False
    closed: bool = False
    report: StatusReport | None = None  # the citizen's own status, in full (his own data)
    repeats: datetime | None = None  # not counted: the counted check-in's time, when known


EXCLUDED_MESSAGE = _(
    "This venue is excluded from Ashyq for now: its QR codes do not work and check-ins are not recorded."
)
_NOT_APPROVED = _("This venue is not approved in Ashyq yet: check-ins are not recorded.")
_REVOKED = _("This QR code has been replaced by the venue and no longer works. Scan the code on the door.")
_NO_LIVE_CODES = _("This venue's QR codes are revoked: check-ins are not recorded.")


def _refuse_unless_open(
    *,
    venue: Venue,
    entrance: Entrance | None,
    now: datetime,
    code: QrCode | None = None,
    excluded: bool | None = None,
    live_code: bool | None = None,
) -> None:
    """R-CI-7: an excluded venue, one never approved (no codes ever issued: an approved
    application issues them at once, R-VN-3) or one whose codes are revoked takes no
    check-in. With `code` (a scan) that code must be live; without (a guard), the
    entrance (or the venue) must have a live code. `excluded` and `live_code`: the
    answers when the caller read them already (None: read here)."""
    if excluded is None:
        excluded = venue_excluded(venue=venue, at=now)
    if excluded:
        raise VenueRefused(EXCLUDED_MESSAGE, reason="excluded")
    if venue.codes_first_issued_at is None:
        raise VenueRefused(_NOT_APPROVED, reason="not_approved")
    if code is not None:
        if code.revoked_at is not None:
            raise VenueRefused(_REVOKED, reason="revoked")
        return
    if live_code is None:
        live = QrCode.objects.filter(entrance__venue=venue, revoked_at__isnull=True)
        if entrance is not None:
            live = live.filter(entrance=entrance)
        live_code = live.exists()
    if not live_code:
        raise VenueRefused(_NO_LIVE_CODES, reason="revoked")


def _window_claim(*, venue: Venue, person: str, now: datetime) -> bool:
    """R-CI-5: whether this entry is a new check-in; claims the next 30 minutes if so.

    The row is unique per (venue, person). One statement (issue 9: no savepoint): a
    first entry inserts it; on conflict the row is moved forward only if its window
    has expired (until <= now), and a row comes back only when it was inserted or
    moved. A concurrent second insert waits for the first to commit, then finds
    `until` in the future: no row, not counted; of two entries after expiry only the
    first moves it, since the second's WHERE is checked again on the moved row.
    """
    table = connection.ops.quote_name(VisitWindow._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (venue_id, person, until) VALUES (%s, %s, %s) "  # noqa: S608 (names from the model)
            f"ON CONFLICT (venue_id, person) DO UPDATE SET until = excluded.until "
            f"WHERE {table}.until <= %s RETURNING id",
            [venue.pk, person, adapt(now + rules.VISIT_WINDOW), adapt(now)],
        )
        return cursor.fetchone() is not None


def _check_in(
    *,
    venue: Venue,
    entrance: Entrance | None,
    person: str,
    colour: str,
    method: str,
    user: User | None,
    now: datetime,
    lookup: dict | None = None,
) -> CheckIn:
    """R-CI-5's window claim and the visit (R-CI-3: a red or yellow one closed at once
    and reported); with `lookup` (the guard's look-up row of R-PR-3: actor, birth_key),
    that row first. All or nothing: one statement on PostgreSQL, else a transaction."""
    one_statement = connection.vendor == "postgresql" and not rules.is_reported(colour)
    write = _check_in_one_statement if one_statement else _check_in_orm
    return write(
        venue=venue, entrance=entrance, person=person, colour=colour, method=method, user=user, now=now, lookup=lookup
    )


@transaction.atomic
def _check_in_orm(*, venue, entrance, person, colour, method, user, now, lookup) -> CheckIn:
    if lookup is not None:
        StatusLookup.objects.create(venue=venue, person=person, colour=str(colour), at=now, **lookup)
    if not _window_claim(venue=venue, person=person, now=now):
        return CheckIn(visit=None, counted=False)
    refused = rules.is_reported(colour)  # R-CI-3: not admitted, closed at once
    visit = Visit.objects.create(
        venue=venue,
        entrance=entrance,
        person=person,
        user=user,
        method=method,
        colour=str(colour),
        entered_at=now,
        exited_at=now if refused else None,
        exit_method=ExitMethod.REFUSED if refused else None,
    )
    report = None
    if refused:
        report = DoorReport.objects.create(venue=venue, region_id=venue.region_id, at=now, colour=str(colour))
        from visitors.tasks import door_report_mail  # the tasks import this module

        enqueue(door_report_mail, report.pk)
    return CheckIn(visit=visit, counted=True, report=report)


# Issue 9 (B1, B2): on PostgreSQL an admitted entry (97 % of them) is written by one
# statement: the look-up row, the window claim of _window_claim and the visit, which is
# inserted only when the claim returned a row. Data-modifying CTEs all run, in one
# snapshot and atomically, so no BEGIN, COMMIT or savepoint; R-CI-5 under concurrency is
# _window_claim's (the upsert's WHERE). Red and yellow entries take the ORM path above:
# their door report and its outbox message belong in the same transaction.
_ONE_STATEMENT_CHECK_IN = """
    WITH lookup AS (
        INSERT INTO visitors_statuslookup (actor_id, venue_id, person, birth_key, colour, at)
        SELECT %(actor)s, %(venue)s, %(person)s, %(birth_key)s, %(colour)s, %(now)s WHERE %(lookup)s
    ), claim AS (
        INSERT INTO visitors_visitwindow (venue_id, person, until) VALUES (%(venue)s, %(person)s, %(until)s)
        ON CONFLICT (venue_id, person) DO UPDATE SET until = excluded.until
        WHERE visitors_visitwindow.until <= %(now)s RETURNING id
    ), visit AS (
        INSERT INTO visitors_visit (venue_id, entrance_id, person, user_id, method, colour, entered_at)
        SELECT %(venue)s, %(entrance)s, %(person)s, %(user)s, %(method)s, %(colour)s, %(now)s FROM claim
        RETURNING id
    )
    SELECT (SELECT id FROM visit),
           (SELECT until FROM visitors_visitwindow WHERE venue_id = %(venue)s AND person = %(person)s)
"""
# The last sub-select sees the table as the statement began: when the claim found the
# window still open, that row's `until` is the counted check-in's time + 30 minutes.


def _check_in_one_statement(*, venue, entrance, person, colour, method, user, now, lookup) -> CheckIn:
    lookup = lookup or {}
    with connection.cursor() as cursor:
        cursor.execute(
            _ONE_STATEMENT_CHECK_IN,
            {
                "lookup": bool(lookup),
                "actor": lookup["actor"].pk if lookup else None,
                "birth_key": lookup.get("birth_key"),
                "venue": venue.pk,
                "entrance": entrance.pk if entrance else None,
                "person": person,
                "user": user.pk if user else None,
                "method": str(method),
                "colour": str(colour),
                "now": now,
                "until": now + rules.VISIT_WINDOW,
            },
        )
        visit_id, until = cursor.fetchone()
    if visit_id is None:
        return CheckIn(visit=None, counted=False, repeats=until - rules.VISIT_WINDOW if until else None)
    visit = Visit(
        pk=visit_id, venue=venue, entrance=entrance, person=person, user=user, method=method, colour=str(colour)
    )
    visit.entered_at = now
    visit._state.adding, visit._state.db = False, connection.alias
    return CheckIn(visit=visit, counted=True)


@transaction.atomic
def visit_check_in(
    *,
    venue: Venue,
    entrance: Entrance | None,
    person: str,
    colour: str,
    method: str,
    user: User | None = None,
    now: datetime,
    code: QrCode | None = None,
) -> CheckIn:
    """Record an entry of `person` (a blind index, statuses.persons.person_key) at
    `venue` with the colour shown at the door.

    Raises VenueRefused for an excluded, unapproved or revoked venue (R-CI-7; with
    `code`, that code must be live). Returns CheckIn(visit=None, counted=False)
    for an entry within 30 minutes of the person's counted one there (R-CI-5),
    writing nothing. A counted red or yellow entry is closed at once and reported
    (R-CI-3).
    """
    if method not in EntryMethod.values:
        raise ValueError(f"unknown check-in method {method!r}")
    _refuse_unless_open(venue=venue, entrance=entrance, now=now, code=code)
    return _check_in(venue=venue, entrance=entrance, person=person, colour=colour, method=method, user=user, now=now)


@transaction.atomic
def visit_exit(*, venue: Venue, person: str, now: datetime, method: str = ExitMethod.SCAN) -> bool:
    """R-CI-4: close the person's latest open visit at `venue` (entered within the last
    4 hours: an older one is closed automatically). False when there is none (exit
    scans are optional, a second exit scan changes nothing)."""
    latest = (
        Visit.objects.filter(
            venue=venue,
            person=person,
            exited_at__isnull=True,
            entered_at__gt=now - rules.AUTO_CLOSE_AFTER,
            entered_at__lte=now,
        )
        .order_by("-entered_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        return False
    return Visit.objects.filter(pk=latest, exited_at__isnull=True).update(exited_at=now, exit_method=method) == 1


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


def _rate_limit(*, guard: User, venue: Venue, now: datetime, facts: DoorFacts) -> None:
    """Refuse a look-up over the guard's minute or day limit or the venue's minute
    limit (counted from StatusLookup rows in `facts`, see the module's docstring). The
    rows themselves are read (for Retry-After) only when a limit is reached: building
    their querysets on every look-up cost a tenth of its CPU (issue 9)."""
    minute_ago, day_ago = now - rules.RATE_MINUTE, now - rules.RATE_DAY
    per_minute, per_day = rules.guard_lookups_per_minute(), rules.guard_lookups_per_day()
    if facts.guard_minute >= per_minute:
        _rate_limited(
            guard=guard, venue=venue, limit="guard_minute",
            rows=StatusLookup.objects.filter(actor=guard, at__gt=minute_ago, at__lte=now),
            count=facts.guard_minute, allowed=per_minute, window=rules.RATE_MINUTE, now=now,
        )  # fmt: skip
    if facts.guard_day >= per_day:
        _rate_limited(
            guard=guard, venue=venue, limit="guard_day",
            rows=StatusLookup.objects.filter(actor=guard, at__gt=day_ago, at__lte=now),
            count=facts.guard_day, allowed=per_day, window=rules.RATE_DAY, now=now,
        )  # fmt: skip
    per_venue = rules.venue_lookups_per_minute()
    if facts.venue_minute >= per_venue:
        _rate_limited(
            guard=guard, venue=venue, limit="venue_minute",
            rows=StatusLookup.objects.filter(venue=venue, at__gt=minute_ago, at__lte=now),
            count=facts.venue_minute, allowed=per_venue, window=rules.RATE_MINUTE, now=now,
        )  # fmt: skip


def _limit_message(limit: str, retry_after: int) -> str:
    if limit == "guard_day":
        hours = max(1, -(-retry_after // 3600))
        return ngettext(
            "This phone has reached its limit of look-ups for today. Try again in %(hours)d hour.",
            "This phone has reached its limit of look-ups for today. Try again in %(hours)d hours.",
            hours,
        ) % {"hours": hours}
    if limit == "venue_minute":
        return ngettext(
            "Too many look-ups at this venue in a minute. Wait %(seconds)d second and try again.",
            "Too many look-ups at this venue in a minute. Wait %(seconds)d seconds and try again.",
            retry_after,
        ) % {"seconds": retry_after}
    return ngettext(
        "Too many look-ups in a minute. Wait %(seconds)d second and try again.",
        "Too many look-ups in a minute. Wait %(seconds)d seconds and try again.",
        retry_after,
    ) % {"seconds": retry_after}


def _rate_limited(*, guard, venue, limit, rows, count, allowed, window, now) -> None:
    # The look-up that must leave the window before the next one is taken.
    leaving = rows.order_by("at", "id").values_list("at", flat=True)[count - allowed]
    retry_after = rules.retry_after_seconds(oldest=leaving, window=window, now=now)
    _rate_limited_record(guard=guard, venue=venue, limit=limit, now=now)
    raise RateLimited(_limit_message(limit, retry_after), retry_after_seconds=retry_after, limit=limit)


@transaction.atomic
def _rate_limited_record(*, guard: User, venue: Venue, limit: str, now: datetime) -> None:
    """One audit row per guard, limit and minute (a hammering client does not flood
    the log); the guard's second minute limit within an hour flags an enumeration."""
    action = f"visitors.lookup_limit_{limit}"
    mine = AuditEvent.objects.filter(actor=guard, action=action)
    if mine.filter(at__gt=now - rules.RATE_MINUTE).exists():
        return
    audit_record(actor=guard, action=action, obj=venue, region=venue.region)
    if limit != "guard_minute":
        return
    if mine.filter(at__gt=now - rules.ENUMERATION_WINDOW).count() < rules.ENUMERATION_HITS:
        return
    _enumeration_flag(guard=guard, venue=venue, now=now, reason="limit_twice")


def birth_key(iin: str) -> str:
    """The keyed hash of an IIN's birth date (its first 6 digits): equal for people
    born on one day, meaningless without the index key."""
    return blind_index(f"birth-date:{iin[:6]}")[:16]


def _enumeration_check(*, guard: User, venue: Venue, same_day: int, now: datetime) -> None:
    """Issue 8: flag a guard who looked up ENUMERATION_SAME_BIRTH_DATE different people
    born on one day within the hour. `same_day`: how many, this look-up's person
    included (door_facts counted the others before it was written)."""
    if same_day >= rules.ENUMERATION_SAME_BIRTH_DATE:
        _enumeration_flag(guard=guard, venue=venue, now=now, reason="same_birth_date")


def _enumeration_flag(*, guard: User, venue: Venue, now: datetime, reason: str) -> None:
    """One audit row "visitors.guard_enumeration_suspected" per guard and hour, and a
    warning in the log (masked phone) for the operators' alerting."""
    flagged = AuditEvent.objects.filter(actor=guard, action="visitors.guard_enumeration_suspected")
    if flagged.filter(at__gt=now - rules.ENUMERATION_WINDOW).exists():
        return
    audit_record(
        actor=guard, action="visitors.guard_enumeration_suspected", obj=venue, region=venue.region, reason=reason
    )
    logger.warning(
        "Guard %s at venue %s: possible enumeration of IINs (%s).", masked(guard.phone or ""), venue.pk, reason
    )


def _check_guard(*, guard: User, venue: Venue, entrance: Entrance | None) -> None:
    # R-VN-7: a guard works at the one venue whose guard phone he signed in with.
    if guard.role != Role.GUARD or not guard.phone or venue.guard_phone != guard.phone:
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
    # Issue 9: R-CI-7, the rate limits, the enumeration count and occupancy in one read.
    facts = door_facts(guard=guard, venue=venue, entrance=entrance, person=person, birth=birth, now=now)
    _refuse_unless_open(venue=venue, entrance=entrance, now=now, excluded=facts.excluded, live_code=facts.live_code)
    _rate_limit(guard=guard, venue=venue, now=now, facts=facts)
    # No branch on what the registries know: a person with no record is blue by the
    # same computation as a person whose records make him blue.
    report = status_for(**key, at=now, person=person)
    checked_in = _guard_record(
        guard=guard, venue=venue, entrance=entrance, person=person, birth=birth, report=report, now=now
    )
    if birth:
        _enumeration_check(guard=guard, venue=venue, same_day=facts.same_birth_date_others + 1, now=now)
    # R-CI-6: the people inside before this look-up, and the visitor if he went in
    # (a counted entry that is not refused at the door, R-CI-3).
    entered = checked_in.counted and checked_in.visit.exited_at is None
    return GuardAnswer(
        colour=str(report.colour),
        valid_until=report.valid_until,
        fresh=report.fresh,
        last_sync_at=report.last_sync_at,
        instruction=rules.door_instruction(report.colour),
        counted=checked_in.counted,
        occupancy=occupancy(venue, now=now, inside=facts.inside + entered),
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
    return _check_in(
        venue=venue,
        entrance=entrance,
        person=person,
        colour=report.colour,
        method=EntryMethod.GUARD,
        user=None,
        now=now,
        lookup={"actor": guard, "birth_key": birth},
    )


# --- The visitor's own scans and checks (R-CI-1, R-CI-4, R-CI-8) -----------------------------


def _own_key(user: User) -> str:
    if not user.iin_index or not user.iin:
        raise IinNotLinked
    return person_key(iin=user.iin)


def citizen_scan(*, user: User, code: QrCode, now: datetime, excluded: bool | None = None) -> ScanAnswer:
    """The signed-in citizen scanned `code` (entrance and venue loaded): an entry
    code checks him in with his own status (R-CI-1; the RemoteCheck of R-CI-8 is not
    recorded here); an exit code closes his open visit there (R-CI-4). `excluded`:
    whether the venue is excluded now, when the caller knows (None: read here).

    Raises IinNotLinked (send him to link his IIN first) and VenueRefused (R-CI-7).
    """
    person = _own_key(user)
    entrance = code.entrance
    venue = entrance.venue
    # R-CI-7, checked once (issue 9), before any status is computed.
    _refuse_unless_open(venue=venue, entrance=entrance, now=now, code=code, excluded=excluded)
    if code.direction == "exit":
        closed = visit_exit(venue=venue, person=person, now=now, method=ExitMethod.SCAN)
        return ScanAnswer(direction="exit", venue_name=venue.name, entrance_name=entrance.name, closed=closed)
    report = status_for(iin=user.iin, at=now, person=person)
    # visit_check_in without its second R-CI-7 check
    checked_in = _check_in(
        venue=venue, entrance=entrance, person=person, colour=report.colour, method=EntryMethod.SCAN, user=user, now=now
    )
    return ScanAnswer(
        direction="entry",
        venue_name=venue.name,
        entrance_name=entrance.name,
        colour=str(report.colour),
        valid_until=report.valid_until,
        fresh=report.fresh,
        last_sync_at=report.last_sync_at,
        counted=checked_in.counted,
        report=report,
        repeats=checked_in.repeats,
    )


@transaction.atomic
def remote_check(*, user: User, now: datetime, count: bool = True) -> StatusReport:
    """R-CI-8: the signed-in citizen's own status, bound to no venue; it never takes
    another IIN. Counted for R-CI-9 as a RemoteCheck with the colour only (no
    identifier; no region: a citizen's account has none) unless `count` is False (the
    same person looking again soon, which the caller knows). Raises IinNotLinked."""
    _own_key(user)
    report = status_for(iin=user.iin, at=now)
    if count:
        RemoteCheck.objects.create(at=now, colour=str(report.colour), region=None)
    return report


# --- Periodic work (R-CI-4, R-PR-2, R-CI-9) -------------------------------------------------


@transaction.atomic
def visits_auto_close(*, now: datetime) -> int:
    """R-CI-4 Decided: every visit still open 4 hours after its entry is closed at
    entry + 4 h (exactly 4 h old is closed). One UPDATE; returns how many."""
    return Visit.objects.filter(exited_at__isnull=True, entered_at__lte=now - rules.AUTO_CLOSE_AFTER).update(
        exited_at=F("entered_at") + rules.AUTO_CLOSE_AFTER, exit_method=ExitMethod.AUTO
    )


@transaction.atomic
def identifiers_erase(*, now: datetime) -> int:
    """R-PR-2: visits and look-ups 28 days old or older lose the person (and the
    citizen's account); expired visit windows are deleted. The rows and the daily
    counts stay. One statement per table; returns the rows changed."""
    cutoff = now - rules.IDENTIFIER_RETENTION
    visits = Visit.objects.filter(Q(person__isnull=False) | Q(user__isnull=False), entered_at__lte=cutoff).update(
        person=None, user=None
    )
    lookups = StatusLookup.objects.filter(person__isnull=False, at__lte=cutoff).update(person=None, birth_key=None)
    windows, _deleted = VisitWindow.objects.filter(until__lte=now).delete()
    return visits + lookups + windows


_STAT_FIELDS = ("checkins", "red_at_door", "yellow_at_door", "remote_checks", "red_remote")


def _local_day_span(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return start, end


@transaction.atomic
def stats_rollup(*, day: date) -> int:
    """R-CI-9: the anonymous counts of one local day per region, computed again from
    the rows (one GROUP BY per table) and upserted; running it twice changes nothing.
    Returns the number of DailyStats rows written."""
    start, end = _local_day_span(day)
    rows: dict[int | None, dict[str, int]] = {}
    visits = (
        Visit.objects.filter(entered_at__gte=start, entered_at__lt=end)
        .values("venue__region")
        .annotate(
            checkins=Count("id"),
            red_at_door=Count("id", filter=Q(colour=Colour.RED)),
            yellow_at_door=Count("id", filter=Q(colour=Colour.YELLOW)),
        )
        .order_by()
    )
    for row in visits:
        rows.setdefault(row.pop("venue__region"), {}).update(row)
    remote = (
        RemoteCheck.objects.filter(at__gte=start, at__lt=end)
        .values("region")
        .annotate(remote_checks=Count("id"), red_remote=Count("id", filter=Q(colour=Colour.RED)))
        .order_by()
    )
    for row in remote:
        rows.setdefault(row.pop("region"), {}).update(row)
    regional = [
        DailyStats(region_id=region, day=day, **{name: counts.get(name, 0) for name in _STAT_FIELDS})
        for region, counts in rows.items()
        if region is not None
    ]
    DailyStats.objects.bulk_create(
        regional, update_conflicts=True, unique_fields=["region", "day"], update_fields=list(_STAT_FIELDS)
    )
    # A NULL region never conflicts on (region, day): its row is updated or created apart.
    national = rows.get(None)
    if national is not None:
        values = {name: national.get(name, 0) for name in _STAT_FIELDS}
        if not DailyStats.objects.filter(region__isnull=True, day=day).update(**values):
            DailyStats.objects.create(region=None, day=day, **values)
    # Rows of the day that no longer have anything behind them (never, while rows are
    # only erased, not deleted — but a recomputation must not keep stale counts).
    stale = DailyStats.objects.filter(day=day).exclude(region_id__in=[r for r in rows if r is not None])
    if national is not None:
        stale = stale.exclude(region__isnull=True)
    stale.update(**dict.fromkeys(_STAT_FIELDS, 0))
    return len(regional) + (national is not None)


# --- The report of R-CI-3, by e-mail ----------------------------------------------------------


def _sanitary_officers(region_id: int) -> list[str]:
    officers = User.objects.filter(role=Role.SANITARY, region_id=region_id, is_active=True).exclude(email="")
    return sorted(set(officers.values_list("email", flat=True)))


def door_report_send(*, report_id: int, now: datetime) -> int:
    """E-mail one door report to its region's sanitary officers, once: the report is
    claimed by a conditional update before sending, and released if sending fails
    (so a retry sends it). Returns the number of recipients (0: nothing to do)."""
    report = DoorReport.objects.filter(pk=report_id).select_related("venue").first()
    if report is None or report.mailed_at is not None:
        return 0
    recipients = _sanitary_officers(report.region_id)
    if DoorReport.objects.filter(pk=report.pk, mailed_at__isnull=True).update(mailed_at=now) != 1:
        return 0  # another run has it
    if not recipients:
        return 0
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _door_report_mail(report)
        send_mail(subject, body, None, recipients)
    except Exception:
        DoorReport.objects.filter(pk=report.pk).update(mailed_at=None)
        raise
    return len(recipients)


def _door_report_mail(report: DoorReport) -> tuple[str, str]:
    """Venue, address, time and colour — no name, no identifier (R-CI-3)."""
    colour = Colour(report.colour).label
    subject = _g("Ashyq: a %(colour)s visitor at %(venue)s") % {"colour": colour, "venue": report.venue.name}
    lines = [
        _g("A visitor with the %(colour)s status came to the door and was not admitted.") % {"colour": colour},
        "",
        _g("Venue: %(name)s") % {"name": report.venue.name},
        _g("Address: %(address)s") % {"address": report.venue.address},
        _g("Time: %(time)s") % {"time": f"{timezone.localtime(report.at):%d.%m.%Y %H:%M}"},
        _g("Status: %(colour)s") % {"colour": colour},
    ]
    return subject, "\n".join(lines)


__all__ = [
    "CheckIn",
    "GuardAnswer",
    "IinNotLinked",
    "LinkRefused",
    "RateLimited",
    "ScanAnswer",
    "ValidationError",
    "VenueRefused",
    "citizen_link_iin",
    "citizen_scan",
    "door_report_send",
    "guard_lookup",
    "identifiers_erase",
    "remote_check",
    "stats_rollup",
    "visit_check_in",
    "visit_exit",
    "visits_auto_close",
]
