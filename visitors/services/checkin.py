"""Check-ins at the door (docs/rules.md §7): the visitor's own scans, the guard's writes,
exits, and the remote check.

- `visit_check_in` counts one visit per person and venue within 30 minutes
  (R-CI-5): a `VisitWindow` row per (venue, person), unique in the database, is
  claimed by an INSERT or a conditional UPDATE, so two simultaneous requests make one
  visit whatever the isolation level.
- An entry within those 30 minutes after the person's exit (scanned, or recorded by
  the guard) is the same check-in, and he is inside again: the closed visit is
  reopened, nothing new is counted (R-CI-5 with R-CI-6).
- A red or yellow visitor (R-CI-3) is checked in (the counts of R-CI-9 see him at the
  door) but closed at once ("not admitted"), so he never counts inside (R-CI-6); a
  `DoorReport` is written and mailed to the region's sanitary officers. Only a
  counted entry reports: a re-scan of the same red visitor within 30 minutes changes
  nothing, as R-CI-5 says of any re-scan.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import User
from ashyq.queue import enqueue
from statuses.persons import person_key
from statuses.selectors import StatusReport, status_for
from venues.models import Entrance, QrCode, Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import kind_at
from visitors import rules
from visitors.models import (
    DoorReport,
    EntryMethod,
    ExitMethod,
    RemoteCheck,
    StatusLookup,
    Visit,
    VisitWindow,
)
from visitors.tasks import door_report_mail


class VenueRefused(Exception):
    """R-CI-7: the venue does not take check-ins. `message` says why, in the user's
    language; `reason` is "excluded", "not_approved" or "revoked"."""

    def __init__(self, message, *, reason: str):
        super().__init__(str(message))
        self.message = message
        self.reason = reason


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
    # Not counted, but the person had left within the 30 minutes and is back inside:
    # his visit was reopened (R-CI-5 with R-CI-6).
    reopened: bool = False

    @property
    def inside(self) -> bool:
        """Whether this entry put the person inside (R-CI-6): a counted entry not
        refused at the door (R-CI-3), or a reopened visit."""
        return self.reopened or (self.counted and self.visit is not None and self.visit.exited_at is None)


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
    reopened: bool = False  # not counted, back inside after an exit (R-CI-5)


EXCLUDED_MESSAGE = _(
    "This venue is excluded from Ashyq for now: its QR codes do not work and check-ins are not recorded."
)
_NOT_APPROVED = _("This venue is not approved in Ashyq yet: check-ins are not recorded.")
_REVOKED = _("This QR code has been replaced by the venue and no longer works. Scan the code on the door.")
_NO_LIVE_CODES = _("This venue's QR codes are revoked: check-ins are not recorded.")


def refuse_unless_open(
    *,
    venue: Venue,
    entrance: Entrance | None,
    now: datetime,
    code: QrCode | None = None,
    standing: str | None = None,
    live_code: bool | None = None,
) -> None:
    """R-CI-7: a venue whose standing at `now` (R-VN-9) is excluded or awaiting its
    return (R-MN-4), or one never approved (codes not issued), or one whose codes are
    revoked, takes no check-in. With `code` (a scan) that code must be live; without (a
    guard), the entrance (or the venue) must have a live code. `standing` and
    `live_code`: the answers when the caller read them already (None: read here)."""
    if standing is None:
        standing = kind_at(venue, now)
    if standing in standing_rules.EXCLUDED_KINDS:
        raise VenueRefused(EXCLUDED_MESSAGE, reason="excluded")
    if standing not in standing_rules.WORKING:
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

    The row is unique per (venue, person). One statement, so no savepoint: a
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


def check_in_record(
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
    and reported); with `lookup` (the guard's look-up row of R-PR-3: actor, birth_key,
    company_id), that row first. All or nothing: one statement on PostgreSQL, else a
    transaction."""
    one_statement = connection.vendor == "postgresql" and not rules.is_reported(colour)
    write = _check_in_one_statement if one_statement else _check_in_orm
    return write(
        venue=venue, entrance=entrance, person=person, colour=colour, method=method, user=user, now=now, lookup=lookup
    )


