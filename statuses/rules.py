"""The colour status (docs/rules.md §4) as pure functions of the registry records and a moment.

Nothing here reads the database, the settings or the clock: the records and the moment
come in as arguments (R-ST-8: a status is derived, never stored as truth).

Every record has an *effect*: a colour over a half-open interval ``[start, end)``
(``end`` None = no end). The status at a moment is the highest colour among the effects
that apply then (R-ST-2); it can only change at the start or end of some effect, so the
next change is found by looking at those boundaries only.

Decisions where §4 leaves room (keep them unless an issue changes them):

- The record behind a colour (``Status.record``) is, among the records giving that colour
  at that moment, the one whose effect lasts longest (no end beats any end); on a tie the
  one that began first, then the smaller ``ref``. So a vaccinated person's green is the
  vaccination, and a red stays on one positive PCR until a later positive outlasts it.
- ``valid_until`` is the first moment the *colour* changes (R-ST-7). A switch of the
  record behind the same colour (a second positive PCR during red, a vaccination taking
  over from a negative PCR) does not end it; ``changes_at`` is the first moment the
  colour, rule *or* record changes, and is what a cache of the whole Status should use.
- ``registry`` names the registry of ``record`` ("pcr", "contacts", "vaccinations"), as
  a ref is unique within one registry only.
- ``since`` is the moment the current colour, rule and record began to apply together
  (the start of the current element of ``timeline``); None when that has held for as
  long as the records go back.
- PCR effects count from ``sampled_at`` (R-ST-3, R-ST-5 say "sample time");
  ``resulted_at`` is not used, so a late result changes the past, as R-ST-8 expects.
- A vaccination is completed when ``1 <= doses_in_scheme <= dose`` (a booster counts);
  a malformed scheme (``doses_in_scheme < 1``) never makes anyone green.
- A contact registered on or after 00:00 of contact_date + 14 never makes yellow.
- All arithmetic is done in UTC (72 hours are 72 real hours even across the 2024 change
  of Almaty's offset from +06:00 to +05:00); day boundaries are local midnights. The
  datetimes returned in a Status are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.functional import lazy
from django.utils.translation import gettext

LOCAL_ZONE = ZoneInfo("Asia/Almaty")

RED_DAYS = 14  # R-ST-3
YELLOW_DAYS = 14  # R-ST-4
NEGATIVE_PCR_GREEN = timedelta(hours=72)  # R-ST-5

# Retention of the registry copies (docs/rules.md, R-PR-2 "ours"). A PCR result or a
# contact acts for 14 calendar days at most (R-ST-3, R-ST-4; a negative PCR 72 hours),
# from its sample or contact date: EFFECT_MAX, with a day for the local midnight and the
# offset changes. One whose date is RECORDS_KEPT old has acted for the last time more
# than a month ago, so deleting it changes no colour at any moment after HISTORY_SETTLED
# ago: the history (R-ST-10) before then is settled, kept as it stands and never judged
# again from the records left. A vaccination acts with no end (R-ST-5): kept.
EFFECT_MAX = timedelta(days=RED_DAYS + 1)
RECORDS_KEPT = timedelta(days=45)
HISTORY_SETTLED = RECORDS_KEPT - EFFECT_MAX  # 30 days
# The colour history itself is kept for a year, like the staff audit log (R-PR-2), and
# beyond it the change still in force then: a citizen always sees why his colour is his.
HISTORY_KEPT = timedelta(days=365)


class Colour(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    BLUE = "blue"


# R-ST-2: red > yellow > green > blue.
PRECEDENCE = (Colour.RED, Colour.YELLOW, Colour.GREEN, Colour.BLUE)

RULES = {
    Colour.RED: "R-ST-3",
    Colour.YELLOW: "R-ST-4",
    Colour.GREEN: "R-ST-5",
    Colour.BLUE: "R-ST-1",
}


def _require_aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _require_date(name: str, value: date) -> None:
    # datetime is a subclass of date; a datetime here would silently shift the day.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}")


@dataclass(frozen=True)
class PcrRecord:
    ref: str
    positive: bool
    sampled_at: datetime
    resulted_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware("sampled_at", self.sampled_at)
        if self.resulted_at is not None:
            _require_aware("resulted_at", self.resulted_at)


@dataclass(frozen=True)
class ContactRecord:
    ref: str
    contact_date: date
    registered_at: datetime

    def __post_init__(self) -> None:
        _require_date("contact_date", self.contact_date)
        _require_aware("registered_at", self.registered_at)


@dataclass(frozen=True)
class VaccinationRecord:
    ref: str
    dose: int
    doses_in_scheme: int
    administered_on: date

    def __post_init__(self) -> None:
        _require_date("administered_on", self.administered_on)

    @property
    def completes_scheme(self) -> bool:
        """True for the final dose of the scheme or any later one (R-ST-5)."""
        return 1 <= self.doses_in_scheme <= self.dose


@dataclass(frozen=True)
class Status:
    colour: Colour
    # R-ST-7: the first moment the colour changes on its own; None = no change ahead.
    valid_until: datetime | None
    rule: str
    record: str | None
    # A lazy string: it is translated when str() is called, in the language active then.
    reason: str
    since: datetime | None = None
    # The first moment the colour, rule or record changes (<= valid_until); None = never.
    changes_at: datetime | None = None
    # The registry of ``record`` as named in the registry contract: "pcr", "contacts",
    # "vaccinations" (a ref is unique within one registry only); None for blue.
    registry: str | None = None


def local_midnight(day: date) -> datetime:
    """00:00 in Asia/Almaty at the start of ``day``, as an aware local datetime."""
    _require_date("day", day)
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)


def local_date(moment: datetime) -> date:
    """The Asia/Almaty calendar date of an aware datetime."""
    _require_aware("moment", moment)
    return moment.astimezone(LOCAL_ZONE).date()


def red_until(pcr: PcrRecord) -> datetime:
    """R-ST-3: 00:00 local of the 14th day after the local sample date."""
    return local_midnight(local_date(pcr.sampled_at) + timedelta(days=RED_DAYS))


def yellow_until(contact: ContactRecord) -> datetime:
    """R-ST-4: 00:00 local of the 14th day after the contact date."""
    return local_midnight(contact.contact_date + timedelta(days=YELLOW_DAYS))


def green_until(pcr: PcrRecord) -> datetime:
    """R-ST-5: 72 real hours after the sample (green up to the microsecond before)."""
    return pcr.sampled_at.astimezone(UTC) + NEGATIVE_PCR_GREEN


def vaccinated_from(vaccination: VaccinationRecord) -> datetime:
    """R-ST-5 (Decided): 00:00 local of the day after the final dose."""
    return local_midnight(vaccination.administered_on + timedelta(days=1))


# --- Reasons --------------------------------------------------------------------------
# Built lazily so that the words and month names follow the language active when the
# caller renders them, not the one active when the status was computed.


def _when(moment: datetime | None) -> str:
    return "" if moment is None else dateformat.format(moment.astimezone(LOCAL_ZONE), "j E H:i")


def _day(day: date | None) -> str:
    return "" if day is None else dateformat.format(day, "j E")


def _reason_text(kind: str, moment: datetime | None, day: date | None) -> str:
    if kind == "pcr_positive":
        return gettext("PCR positive, sampled {when}").format(when=_when(moment))
    if kind == "contact":
        return gettext("Close contact on {day}").format(day=_day(day))
    if kind == "pcr_negative":
        return gettext("PCR negative, sampled {when}").format(when=_when(moment))
    if kind == "vaccination":
        return gettext("Vaccinated, final dose on {day}").format(day=_day(day))
    return gettext("No PCR result, contact or vaccination in force")


_lazy_reason = lazy(_reason_text, str)


def _settled_reason_text(colour: str, registry: str) -> str:
    if colour == Colour.RED:
        return gettext("PCR positive")
    if colour == Colour.YELLOW:
        return gettext("Close contact")
    if colour == Colour.GREEN and registry == "vaccinations":
        return gettext("Vaccinated")
    if colour == Colour.GREEN:
        return gettext("PCR negative")
    return gettext("No PCR result, contact or vaccination in force")


_lazy_settled_reason = lazy(_settled_reason_text, str)


def settled_reason(colour: str, registry: str) -> str:
    """The cause of a settled change of colour whose record is no longer kept
    (RECORDS_KEPT): its kind, from the colour and the registry the change names,
    without the record's date."""
    return _lazy_settled_reason(colour, registry)


