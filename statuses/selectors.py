"""Reads of the statuses app: a person's colour (R-ST-1…R-ST-9), history (R-ST-10), sync states.

A person is found by the blind index of his IIN (or passport and country) only (R-ID-5).
The colour is computed from our synced copy of the registries at the moment asked
about (R-ST-8), on every look-up: the person's records come in the same statement as
the sync states, and the engine costs less than a cache round trip would (BENCHMARKS.md:
the status cache that was here cost a guard look-up more CPU than it saved, so no
copy exists to go stale).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from ashyq.core.rows import Compiled, values_rows
from statuses import rules
from statuses.clients import HEALTH_REGISTRIES
from statuses.models import Contact, PcrResult, StatusChange, SyncState, Vaccination
from statuses.persons import person_key

__all__ = ["person_key", "records_for", "status_for", "history_for", "sync_states", "StatusReport", "SyncStateView"]

# The fields of each registry's records that records_for hands to the rules (after
# "person" and "source_id"): a record re-sent with the same values changes no colour.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "pcr": ("positive", "sampled_at", "resulted_at"),
    "contacts": ("contact_date", "registered_at"),
    "vaccinations": ("dose", "doses_in_scheme", "administered_on"),
}


def among(values: Iterable[str]):
    """`values` for a `field__in=` filter, as one JSON parameter on PostgreSQL and SQLite.

    An IN list of thousands of parameters is slow to bind (psycopg quotes each one in
    Python, and caches no query that long); one JSON array unnested by the database
    is a single string, whatever the number of values.
    """
    values = list(values)
    if connection.vendor == "postgresql":
        return RawSQL("SELECT jsonb_array_elements_text(%s::jsonb)", [json.dumps(values)])
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])
    return values


@dataclass
class PersonRecords:
    pcrs: list[rules.PcrRecord] = field(default_factory=list)
    contacts: list[rules.ContactRecord] = field(default_factory=list)
    vaccinations: list[rules.VaccinationRecord] = field(default_factory=list)


def records_for(persons: Iterable[str]) -> dict[str, PersonRecords]:
    """The engine's records of each person: one query for one person (a status look-up),
    three whatever the number of persons (the sync)."""
    persons = list(persons)
    if not persons:
        return {}
    if len(persons) == 1:
        return {persons[0]: _records_of_one(persons[0])}
    found = {person: PersonRecords() for person in persons}
    # Many (the sync): one JSON parameter and the fast reader.
    persons = among(persons)
    pcrs = PcrResult.objects.filter(person__in=persons).values_list("person", "source_id", *RULE_FIELDS["pcr"])
    for person, ref, positive, sampled_at, resulted_at in values_rows(pcrs):
        found[person].pcrs.append(rules.PcrRecord(ref, positive, sampled_at, resulted_at))
    contacts = Contact.objects.filter(person__in=persons).values_list("person", "source_id", *RULE_FIELDS["contacts"])
    for person, ref, contact_date, registered_at in values_rows(contacts):
        found[person].contacts.append(rules.ContactRecord(ref, contact_date, registered_at))
    vaccinations = Vaccination.objects.filter(person__in=persons).values_list(
        "person", "source_id", *RULE_FIELDS["vaccinations"]
    )
    for person, ref, dose, doses_in_scheme, administered_on in values_rows(vaccinations):
        found[person].vaccinations.append(rules.VaccinationRecord(ref, dose, doses_in_scheme, administered_on))
    return found


def _nothing(field_class):
    # Typed: PostgreSQL resolves a UNION's column types pair by pair, and two bare NULLs
    # would make a text column that a later date or integer cannot join.
    return Cast(Value(None), output_field=field_class())


def _records_of_one(person: str) -> PersonRecords:
    return _person_and_sync_states(person, with_states=False)[0]


def _person_and_sync_states(person: str, *, with_states: bool = True) -> tuple[PersonRecords, list[tuple]]:
    """One person's records of the three registries and (`with_states`) the health
    registries' sync states, in one statement (BENCHMARKS.md, B5): a UNION ALL of the tables
    (_union_of), the records read by their person index. Each list keeps its model's
    order (newest first); the states are (registry, last_success_at)."""
    found, sync_rows = PersonRecords(), []
    for kind, ref, positive, moment, moment2, day, number, doses_in_scheme in _union_rows(person, with_states):
        if kind == "p":
            found.pcrs.append(rules.PcrRecord(ref, positive, moment, moment2))
        elif kind == "c":
            found.contacts.append(rules.ContactRecord(ref, day, moment2))
        elif kind == "v":
            found.vaccinations.append(rules.VaccinationRecord(ref, number, doses_in_scheme, day))
        else:
            sync_rows.append((ref, moment))
    # The models' orderings (-sampled_at, -registered_at, -administered_on), as the three
    # separate queries had them.
    found.pcrs.sort(key=attrgetter("sampled_at"), reverse=True)
    found.contacts.sort(key=attrgetter("registered_at"), reverse=True)
    found.vaccinations.sort(key=attrgetter("administered_on"), reverse=True)
    return found, sync_rows


def _union_of(person: str, with_states: bool):
    """The UNION ALL. Its columns line up by type — kind, source_id/registry, positive,
    sampled_at/last_success_at, resulted_at/registered_at, contact_date/administered_on,
    dose, doses_in_scheme — each branch fills the ones it has and NULLs the others."""
    pcrs = PcrResult.objects.filter(person=person).values_list(
        Value("p"), "source_id", "positive", "sampled_at", "resulted_at",
        _nothing(models.DateField), _nothing(models.BigIntegerField), _nothing(models.IntegerField),
    )  # fmt: skip
    contacts = Contact.objects.filter(person=person).values_list(
        Value("c"), "source_id", _nothing(models.BooleanField), _nothing(models.DateTimeField), "registered_at",
        "contact_date", _nothing(models.BigIntegerField), _nothing(models.IntegerField),
    )  # fmt: skip
    vaccinations = Vaccination.objects.filter(person=person).values_list(
        Value("v"), "source_id", _nothing(models.BooleanField), _nothing(models.DateTimeField),
        _nothing(models.DateTimeField), "administered_on", "dose", "doses_in_scheme",
    )  # fmt: skip
    branches: list[QuerySet[Any, Any]] = [contacts.order_by(), vaccinations.order_by()]
    if with_states:
        states = SyncState.objects.filter(registry__in=HEALTH_REGISTRIES).values_list(
            Value("s"), "registry", _nothing(models.BooleanField), "last_success_at", _nothing(models.DateTimeField),
            _nothing(models.DateField), _nothing(models.BigIntegerField), _nothing(models.IntegerField),
        )  # fmt: skip
        branches.append(states.order_by())
    return pcrs.order_by().union(*branches, all=True)


# The UNION's SQL is compiled once per process (ashyq.core.rows.Compiled: the ORM's
# compilation cost more than the statement itself).
_union = {states: Compiled(lambda person, s=states: _union_of(person, s), person="str") for states in (True, False)}


def _union_rows(person: str, with_states: bool):
    return _union[with_states].run(person=person)


# --- Status ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusReport:
    """The engine's Status at `at`, and whether the data behind it is fresh (R-ST-9)."""

    colour: rules.Colour
    valid_until: datetime | None
    rule: str
    record: str | None
    reason: str  # lazy: translated when rendered
    since: datetime | None
    registry: str | None
    at: datetime
    fresh: bool
    last_sync_at: datetime | None  # the oldest last successful sync of the three registries
    stale_registries: list[str]