# R-CI-5 with R-CI-6: the exits after which an entry within the 30 minutes reopens
# the visit. Not a refusal at the door (R-CI-3: never inside) nor an automatic close
# (4 hours after the entry, long past the 30 minutes).
REOPENED_EXITS = (ExitMethod.SCAN, ExitMethod.GUARD)


def _visit_reopen(*, venue: Venue, person: str, now: datetime) -> bool:
    """The person's visit of the open 30-minute window, closed by his exit, is open
    again (the one counted check-in of the window: R-CI-5)."""
    return (
        Visit.objects.filter(
            venue=venue,
            person=person,
            entered_at__gt=now - rules.VISIT_WINDOW,
            entered_at__lte=now,
            exit_method__in=REOPENED_EXITS,
        ).update(exited_at=None, exit_method=None)
        > 0
    )


@transaction.atomic
def _check_in_orm(*, venue, entrance, person, colour, method, user, now, lookup) -> CheckIn:
    if lookup is not None:
        StatusLookup.objects.create(venue=venue, person=person, colour=str(colour), at=now, **lookup)
    if not _window_claim(venue=venue, person=person, now=now):
        reopened = not rules.is_reported(colour) and _visit_reopen(venue=venue, person=person, now=now)
        return CheckIn(visit=None, counted=False, reopened=reopened)
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
        enqueue(door_report_mail, report.pk)
    return CheckIn(visit=visit, counted=True, report=report)


# B1, B2: on PostgreSQL an admitted entry (97 % of them) is written by one
# statement: the look-up row, the window claim of _window_claim and the visit, which is
# inserted only when the claim returned a row — or, when it returned none, the reopening
# of the window's visit closed by an exit (_visit_reopen; its condition on `claim` is
# decided once, before any row is read). Data-modifying CTEs all run, in one
# snapshot and atomically, so no BEGIN, COMMIT or savepoint; R-CI-5 under concurrency is
# _window_claim's (the upsert's WHERE). Red and yellow entries take the ORM path above:
# their door report and its outbox message belong in the same transaction. Two paths
# must not drift: visitors/tests/test_checkin_paths.py runs random sequences of entries
# and exits through both and requires the same rows and answers.
_ONE_STATEMENT_CHECK_IN = """
    WITH lookup AS (
        INSERT INTO visitors_statuslookup (actor_id, venue_id, company_id, person, birth_key, colour, at)
        SELECT %(actor)s, %(venue_id)s, %(company)s, %(person)s, %(birth_key)s, %(colour)s, %(now)s WHERE %(lookup)s
    ), claim AS (
        INSERT INTO visitors_visitwindow (venue_id, person, until) VALUES (%(venue_id)s, %(person)s, %(until)s)
        ON CONFLICT (venue_id, person) DO UPDATE SET until = excluded.until
        WHERE visitors_visitwindow.until <= %(now)s RETURNING id
    ), visit AS (
        INSERT INTO visitors_visit (venue_id, entrance_id, person, user_id, method, colour, entered_at)
        SELECT %(venue_id)s, %(entrance_id)s, %(person)s, %(user_id)s, %(method)s, %(colour)s, %(now)s FROM claim
        RETURNING id
    ), reopen AS (
        UPDATE visitors_visit SET exited_at = NULL, exit_method = NULL
        WHERE venue_id = %(venue_id)s AND person = %(person)s AND entered_at > %(window_start)s
          AND entered_at <= %(now)s AND exit_method = ANY(%(reopened_exits)s) AND NOT EXISTS (SELECT FROM claim)
        RETURNING id
    )
    SELECT (SELECT id FROM visit),
           (SELECT until FROM visitors_visitwindow WHERE venue_id = %(venue_id)s AND person = %(person)s),
           EXISTS (SELECT FROM reopen)
"""
# The last sub-select sees the table as the statement began: when the claim found the
# window still open, that row's `until` is the counted check-in's time + 30 minutes.