# --- The engine -----------------------------------------------------------------------


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_REGISTRIES = {"pcr_positive": "pcr", "pcr_negative": "pcr", "contact": "contacts", "vaccination": "vaccinations"}


# R-ST-2: the place of each colour in the precedence (lower wins).
_RANK = {colour: rank for rank, colour in enumerate(PRECEDENCE)}


class _Effect:
    """A record's colour over ``[start, end)`` (a plain slotted class: the sync builds millions)."""

    __slots__ = ("colour", "start", "end", "ref", "kind", "moment", "day", "rank", "decisive")

    def __init__(
        self,
        colour: Colour,
        start: datetime,  # UTC
        end: datetime | None,  # UTC; None = no end
        ref: str,
        kind: str,
        moment: datetime | None = None,
        day: date | None = None,
    ) -> None:
        self.colour, self.start, self.end, self.ref, self.kind = colour, start, end, ref, kind
        self.moment, self.day = moment, day
        self.rank = _RANK[colour]
        # Lasts longest first (no end beats any end), then began first, then by ref.
        lasts = -(end - _EPOCH) if end else timedelta(0)
        self.decisive = (end is not None, lasts, start, ref)

    def applies_at(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)

    @property
    def registry(self) -> str:
        return _REGISTRIES[self.kind]

    def decisive_key(self) -> tuple[bool, timedelta, datetime, str]:
        return self.decisive