@dataclass(frozen=True)
class _Freshness:
    fresh: bool
    last_sync_at: datetime | None
    stale_registries: list[str]


def _freshness(now: datetime, states: list[tuple]) -> _Freshness:
    """R-ST-9: fresh only if every health registry synced successfully within the allowed
    age. `states`: the (registry, last_success_at) rows, read with
    the person's records (_person_and_sync_states)."""
    max_age = timedelta(minutes=settings.REGISTRY_MAX_AGE_MINUTES)
    synced = dict(states)
    # "Older than its allowed age" is stale: exactly the allowed age is still fresh.
    stale = [r for r in HEALTH_REGISTRIES if synced.get(r) is None or now - synced[r] > max_age]
    times = [synced[r] for r in HEALTH_REGISTRIES if synced.get(r) is not None]
    last = min(times) if len(times) == len(HEALTH_REGISTRIES) else None  # one never synced: none
    return _Freshness(not stale, last, stale)


def status_for(
    *,
    iin: str | None = None,
    passport: str | None = None,
    country: str | None = None,
    at: datetime | None = None,
    person: str | None = None,
) -> StatusReport:
    """The colour of a person at `at` (default now) from the synced data, and its freshness now.

    One query (BENCHMARKS.md, B5): the sync states (freshness, R-ST-9, read every time: never
    stale) and the person's records together (a UNION ALL); the engine computes the
    colour from them (R-ST-8). `person`: the identifier's blind index when the caller
    computed it already. The caller validates the IIN (ashyq.identifiers.parse_iin).
    """
    now = timezone.now()
    at = at or now
    person = person or person_key(iin=iin, passport=passport, country=country)
    records, states = _person_and_sync_states(person)
    freshness = _freshness(now, states)
    status = rules.status_at(pcrs=records.pcrs, contacts=records.contacts, vaccinations=records.vaccinations, at=at)
    return StatusReport(
        colour=status.colour,
        valid_until=status.valid_until,
        rule=status.rule,
        record=status.record,
        reason=status.reason,
        since=status.since,
        registry=status.registry,
        at=at,
        fresh=freshness.fresh,
        last_sync_at=freshness.last_sync_at,
        stale_registries=freshness.stale_registries,
    )


