"""What a venue may do (R-OP-1, R-OP-2, R-LD-5): may it open, its hours, its maximum
occupancy, and the reasons in plain words — for the door (the guard page's occupancy),
the owner's page and the risk list.

- The zone is the region's zone that local day (R-REF-2).
- Participation follows the venue's standing at the moment (R-VN-9, read through
  venues.standing.selectors): test mode and participants get the participants' rows;
  volunteers, venues not yet issued codes, and excluded venues (R-MN-4, from the first
  moment of the exclusion until the return) get the others' rows.
- A leader (the leader standing, R-LD-3) shifts: red → the yellow zone's conditions,
  yellow → the green zone's, green → 2 more working hours and 10 more points of
  occupancy (R-LD-5). Volunteers and excluded venues are never leaders (R-LD-4, R-MN-4).
- Decided: no zone set, or no row in the table for the category and zone (an operator
  added a category and no rules yet): the default 08:00–23:00 at 100 % applies, with a
  reason saying so, rather than closing the venue.

Hours: `closes_at` at or before `opens_at` is past midnight; equal is round the clock.

Two ways in, one rule: `conditions_at(venue, at)` looks up the facts of one venue at a
moment (three queries), `conditions_bulk(venues, days)` / `hours_for(venues, days)` for
many venues and days in three queries whatever their number (the risk list, the
leaders' out-of-hours flag, the inactivity flags); both hand the facts to the pure
`decide`.
"""

import threading
import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ashyq.reference.models import Category, OperatingRule, Zone, ZoneChange
from venues.models import ConditionsVersion
from venues.standing import rules as standing_rules
from venues.standing.rules import Day
from venues.standing.selectors import kind_at, standing_on

DEFAULT_OPENS = time(8, 0)
DEFAULT_CLOSES = time(23, 0)
LEADER_EXTRA_MINUTES = 120  # R-LD-5, green zone
LEADER_EXTRA_POINTS = 10
DAY_MINUTES = 24 * 60
# R-LD-5: a leader works under the conditions of the next milder zone.
MILDER = {Zone.RED: Zone.YELLOW, Zone.YELLOW: Zone.GREEN}

# (opens, closes) of a day; closes ≤ opens is past midnight, equal is round the clock.
Hours = tuple[time, time]


@dataclass(frozen=True)
class Terms:
    """One row of the table of conditions (R-OP-1), as values."""

    may_open: bool
    opens_at: time | None
    closes_at: time | None
    occupancy_percent: int


DEFAULT_TERMS = Terms(True, DEFAULT_OPENS, DEFAULT_CLOSES, 100)

# (zone, for participants) → the row of the venue's category, None when the table has none.
RulesOf = Callable[[str, bool], Terms | None]