def _effects(
    pcrs: Iterable[PcrRecord], contacts: Iterable[ContactRecord], vaccinations: Iterable[VaccinationRecord]
) -> list[_Effect]:
    effects = []
    for pcr in pcrs:
        sampled = pcr.sampled_at.astimezone(UTC)
        if pcr.positive:  # R-ST-3
            end = red_until(pcr).astimezone(UTC)
            effects.append(_Effect(Colour.RED, sampled, end, pcr.ref, "pcr_positive", moment=sampled))
        else:  # R-ST-5
            effects.append(_Effect(Colour.GREEN, sampled, green_until(pcr), pcr.ref, "pcr_negative", moment=sampled))
    for contact in contacts:  # R-ST-4
        start = contact.registered_at.astimezone(UTC)
        # Registered on or after its end: an empty interval that never applies.
        end = yellow_until(contact).astimezone(UTC)
        effects.append(_Effect(Colour.YELLOW, start, end, contact.ref, "contact", day=contact.contact_date))
    for vaccination in vaccinations:  # R-ST-5 (Decided)
        if vaccination.completes_scheme:
            start = vaccinated_from(vaccination).astimezone(UTC)
            effects.append(
                _Effect(Colour.GREEN, start, None, vaccination.ref, "vaccination", day=vaccination.administered_on)
            )
    return effects


def _decide(effects: Sequence[_Effect], at: datetime) -> tuple[Colour, _Effect | None]:
    """R-ST-2: the first colour in precedence that some effect gives at ``at``.

    Among the effects of that colour, the one with the smallest decisive key (the first
    such in ``effects`` on a tie), as ``min`` would pick it.
    """
    best = None
    for effect in effects:
        if effect.start <= at and (effect.end is None or at < effect.end):
            if (
                best is None
                or effect.rank < best.rank
                or (effect.rank == best.rank and effect.decisive < best.decisive)
            ):
                best = effect
    if best is None:
        return Colour.BLUE, None  # R-ST-1
    return best.colour, best


class _Run:
    """A stretch of time with one colour, rule and record: ``[since, changes_at)``."""

    __slots__ = ("since", "colour", "effect", "key")

    def __init__(self, since: datetime | None, colour: Colour, effect: _Effect | None) -> None:
        self.since, self.colour, self.effect = since, colour, effect
        # Refs are unique within one registry only: PCR "5" and vaccination "5" differ.
        self.key = (colour, None, None) if effect is None else (colour, _REGISTRIES[effect.kind], effect.ref)


def _runs(effects: Sequence[_Effect]) -> list[_Run]:
    """The whole history as consecutive runs; the first one starts at None (always)."""
    boundaries = sorted({effect.start for effect in effects} | {effect.end for effect in effects if effect.end})
    runs = [_Run(None, Colour.BLUE, None)]  # before any record nothing applies
    last = runs[0].key
    for boundary in boundaries:
        colour, effect = _decide(effects, boundary)
        key = (colour, None, None) if effect is None else (colour, _REGISTRIES[effect.kind], effect.ref)
        if key != last:
            runs.append(_Run(boundary, colour, effect))
            last = key
    return runs


_UNKNOWN = object()


def _status(runs: Sequence[_Run], index: int, *, valid_until=_UNKNOWN) -> Status:
    run = runs[index]
    changes_at = runs[index + 1].since if index + 1 < len(runs) else None
    if valid_until is _UNKNOWN:
        valid_until = next((runs[i].since for i in range(index + 1, len(runs)) if runs[i].colour != run.colour), None)
    effect = run.effect
    return Status(
        colour=run.colour,
        valid_until=valid_until,
        rule=RULES[run.colour],
        record=effect.ref if effect else None,
        reason=_lazy_reason(
            effect.kind if effect else "none", effect.moment if effect else None, effect.day if effect else None
        ),
        since=run.since,
        changes_at=changes_at,
        registry=effect.registry if effect else None,
    )


def _run_index(runs: Sequence[_Run], at: datetime) -> int:
    index = 0
    for position, run in enumerate(runs):
        if run.since is not None and run.since > at:
            break
        index = position
    return index