# --- History ----------------------------------------------------------------------------


def history_for(
    *,
    iin: str | None = None,
    passport: str | None = None,
    country: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> list[StatusChange]:
    """The person's changes of colour, newest first, each with `.reason` (lazy) (R-ST-10).

    First brings the stored history up to now: changes the clock made since the last
    sync (red ending at 00:00 of D+14) are stored before they are shown.
    """
    from statuses.services import history_update  # services read through this module

    now = now or timezone.now()
    person = person_key(iin=iin, passport=passport, country=country)
    changes = history_update(persons=[person], now=now)[person]
    reasons = {change.since: change.reason for change in changes}
    rows = list(StatusChange.objects.filter(person=person, changed_at__lte=now).order_by("-changed_at")[:limit])
    for row in rows:
        # A settled change whose record is gone (records_retention): its kind, undated.
        row.reason = reasons.get(row.changed_at) or rules.settled_reason(row.colour, row.registry)
    return rows


# --- Sync states (operators) -------------------------------------------------------------


@dataclass(frozen=True)
class SyncStateView:
    registry: str
    last_success_at: datetime | None
    lag: timedelta | None
    stale: bool
    last_attempt_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    cursor: str
    records_synced: int
    records_skipped: int
    running: bool


def sync_states(*, now: datetime | None = None) -> list[SyncStateView]:
    """One line per health registry, whether it ever synced or not (R-RG-3, R-ST-9)."""
    now = now or timezone.now()
    max_age = timedelta(minutes=settings.REGISTRY_MAX_AGE_MINUTES)
    states = {state.registry: state for state in SyncState.objects.filter(registry__in=HEALTH_REGISTRIES)}
    views = []
    for registry in HEALTH_REGISTRIES:
        state = states.get(registry) or SyncState(registry=registry)
        lag = now - state.last_success_at if state.last_success_at else None
        views.append(
            SyncStateView(
                registry=registry,
                last_success_at=state.last_success_at,
                lag=lag,
                stale=lag is None or lag > max_age,
                last_attempt_at=state.last_attempt_at,
                last_error=state.last_error,
                last_error_at=state.last_error_at,
                cursor=state.cursor,
                records_synced=state.records_synced,
                records_skipped=state.records_skipped,
                running=bool(state.locked_until and state.locked_until > now),
            )
        )
    return views
