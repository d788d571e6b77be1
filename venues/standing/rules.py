"""A venue's standing over time (R-VN-9), as pure functions on its history.

The history is a list of intervals in time order that never overlap: applied, test
mode, participant or volunteer, leader, excluded, excluded and awaiting the owner's
return. Each service that changes the standing calls one of the operations below at
the moment of the change (`at`): what lies before `at` is kept as it was (the past is
never rewritten), and the course from `at` on is replaced, with the transitions that
are already known (test mode ends 7 × 24 h after the first issue, an exclusion's end,
a leader term's end) written ahead as intervals of their own.

Replaying a venue's events through the same operations in time order (`replay`) gives
the history the services wrote: the data migration builds the history that way, and
`manage.py standing_check` compares the two.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.utils import timezone

# R-VN-5 Decided: test mode lasts exactly 7 × 24 hours from the first issue of codes.
TEST_MODE = timedelta(days=7)

APPLIED = "applied"
TEST_MODE_KIND = "test_mode"
PARTICIPANT = "participant"
VOLUNTEER = "volunteer"
LEADER = "leader"
EXCLUDED = "excluded"
AWAITING_RETURN = "awaiting_return"

KINDS = (APPLIED, TEST_MODE_KIND, PARTICIPANT, VOLUNTEER, LEADER, EXCLUDED, AWAITING_RETURN)
# R-CI-7: the venue's codes work (a scan or a guard's entry is a check-in).
WORKING = frozenset({TEST_MODE_KIND, PARTICIPANT, VOLUNTEER, LEADER})
# R-VN-6: on the region's public list of participants (volunteers marked as such).
LISTED = frozenset({PARTICIPANT, VOLUNTEER, LEADER})
# R-OP-2: the participants' conditions (test mode counts; volunteers do not get them).
PREFERENCES = frozenset({TEST_MODE_KIND, PARTICIPANT, LEADER})
# R-MN-4 Decided: excluded from the start of the exclusion until the return is accepted.
EXCLUDED_KINDS = frozenset({EXCLUDED, AWAITING_RETURN})

# Why an interval began (shown with the history).
ISSUE = "issue"  # the first issue of the venue's codes
TEST_MODE_END = "test_mode_end"
SANCTION = "sanction"  # an exclusion took effect (ref: the sanction)
SANCTION_END = "sanction_end"  # the exclusion's term ended; the owner may ask to return
RETURN = "return"  # the owner's return was accepted
LIFT = "lift"  # the exclusion was lifted: cancelled on appeal or withdrawn (R-MN-2, R-MN-5)
LEADER_TERM = "leader"  # the commission's decision (ref: the decision)
LEADER_END = "leader_end"
CREATED = "created"  # the venue was approved without codes yet
CAUSES = (CREATED, ISSUE, TEST_MODE_END, SANCTION, SANCTION_END, RETURN, LIFT, LEADER_TERM, LEADER_END)


@dataclass(frozen=True)
class Interval:
    """[starts_at, ends_at) of one standing; `ends_at` None: until further notice."""

    kind: str
    starts_at: datetime
    ends_at: datetime | None
    cause: str
    ref: int | None = None

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment and (self.ends_at is None or moment < self.ends_at)

    def overlaps(self, start: datetime, end: datetime | None) -> bool:
        """Whether it shares a moment with [start, end) (end None: open)."""
        return (end is None or self.starts_at < end) and (self.ends_at is None or start < self.ends_at)


History = Sequence[Interval]


def at(history: History, moment: datetime) -> Interval | None:
    """The interval in force at `moment`, or None (before the venue existed: applied)."""
    for interval in history:
        if interval.covers(moment):
            return interval
    return None


def kind_at(history: History, moment: datetime) -> str:
    found = at(history, moment)
    return found.kind if found else APPLIED


def check(history: History) -> None:
    """Raise ValueError unless the intervals are in order, non-empty and disjoint (the
    database's exclusion constraint on PostgreSQL, this check everywhere)."""
    for interval in history:
        if interval.kind not in KINDS:
            raise ValueError(f"unknown standing {interval.kind!r}")
        if interval.ends_at is not None and interval.ends_at <= interval.starts_at:
            raise ValueError(f"empty or reversed interval {interval}")
    for before, after in zip(history, history[1:], strict=False):
        if before.ends_at is None or before.ends_at > after.starts_at:
            raise ValueError(f"overlapping intervals {before} and {after}")


# --- The operations ------------------------------------------------------------------------


def splice(history: History, moment: datetime, course: Iterable[Interval]) -> list[Interval]:
    """`history` up to `moment`, then `course` (which starts at `moment`): the interval
    in force at `moment` ends there, everything after it is replaced."""
    kept = []
    for interval in history:
        if interval.starts_at >= moment:
            continue
        if interval.ends_at is None or interval.ends_at > moment:
            interval = replace(interval, ends_at=moment)
        kept.append(interval)
    result = kept + [
        interval for interval in course if interval.ends_at is None or interval.ends_at > interval.starts_at
    ]
    check(result)
    return result


def base_kind(*, volunteer: bool) -> str:
    """A venue past test mode and not excluded: a participant, or a volunteer (R-VN-6)."""
    return VOLUNTEER if volunteer else PARTICIPANT


def opened(history: History, moment: datetime) -> list[Interval]:
    """An approved venue, codes not issued yet (`applied`)."""
    return splice(history, moment, [Interval(APPLIED, moment, None, CREATED)])


def issued(history: History, moment: datetime, *, volunteer: bool) -> list[Interval]:
    """R-VN-5: the first issue of codes starts test mode for exactly 7 × 24 hours; then
    the venue is a participant (or a volunteer)."""
    ends = moment + TEST_MODE
    return splice(
        history,
        moment,
        [
            Interval(TEST_MODE_KIND, moment, ends, ISSUE),
            Interval(base_kind(volunteer=volunteer), ends, None, TEST_MODE_END),
        ],
    )


def excluded(history: History, moment: datetime, *, until: datetime, sanction: int) -> list[Interval]:
    """R-MN-4: excluded from `moment` to `until`, then awaiting the owner's return. Any
    course planned after `moment` (a leader term, an earlier exclusion's rest) ends."""
    return splice(
        history,
        moment,
        [
            Interval(EXCLUDED, moment, until, SANCTION, sanction),
            Interval(AWAITING_RETURN, until, None, SANCTION_END, sanction),
        ],
    )


def returned(history: History, moment: datetime, *, volunteer: bool, sanction: int) -> list[Interval]:
    """R-MN-4: the owner's return accepted; the venue comes back, with no new test mode
    and no leader term (an exclusion ends it)."""
    return splice(history, moment, [Interval(base_kind(volunteer=volunteer), moment, None, RETURN, sanction)])


def lifted(
    history: History,
    moment: datetime,
    *,
    volunteer: bool,
    sanction: int,
    leader_until: datetime | None = None,
    decision: int | None = None,
) -> list[Interval]:
    """R-MN-5, R-MN-2: an exclusion cancelled on appeal or withdrawn is lifted at once;
    the venue goes on as if it had not been excluded from `moment` on, a leader term
    still running included (`leader_until`, the end of that term)."""
    history = splice(history, moment, [Interval(base_kind(volunteer=volunteer), moment, None, LIFT, sanction)])
    if leader_until is not None and decision is not None:
        history = leads(history, moment, until=leader_until, decision=decision)
    return history


def leads(history: History, moment: datetime, *, until: datetime, decision: int) -> list[Interval]:
    """R-LD-3: a leader from `moment` until `until` wherever the venue is a participant
    in that time (R-LD-4, R-MN-4: not while it is excluded or a volunteer; a venue still
    in test mode becomes leader when test mode ends). After the term it is a
    participant again."""
    if until <= moment:
        return list(history)
    result: list[Interval] = []
    for interval in history:
        if interval.kind != PARTICIPANT or not interval.overlaps(moment, until):
            result.append(interval)
            continue
        start = max(interval.starts_at, moment)
        end = until if interval.ends_at is None else min(interval.ends_at, until)
        if interval.starts_at < start:
            result.append(replace(interval, ends_at=start))
        result.append(Interval(LEADER, start, end, LEADER_TERM, decision))
        if interval.ends_at is None or interval.ends_at > end:
            result.append(Interval(PARTICIPANT, end, interval.ends_at, LEADER_END, decision))
    check(result)
    return result


# --- Replaying the facts ------------------------------------------------------------------


@dataclass(frozen=True)
class ExclusionFacts:
    """An exclusion as the sanctions record it: in force from `starts_at`; its term
    ends at `ends_at`; the owner returned at `returned_at`; cancelled on appeal or
    withdrawn at `lifted_at` (None where it did not happen)."""

    sanction: int
    starts_at: datetime
    ends_at: datetime
    returned_at: datetime | None = None
    lifted_at: datetime | None = None


@dataclass(frozen=True)
class LeaderFacts:
    """A leader term (R-LD-3) made by the decision `decision`, recorded at `recorded_at`,
    for the local days [starts_on, ends_on)."""

    decision: int
    recorded_at: datetime
    starts_on: date
    ends_on: date


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def leader_window(term: LeaderFacts) -> tuple[datetime, datetime]:
    """The moments a term makes the venue a leader: from the decision's recording (its
    date may lie a few days back, but nobody was a leader before it was known) to the
    start of its last day's next day."""
    return max(local_midnight(term.starts_on), term.recorded_at), local_midnight(term.ends_on)


def replay(
    *,
    created_at: datetime,
    first_issued_at: datetime | None,
    volunteer: bool,
    exclusions: Iterable[ExclusionFacts] = (),
    leader_terms: Iterable[LeaderFacts] = (),
) -> list[Interval]:
    """The history the services write for these facts, each applied at its moment in
    time order (at one moment: issue, exclusion, return, lift, then leader terms; two
    facts of a kind in the order they were recorded, by id)."""
    events: list[tuple[datetime, int, int, tuple]] = []
    if first_issued_at is not None:
        events.append((first_issued_at, 0, 0, ("issue",)))
    for exclusion in exclusions:
        events.append((exclusion.starts_at, 1, exclusion.sanction, ("exclude", exclusion)))
        if exclusion.returned_at is not None:
            events.append((exclusion.returned_at, 2, exclusion.sanction, ("return", exclusion)))
        if exclusion.lifted_at is not None:
            events.append((exclusion.lifted_at, 3, exclusion.sanction, ("lift", exclusion)))
    terms = sorted(leader_terms, key=lambda term: term.decision)
    for term in terms:
        events.append((leader_window(term)[0], 4, term.decision, ("lead", term)))
    history = opened([], created_at) if first_issued_at is None or created_at < first_issued_at else []
    for moment, _order, _id, (action, *args) in sorted(events, key=lambda event: event[:3]):
        if action == "issue":
            history = issued(history, moment, volunteer=volunteer)
        elif action == "exclude":
            (exclusion,) = args
            if exclusion.lifted_at is not None and exclusion.lifted_at <= moment:
                continue  # lifted before it took effect
            history = excluded(history, moment, until=exclusion.ends_at, sanction=exclusion.sanction)
        elif action in ("return", "lift"):
            (exclusion,) = args
            current = at(history, moment)
            if current is None or current.kind not in EXCLUDED_KINDS or current.ref != exclusion.sanction:
                continue  # not the exclusion in force then (superseded, or already ended)
            if action == "return":
                history = returned(history, moment, volunteer=volunteer, sanction=exclusion.sanction)
            else:
                running = running_term(terms, moment)
                history = lifted(
                    history,
                    moment,
                    volunteer=volunteer,
                    sanction=exclusion.sanction,
                    leader_until=leader_window(running)[1] if running else None,
                    decision=running.decision if running else None,
                )
        else:
            (term,) = args
            start, end = leader_window(term)
            history = leads(history, start, until=end, decision=term.decision)
    return history


def running_term(terms: Iterable[LeaderFacts], moment: datetime) -> LeaderFacts | None:
    """The leader term whose window holds `moment` and whose decision was known by then;
    of several, the one that lasts longest (the first decided of those)."""
    running = [term for term in terms if leader_window(term)[0] <= moment < leader_window(term)[1]]
    if not running:
        return None
    return max(running, key=lambda term: (leader_window(term)[1], -term.decision))


# --- Reading a day ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """What a venue was during one local day: every standing it had, in order, and the
    one its conditions follow (`principal`).

    Decided: the conditions of a day (R-OP-2) follow the last standing of the day in
    which its codes worked (the check-ins of that day were made under it: a venue
    excluded at 15:00 worked until then as a participant; one back at 14:00 worked as
    a participant after it); on a day when they never worked, the standing at its
    start."""

    kinds: tuple[str, ...]
    principal: str

    @property
    def codes_worked_all_day(self) -> bool:
        return all(kind in WORKING for kind in self.kinds)

    @property
    def excluded_at_some_time(self) -> bool:
        return any(kind in EXCLUDED_KINDS for kind in self.kinds)


def on_day(history: History, day: date) -> Day:
    start, end = local_midnight(day), local_midnight(day + timedelta(days=1))
    kinds: list[str] = []
    if not history or history[0].starts_at > start:
        kinds.append(APPLIED)  # the venue did not exist yet, or had no standing
    for interval in history:
        if interval.overlaps(start, end):
            kinds.append(interval.kind)
    if not kinds:
        kinds.append(APPLIED)
    working = [kind for kind in kinds if kind in WORKING]
    return Day(tuple(kinds), working[-1] if working else kinds[0])
