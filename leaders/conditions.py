"""What venue V may do on day D (R-OP-1, R-OP-2, R-LD-5): may it open, its hours, its
maximum occupancy, and the reasons in plain words for the owner's page.

- The zone is the region's zone that day (R-REF-2).
- A participant has QR codes issued on or before the day; test mode counts (R-VN-5).
  Volunteers get the others' conditions (R-OP-2), and so does an excluded venue
  (R-MN-4), checked at local midnight of the day.
- A leader (leaders.selectors.is_leader) shifts: red → the yellow zone's conditions,
  yellow → the green zone's, green → 2 more working hours and 10 more points of
  occupancy (R-LD-5). Volunteers and excluded venues are never leaders (R-LD-4, R-MN-4).
- Decided: no zone set, or no row in the table for the category and zone (an operator
  added a category and no rules yet): the default 08:00–23:00 at 100 % applies, with a
  reason saying so, rather than closing the venue.

Hours: `closes_at` at or before `opens_at` is past midnight; equal is round the clock.

Two ways in, one rule: `conditions_for(venue, day)` looks up the facts of one venue and
day (a few queries), `conditions_bulk(venues, days)` / `hours_for(venues, days)` look
them up for many venues and days in four queries whatever their number (the risk list,
the leaders' out-of-hours flag); both hand the facts to the pure `decide`.
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ashyq.reference.models import OperatingRule, Zone, ZoneChange
from venues.models import TEST_MODE_DAYS

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
    reasons: list[str] = field(default_factory=list)

    @property
    def round_the_clock(self) -> bool:
        return self.may_open and self.opens_at == self.closes_at

    @property
    def hours(self) -> Hours | None:
        """(opens, closes), or None when the venue may not open that day."""
        return (self.opens_at, self.closes_at) if self.may_open else None


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def extend(terms: Terms, *, minutes: int = LEADER_EXTRA_MINUTES, points: int = LEADER_EXTRA_POINTS) -> Terms:
    """R-LD-5 in the green zone: closes `minutes` later (the working time capped at 24
    hours) and `points` more occupancy (capped at 100). A closed venue stays closed."""
    if not terms.may_open:
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
    if zone in MILDER:
        milder = MILDER[zone]
        return rule_for(milder), milder
    terms = rule_for(zone)
    return (extend(terms) if terms else None), zone


def local_midnight(day: date) -> datetime:
    """00:00 of local `day`: the moment an exclusion is checked at (R-MN-4)."""
    return timezone.make_aware(datetime.combine(day, time.min))


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


def _participation(venue, day: date, excluded: Callable[[], bool]) -> tuple[bool, list[str]]:
    """R-OP-2, R-VN-5, R-MN-4: whether the venue gets participants' conditions, and why.
    `excluded()` is asked only when it matters."""
    issued = venue.codes_first_issued_at
    if issued is None or timezone.localdate(issued) > day:
        return False, [_("Not a participant of Ashyq: the conditions for others apply")]
    if venue.category.is_volunteer:
        return False, [_("Volunteer participant: no participants' preferences")]
    if excluded():
        return False, [_("Excluded from the project: no participants' preferences")]
    if venue.in_test_mode_on(day):
        return True, [_("Participant of Ashyq (test mode)")]
    return True, [_("Participant of Ashyq")]


def decide(
    venue,
    day: date,
    *,
    zone: str | None,
    since: date | None,
    excluded: Callable[[], bool],
    leader: Callable[[], bool],
    rules_of: RulesOf,
) -> Conditions:
    """The conditions of `venue` (its category, first issue of codes and test mode are
    read from it, no query) on local `day`, from facts looked up elsewhere: the region's
    zone that day and since when, whether the venue is excluded at local midnight and
    whether it holds a Leader row that day (both asked only when they matter), and the
    table rows of its category."""
    if zone is None:
        return Conditions(
            *_values(DEFAULT_TERMS),
            zone=None,
            effective_zone=None,
            participant=False,
            leader=False,
            reasons=[_("No zone is set for the region: the default conditions apply")],
        )
    reasons = [_zone_reason(zone, since)]
    participant, why = _participation(venue, day, excluded)
    reasons += why

    def rule_for(zone_: str) -> Terms | None:
        return rules_of(zone_, participant)

    is_leader = participant and leader()
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
    return Conditions(
        *_values(terms),
        zone=zone,
        effective_zone=effective,
        participant=participant,
        leader=is_leader,
        reasons=reasons,
    )


def _values(terms: Terms) -> tuple:
    if not terms.may_open:
        return False, None, None, 0
    return True, terms.opens_at, terms.closes_at, terms.occupancy_percent


# --- One venue, one day ---------------------------------------------------------------------


def _is_leader(venue, day: date) -> bool:
    try:
        from leaders.selectors import is_leader
    except ImportError:  # the leaders selectors are being rewritten: nobody is a leader
        return False
    return bool(is_leader(venue, day))


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


def conditions_for(venue, day: date) -> Conditions:
    """What `venue` may do on local `day` (R-OP-2), with the reasons. A few queries: the
    zone, the exclusion, the leader status and one rule row."""
    from monitoring.selectors import venue_excluded

    zone, since = _zone_since(venue.region_id, day)
    return decide(
        venue,
        day,
        zone=zone,
        since=since,
        excluded=lambda: venue_excluded(venue=venue, at=local_midnight(day)),
        leader=lambda: _is_leader(venue, day),
        rules_of=_rules_of(venue.category_id),
    )


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
    return {(category_id, zone, mine): Terms(*terms) for category_id, zone, mine, *terms in rows}


def _excluded_days(region_ids: set[int], days: list[date]) -> set[tuple[int, date]]:
    """(venue id, day) for each venue of the regions excluded at local midnight of the
    day (R-MN-4), by monitoring's own definition (one query, one EXISTS per day, over
    the venues that ever had an exclusion)."""
    from monitoring.models import Sanction, SanctionKind
    from monitoring.selectors import excluded_venue_ids
    from venues.models import Venue

    names = {f"excluded_{n}": day for n, day in enumerate(days)}
    rows = (
        Venue.objects.filter(
            region_id__in=region_ids,
            pk__in=Sanction.objects.filter(kind=SanctionKind.EXCLUSION).values("venue_id"),
        )
        .annotate(
            **{
                name: Exists(excluded_venue_ids(at=local_midnight(day)).filter(venue_id=OuterRef("pk")))
                for name, day in names.items()
            }
        )
        .values("pk", *names)
        .order_by()
    )
    return {(row["pk"], day) for row in rows for name, day in names.items() if row[name]}


def _leader_terms(region_ids: set[int], first: date, last: date) -> dict[int, list[tuple[date, date]]]:
    """Each venue's Leader rows (starts_on, ends_on exclusive) overlapping [first, last]
    (one query)."""
    from leaders.models import Leader

    terms: dict[int, list[tuple[date, date]]] = defaultdict(list)
    rows = Leader.objects.filter(venue__region_id__in=region_ids, starts_on__lte=last, ends_on__gt=first).values_list(
        "venue_id", "starts_on", "ends_on"
    )
    for venue_id, starts_on, ends_on in rows:
        terms[venue_id].append((starts_on, ends_on))
    return terms


@dataclass
class _Facts:
    """The facts of many venues and days, looked up in four queries (_load)."""

    zones: dict[int, tuple[list[date], list[str]]]
    table: dict[tuple[int, str, bool], Terms]
    excluded: set[tuple[int, date]]
    leaders: dict[int, list[tuple[date, date]]]
    special: set[int]  # venues with an exclusion or a Leader row in the days
    first_day: date  # the earliest of the days

    def decide(self, venue, day: date) -> Conditions:
        zone, since = _zone_on(self.zones.get(venue.region_id), day)
        terms = self.leaders.get(venue.pk, ())

        def rules_of(zone: str, participant: bool) -> Terms | None:
            return self.table.get((venue.category_id, zone, participant))

        return decide(
            venue,
            day,
            zone=zone,
            since=since,
            excluded=lambda: (venue.pk, day) in self.excluded,
            leader=lambda: any(start <= day < end for start, end in terms),
            rules_of=rules_of,
        )

    def alike(self, venue) -> tuple:
        """What decide reads of `venue`: venues alike get the same conditions each day.
        A venue with an exclusion or a Leader row in the days is alike no other."""
        issued = venue.codes_first_issued_at
        issued_on = timezone.localdate(issued) if issued else None
        if issued_on is not None:
            # Codes first issued so early that the test mode (R-VN-5) ended before the
            # first day: a full participant on every day, whichever the date.
            issued_on = max(issued_on, self.first_day - timedelta(days=TEST_MODE_DAYS))
        return (
            venue.region_id,
            venue.category_id,
            venue.category.is_volunteer,
            issued_on,
            venue.pk if venue.pk in self.special else None,
        )


def _load(venues: list, days: list[date]) -> _Facts:
    region_ids = {venue.region_id for venue in venues}
    excluded = _excluded_days(region_ids, days)
    leaders = _leader_terms(region_ids, days[0], days[-1])
    return _Facts(
        zones=_zone_histories(region_ids, days[-1]),
        table=_rule_table({venue.category_id for venue in venues}),
        excluded=excluded,
        leaders=leaders,
        special={venue_id for venue_id, _day in excluded} | set(leaders),
        first_day=days[0],
    )


def conditions_bulk(venues: Iterable, days: Iterable[date]) -> dict[tuple[int, date], Conditions]:
    """conditions_for(venue, day) for every venue and day, in four queries whatever
    their number: the zone changes, the table rows, the exclusions and the leaders.
    The venues come with their category loaded (select_related("category")).

    Decided once per day for venues alike (_Facts.alike: same region, category,
    participation and test mode, no exclusion or leader row) — a region's thousands of
    venues fall into far fewer kinds — so venues alike share one Conditions per day:
    read them, do not change them."""
    venues, days = list(venues), sorted(set(days))
    if not venues or not days:
        return {}
    facts = _load(venues, days)
    decided: dict[tuple, Conditions] = {}
    result = {}
    for venue in venues:
        kind = facts.alike(venue)
        for day in days:
            if (kind, day) not in decided:
                decided[(kind, day)] = facts.decide(venue, day)
            result[(venue.pk, day)] = decided[(kind, day)]
    return result


def hours_for(venues: Iterable, days: Iterable[date]) -> dict[tuple[int, date], Hours | None]:
    """(venue id, local day) → the allowed (opens, closes) of that day, None when the
    venue may not open (R-OP-1, R-OP-2, R-LD-5); as conditions_bulk."""
    return {key: conditions.hours for key, conditions in conditions_bulk(venues, days).items()}