def status_at(
    *,
    pcrs: Iterable[PcrRecord],
    contacts: Iterable[ContactRecord],
    vaccinations: Iterable[VaccinationRecord],
    at: datetime,
) -> Status:
    """The colour status at ``at`` (R-ST-1..R-ST-7), with its validity, rule and record.

    Records sampled, registered or taking effect after ``at`` do not apply yet, but they
    bound ``valid_until`` and ``changes_at``.
    """
    _require_aware("at", at)
    runs = _runs(_effects(pcrs, contacts, vaccinations))
    return _status(runs, _run_index(runs, at.astimezone(UTC)))


def timeline(
    *,
    pcrs: Iterable[PcrRecord],
    contacts: Iterable[ContactRecord],
    vaccinations: Iterable[VaccinationRecord],
    start: datetime,
    end: datetime,
) -> list[Status]:
    """Every change of colour, rule or record in ``[start, end)`` (R-ST-10).

    The first element is ``status_at(start)`` (its ``since`` may be before ``start``);
    each next one begins at the previous one's ``changes_at``.
    """
    _require_aware("start", start)
    _require_aware("end", end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise ValueError("end must be after start")
    runs = _runs(_effects(pcrs, contacts, vaccinations))
    first = _run_index(runs, start)
    statuses = [_status(runs, first)]
    for index in range(first + 1, len(runs)):
        since = runs[index].since  # every run but the first has one
        if since is not None and since >= end:
            break
        statuses.append(_status(runs, index))
    return statuses


def _colour_change_runs(
    pcrs: Iterable[PcrRecord],
    contacts: Iterable[ContactRecord],
    vaccinations: Iterable[VaccinationRecord],
    end: datetime,
) -> tuple[list[_Run], list[int], list[datetime | None]]:
    """The runs, the indices of those that change the colour before `end`, and each run's valid_until."""
    _require_aware("end", end)
    start, end = _EPOCH, end.astimezone(UTC)
    if end <= start:
        raise ValueError("end must be after start")
    runs = _runs(_effects(pcrs, contacts, vaccinations))
    # valid_until of each run (R-ST-7): the start of the first later run of another
    # colour, found in one pass from the end instead of a scan per run.
    valid_until: list[datetime | None] = [None] * len(runs)
    for index in range(len(runs) - 2, -1, -1):
        after = runs[index + 1]
        valid_until[index] = after.since if after.colour != runs[index].colour else valid_until[index + 1]
    first = _run_index(runs, start)
    indices = []
    colour = Colour.BLUE  # before any record (R-ST-1)
    for index in range(first, len(runs)):
        run = runs[index]
        if index > first and run.since is not None and run.since >= end:
            break
        if run.since is not None and run.colour != colour:
            indices.append(index)
        colour = run.colour
    return runs, indices, valid_until


def colour_changes(
    *,
    pcrs: Iterable[PcrRecord],
    contacts: Iterable[ContactRecord],
    vaccinations: Iterable[VaccinationRecord],
    end: datetime,
) -> list[Status]:
    """The changes of *colour* before ``end``, oldest first, each with its cause (R-ST-10).

    Exactly the elements of ``timeline(start=1970-01-01, end=end)`` whose colour differs
    from the one before (blue before any record) and that have a ``since``; only those
    are built, so a person's history costs little more than his runs.
    """
    runs, indices, valid_until = _colour_change_runs(pcrs, contacts, vaccinations, end)
    return [_status(runs, index, valid_until=valid_until[index]) for index in indices]


def colour_change_keys(
    *,
    pcrs: Iterable[PcrRecord],
    contacts: Iterable[ContactRecord],
    vaccinations: Iterable[VaccinationRecord],
    end: datetime,
) -> list[tuple[datetime, Colour, str, str | None, str | None]]:
    """``(since, colour, rule, registry, record)`` of each of ``colour_changes``, and nothing else.

    What the stored history keeps of a change (R-ST-10), without building a Status and
    its reason: the registry sync computes this for every person a page touches.
    """
    runs, indices, _valid_until = _colour_change_runs(pcrs, contacts, vaccinations, end)
    keys: list[tuple[datetime, Colour, str, str | None, str | None]] = []
    for index in indices:
        run, effect = runs[index], runs[index].effect
        if run.since is None:  # the run before any record: never a change (_colour_change_runs)
            continue
        if effect is None:
            keys.append((run.since, run.colour, RULES[run.colour], None, None))
        else:
            keys.append((run.since, run.colour, RULES[run.colour], _REGISTRIES[effect.kind], effect.ref))
    return keys