@dataclass
class Conditions:
    may_open: bool
    opens_at: time | None
    closes_at: time | None
    occupancy_percent: int
    zone: str | None
    effective_zone: str | None
    participant: bool
    leader: bool
    # In plain words, lazy (rendered in the reader's language when shown).
    reasons: list[Any] = field(default_factory=list)

    @property
    def round_the_clock(self) -> bool:
        return self.may_open and self.opens_at == self.closes_at

    @property
    def hours(self) -> Hours | None:
        """(opens, closes), or None when the venue may not open that day."""
        if not self.may_open or self.opens_at is None or self.closes_at is None:
            return None
        return self.opens_at, self.closes_at


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def extend(terms: Terms, *, minutes: int = LEADER_EXTRA_MINUTES, points: int = LEADER_EXTRA_POINTS) -> Terms:
    """R-LD-5 in the green zone: closes `minutes` later (the working time capped at 24
    hours) and `points` more occupancy (capped at 100). A closed venue stays closed."""
    if not terms.may_open or terms.opens_at is None or terms.closes_at is None:
        return terms
    opens = _minutes(terms.opens_at)
    length = (_minutes(terms.closes_at) - opens) % DAY_MINUTES or DAY_MINUTES
    closes = (opens + min(length + minutes, DAY_MINUTES)) % DAY_MINUTES
    return replace(
        terms,
        closes_at=time(closes // 60, closes % 60),
        occupancy_percent=min(terms.occupancy_percent + points, 100),
    )


def leader_shift(rule_for: Callable[[str], Terms | None], zone: str) -> tuple[Terms | None, str]:
    """R-LD-5, pure: the terms of a leader in `zone` and the zone whose conditions
    apply. `rule_for(zone)` gives the participants' terms of the venue's category."""
    milder = MILDER.get(Zone(zone))
    if milder is not None:
        return rule_for(milder), milder
    terms = rule_for(zone)
    return (extend(terms) if terms else None), zone


# --- The pure core --------------------------------------------------------------------------

# The reasons are lazy strings, rendered when shown (in the reader's language): the bulk
# path decides for thousands of venue-days and shows none of them.


def _zone_line(zone: str, since: date) -> str:
    return gettext("Region in the %(zone)s since %(date)s") % {
        "zone": Zone(zone).label,
        "date": date_format(since, "j E Y"),
    }


def _milder_line(zone: str) -> str:
    return gettext("Leader Ashyq: works under the %(zone)s's conditions") % {"zone": Zone(zone).label}


_zone_reason = lazy(_zone_line, str)
_milder_reason = lazy(_milder_line, str)


_PARTICIPATION = {
    standing_rules.APPLIED: (False, _("Not a participant of Ashyq: the conditions for others apply")),
    standing_rules.VOLUNTEER: (False, _("Volunteer participant: no participants' preferences")),
    standing_rules.EXCLUDED: (False, _("Excluded from the project: no participants' preferences")),
    standing_rules.AWAITING_RETURN: (False, _("Excluded from the project: no participants' preferences")),
    standing_rules.TEST_MODE_KIND: (True, _("Participant of Ashyq (test mode)")),
    standing_rules.PARTICIPANT: (True, _("Participant of Ashyq")),
    standing_rules.LEADER: (True, _("Participant of Ashyq")),
}


def decide(*, standing: str, zone: str | None, since: date | None, rules_of: RulesOf) -> Conditions:
    """The conditions of a venue whose standing is `standing` (R-VN-9) in a region in
    `zone` since `since` (R-REF-2), from the table rows of its category (`rules_of`).
    Pure: the facts are looked up elsewhere."""
    if zone is None or since is None:
        return _conditions(
            DEFAULT_TERMS,
            zone=None,
            effective_zone=None,
            participant=False,
            leader=False,
            reasons=[_("No zone is set for the region: the default conditions apply")],
        )
    participant, why = _PARTICIPATION.get(standing, _PARTICIPATION[standing_rules.APPLIED])
    reasons: list[Any] = [_zone_reason(zone, since), why]

    def rule_for(zone_: str) -> Terms | None:
        return rules_of(zone_, participant)

    # R-LD-4, R-MN-4: only a participant holds the leader standing.
    is_leader = standing == standing_rules.LEADER
    if is_leader:
        terms, effective = leader_shift(rule_for, zone)
        if effective != zone:
            reasons.append(_milder_reason(effective))
        else:
            reasons.append(_("Leader Ashyq: 2 more working hours and 10 more points of occupancy"))
    else:
        terms, effective = rule_for(zone), zone
    if terms is None:
        terms = extend(DEFAULT_TERMS) if is_leader and effective == zone else DEFAULT_TERMS
        reasons.append(_("No rule for this category and zone in the table of conditions: the default applies"))
    if not terms.may_open:
        reasons.append(_("Venues of this category may not open in this zone"))
    return _conditions(
        terms,
        zone=zone,
        effective_zone=effective,
        participant=participant,
        leader=is_leader,
        reasons=reasons,
    )


def _conditions(terms: Terms, **facts) -> Conditions:
    """The Conditions of `terms` (a venue that may not open has no hours and 0 %)."""
    if not terms.may_open:
        return Conditions(False, None, None, 0, **facts)
    return Conditions(True, terms.opens_at, terms.closes_at, terms.occupancy_percent, **facts)


# --- One venue, one moment -------------------------------------------------------------------


def _zone_since(region_id: int, day: date) -> tuple[str | None, date | None]:
    change = (
        ZoneChange.objects.filter(region_id=region_id, effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .values_list("zone", "effective_from")
        .first()
    )
    return change or (None, None)


def _rules_of(category_id: int) -> RulesOf:
    def rules_of(zone: str, participant: bool) -> Terms | None:
        row = (
            OperatingRule.objects.filter(category_id=category_id, zone=zone, for_participants=participant)
            .values_list("may_open", "opens_at", "closes_at", "occupancy_percent")
            .first()
        )
        return Terms(*row) if row else None

    return rules_of


def conditions_at(venue, at: datetime, *, standing: str | None = None) -> Conditions:
    """What `venue` may do at the moment `at` (R-OP-2): its standing then (R-VN-9: an
    exclusion counts from its first moment; `standing` when the caller read it), the
    region's zone that local day and the rows of its category. At most three queries;
    one when no zone is set."""
    zone, since = _zone_since(venue.region_id, timezone.localdate(at))
    if zone is not None and standing is None:
        standing = kind_at(venue, at)
    return decide(
        standing=standing or standing_rules.APPLIED, zone=zone, since=since, rules_of=_rules_of(venue.category_id)
    )


# The door asks the allowed share of the capacity on every look-up (R-CI-6). It depends
# on the region's zone that local day, the table's rows of the category and the venue's
# standing, nothing else of the venue: each process keeps the shares it decided, keyed
# by (region, category, standing, local day), under the version of the zones and the
# table that the database says is current (ConditionsVersion, one row). The door reads
# the version in its one statement of facts (visitors.selectors.door_facts), so a
# look-up whose share is known costs no query of its own; a change is seen by every
# process at its next look-up.
#
# Never a stale share under a fresh version: the version is renewed by the signal of the
# write that changes a zone, a row of the table or a category, in that write's
# transaction — a rollback undoes both, a commit shows both at once, and without a
# transaction the new version follows the change. The version is read before the rows
# it keys, so a share is decided from rows at least as new as its version. Rows written
# without signals (QuerySet.update, bulk_create: data migrations) must renew it
# themselves (conditions_changed). No row (a flushed test database): nothing is kept.
SHARES_KEPT = 4096  # decisions per process before the memory starts again (a few per region and category)


def conditions_changed(**_kwargs) -> None:
    """A new version of the zones and the table (see above); call it in the transaction
    of the change."""
    token = uuid.uuid4().hex
    if not ConditionsVersion.objects.filter(pk=1).update(token=token):
        ConditionsVersion.objects.bulk_create([ConditionsVersion(pk=1, token=token)], ignore_conflicts=True)


# By sender: a delete receiver on every model would stop Django's fast deletes (it
# would load each row to send the signal). A venue's region and category are part of
# the key, its standing is read with every look-up: neither renews the version.
for _model in (Category, ZoneChange, OperatingRule):
    post_save.connect(conditions_changed, sender=_model, dispatch_uid=f"venues.conditions_saved.{_model.__name__}")
    post_delete.connect(conditions_changed, sender=_model, dispatch_uid=f"venues.conditions_deleted.{_model.__name__}")


def conditions_version() -> str | None:
    """The current version of the zones and the table, None when there is none."""
    return ConditionsVersion.objects.filter(pk=1).values_list("token", flat=True).first()


class Shares:
    """The allowed shares this process decided, under one version. Safe with threads
    (gunicorn's gthread workers): a reader takes the (version, shares) pair in one
    read; a writer under the lock adds to it, or replaces it when the version differs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[str | None, dict[tuple, int]] = (None, {})

    def get(self, version: str, key: tuple) -> int | None:
        kept_version, shares = self._kept
        return shares.get(key) if kept_version == version else None

    def put(self, version: str, key: tuple, percent: int) -> None:
        with self._lock:
            kept_version, shares = self._kept
            if kept_version != version or len(shares) >= SHARES_KEPT:
                shares = {}
                self._kept = (version, shares)
            shares[key] = percent

    def clear(self) -> None:
        with self._lock:
            self._kept = (None, {})


shares = Shares()


def occupancy_percent_at(venue, at: datetime, *, standing: str | None = None, version: str | None = None) -> int:
    """The share of its capacity `venue` may fill at `at` (R-OP-1, R-OP-2, R-LD-5; 0
    when it may not open), from this process's memory when it holds it under the
    current version (see above). `standing`: the venue's standing at `at`, when the
    caller read it; `version`: conditions_version(), when the caller read it."""
    if version is None:
        version = conditions_version()
    if standing is None:
        standing = kind_at(venue, at) or standing_rules.APPLIED
    if version is None:
        return conditions_at(venue, at, standing=standing).occupancy_percent
    key = (venue.region_id, venue.category_id, standing, timezone.localdate(at))
    percent = shares.get(version, key)
    if percent is None:
        percent = conditions_at(venue, at, standing=standing).occupancy_percent
        shares.put(version, key, percent)
    return percent


# --- Many venues, many days -----------------------------------------------------------------


def _zone_histories(region_ids: set[int], last: date) -> dict[int, tuple[list[date], list[str]]]:
    """Each region's zone changes up to `last`, oldest first (one query)."""
    histories: dict[int, tuple[list[date], list[str]]] = defaultdict(lambda: ([], []))
    changes = (
        ZoneChange.objects.filter(region_id__in=region_ids, effective_from__lte=last)
        .order_by("region_id", "effective_from", "id")
        .values_list("region_id", "effective_from", "zone")
    )
    for region_id, effective_from, zone in changes:
        dates, zones = histories[region_id]
        dates.append(effective_from)
        zones.append(zone)
    return histories


def _zone_on(history: tuple[list[date], list[str]] | None, day: date) -> tuple[str | None, date | None]:
    """The latest change effective on or before `day` (the later id wins a tie, as in
    _zone_since)."""
    if history is None:
        return None, None
    dates, zones = history
    at = bisect_right(dates, day)
    return (zones[at - 1], dates[at - 1]) if at else (None, None)


def _rule_table(category_ids: set[int]) -> dict[tuple[int, str, bool], Terms]:
    rows = OperatingRule.objects.filter(category_id__in=category_ids).values_list(
        "category_id", "zone", "for_participants", "may_open", "opens_at", "closes_at", "occupancy_percent"
    )
    return {
        (category_id, zone, mine): Terms(may_open, opens_at, closes_at, percent)
        for category_id, zone, mine, may_open, opens_at, closes_at, percent in rows
    }


class _Decider:
    """The facts of many venues and days in three queries (the zone changes, the table
    rows, the standing), and the decisions made from them, each once per kind of venue
    and day: a region's thousands of venues fall into a few kinds (same region,
    category and standing), which share one Conditions — read them, do not change
    them."""

    def __init__(self, venues: list, days: list[date], standing: dict[tuple[int, date], Day] | None = None):
        self.zones = _zone_histories({venue.region_id for venue in venues}, days[-1])
        self.table = _rule_table({venue.category_id for venue in venues})
        self.standing = standing if standing is not None else standing_on([venue.pk for venue in venues], days)
        self.decided: dict[tuple, Conditions] = {}

    def decide(self, venue, day: date, kind: str) -> Conditions:
        key = (venue.region_id, venue.category_id, kind, day)
        if key not in self.decided:
            zone, since = _zone_on(self.zones.get(venue.region_id), day)

            def rules_of(zone_: str, participant: bool, category_id: int = venue.category_id) -> Terms | None:
                return self.table.get((category_id, zone_, participant))

            self.decided[key] = decide(standing=kind, zone=zone, since=since, rules_of=rules_of)
        return self.decided[key]


def conditions_bulk(venues: Iterable, days: Iterable[date]) -> dict[tuple[int, date], Conditions]:
    """The conditions of every venue on every local day, in three queries whatever their
    number. On a day of several standings, those of the one its check-ins were made
    under (venues.standing.rules.Day.principal). The venues need only pk, region_id
    and category_id."""
    venues, days = list(venues), sorted(set(days))
    if not venues or not days:
        return {}
    decider = _Decider(venues, days)
    return {
        (venue.pk, day): decider.decide(venue, day, decider.standing[(venue.pk, day)].principal)
        for venue in venues
        for day in days
    }


def hours_for(venues: Iterable, days: Iterable[date]) -> dict[tuple[int, date], Hours | None]:
    """(venue id, local day) → the allowed (opens, closes) of that day, None when the
    venue may not open (R-OP-1, R-OP-2, R-LD-5); as conditions_bulk."""
    return {key: conditions.hours for key, conditions in conditions_bulk(venues, days).items()}


def closed_days(
    venues: Iterable, days: Iterable[date], *, standing: dict[tuple[int, date], Day] | None = None
) -> set[tuple[int, date]]:
    """(venue id, local day) for every day on which, under some standing it had that day,
    the venue's conditions did not allow it to open (R-MN-2: such a day is not counted
    as inactive). `standing`: venues.standing.selectors.standing_on of these venues and
    days, when the caller has it."""
    venues, days = list(venues), sorted(set(days))
    if not venues or not days:
        return set()
    decider = _Decider(venues, days, standing)
    return {
        (venue.pk, day)
        for venue in venues
        for day in days
        if any(not decider.decide(venue, day, kind).may_open for kind in decider.standing[(venue.pk, day)].kinds)
    }