def _check_in_one_statement(*, venue, entrance, person, colour, method, user, now, lookup) -> CheckIn:
    lookup = lookup or {}
    # The visit's columns, as the statement writes them and as the instance is loaded.
    row = {
        "venue_id": venue.pk,
        "entrance_id": entrance.pk if entrance else None,
        "person": person,
        "user_id": user.pk if user else None,
        "method": str(method),
        "colour": str(colour),
        "entered_at": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _ONE_STATEMENT_CHECK_IN,
            {
                **row,
                "lookup": bool(lookup),
                "actor": lookup["actor"].pk if lookup else None,
                "birth_key": lookup.get("birth_key"),
                "company": lookup.get("company_id"),
                "now": now,
                "until": now + rules.VISIT_WINDOW,
                "window_start": now - rules.VISIT_WINDOW,
                "reopened_exits": [str(method) for method in REOPENED_EXITS],
            },
        )
        visit_id, until, reopened = cursor.fetchone()
    if visit_id is None:
        repeats = until - rules.VISIT_WINDOW if until else None
        return CheckIn(visit=None, counted=False, repeats=repeats, reopened=reopened)
    # Loaded as the ORM loads a row (Model.from_db: a later save() updates it), with
    # the instances the caller has.
    written = {**row, "id": visit_id}
    names = [field.attname for field in Visit._meta.concrete_fields]
    visit = Visit.from_db(connection.alias, names, [written.get(name) for name in names])
    visit.venue, visit.entrance, visit.user = venue, entrance, user
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
    refuse_unless_open(venue=venue, entrance=entrance, now=now, code=code)
    return check_in_record(
        venue=venue, entrance=entrance, person=person, colour=colour, method=method, user=user, now=now
    )


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


@transaction.atomic
def visit_exit_anonymous(*, venue: Venue, now: datetime) -> bool:
    """R-CI-6 Decided: one exit of somebody the guard does not name closes the oldest
    open visit at `venue` (entered within the last 4 hours), preferring one the guard
    entered (a visitor without a phone, the one such an exit is for). False when
    nobody is inside. A conditional update: two exits at once close two visits."""
    open_visits = Visit.objects.filter(
        venue=venue, exited_at__isnull=True, entered_at__gt=now - rules.AUTO_CLOSE_AFTER, entered_at__lte=now
    )
    for candidates in (open_visits.filter(method=EntryMethod.GUARD), open_visits):
        for pk in candidates.order_by("entered_at", "id").values_list("pk", flat=True)[:5]:
            if Visit.objects.filter(pk=pk, exited_at__isnull=True).update(exited_at=now, exit_method=ExitMethod.GUARD):
                return True
    return False


# --- The visitor's own scans and checks (R-CI-1, R-CI-4, R-CI-8) -----------------------------


def _own_key(user: User) -> str:
    if not user.iin_index or not user.iin:
        raise IinNotLinked
    return person_key(iin=user.iin)


def citizen_scan(*, user: User, code: QrCode, now: datetime, standing: str | None = None) -> ScanAnswer:
    """The signed-in citizen scanned `code` (entrance and venue loaded): an entry
    code checks him in with his own status (R-CI-1; the RemoteCheck of R-CI-8 is not
    recorded here); an exit code closes his open visit there (R-CI-4). `standing`: the
    venue's standing now, when the caller knows (None: read here).

    Raises IinNotLinked (send him to link his IIN first) and VenueRefused (R-CI-7).
    """
    person = _own_key(user)
    entrance = code.entrance
    venue = entrance.venue
    # R-CI-7, checked once, before any status is computed.
    refuse_unless_open(venue=venue, entrance=entrance, now=now, code=code, standing=standing)
    if code.direction == "exit":
        closed = visit_exit(venue=venue, person=person, now=now, method=ExitMethod.SCAN)
        return ScanAnswer(direction="exit", venue_name=venue.name, entrance_name=entrance.name, closed=closed)
    report = status_for(iin=user.iin, at=now, person=person)
    # visit_check_in without its second R-CI-7 check
    checked_in = check_in_record(
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
        reopened=checked_in.reopened,
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
