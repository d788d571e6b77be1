"""What venue V may do on day D (R-OP-1, R-OP-2, R-LD-5): may it open, its hours, its
maximum occupancy, and the reasons in plain words for the owner's page.

- The zone is the region's zone that day (R-REF-2).
- A participant has QR codes issued on or before the day; test mode counts (R-VN-5).
  Volunteers get the others' conditions (R-OP-2), and so does an excluded venue
  (R-MN-4), checked at local midnight of the day.
- A leader (leaders.selectors.is_leader, written in the leaders work) shifts: red →
  the yellow zone's conditions, yellow → the green zone's, green → 2 more working hours
  and 10 more points of occupancy (R-LD-5). Until that function exists nobody is a
  leader. Volunteers and excluded venues are never leaders (R-LD-4, R-MN-4).
- Decided: no zone set, or no row in the table for the category and zone (an operator
  added a category and no rules yet): the default 08:00–23:00 at 100 % applies, with a
  reason saying so, rather than closing the venue.

Hours: `closes_at` at or before `opens_at` is past midnight; equal is round the clock.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ashyq.reference.models import OperatingRule, Zone, ZoneChange

DEFAULT_OPENS = time(8, 0)
DEFAULT_CLOSES = time(23, 0)
LEADER_EXTRA_MINUTES = 120  # R-LD-5, green zone
LEADER_EXTRA_POINTS = 10
DAY_MINUTES = 24 * 60
# R-LD-5: a leader works under the conditions of the next milder zone.
MILDER = {Zone.RED: Zone.YELLOW, Zone.YELLOW: Zone.GREEN}


@dataclass(frozen=True)
class Terms:
    """One row of the table of conditions (R-OP-1), as values."""

    may_open: bool
    opens_at: time | None
    closes_at: time | None
    occupancy_percent: int


DEFAULT_TERMS = Terms(True, DEFAULT_OPENS, DEFAULT_CLOSES, 100)


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


def _is_leader(venue, day: date) -> bool:
    try:
        from leaders.selectors import is_leader
    except ImportError:  # the leaders selectors have not landed yet: nobody is a leader
        return False
    return bool(is_leader(venue, day))


def _zone_since(region, day: date) -> tuple[str | None, date | None]:
    change = (
        ZoneChange.objects.filter(region=region, effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .values_list("zone", "effective_from")
        .first()
    )
    return change or (None, None)


def _rule_for(category, *, participant: bool) -> Callable[[str], Terms | None]:
    def rule_for(zone: str) -> Terms | None:
        row = (
            OperatingRule.objects.filter(category=category, zone=zone, for_participants=participant)
            .values_list("may_open", "opens_at", "closes_at", "occupancy_percent")
            .first()
        )
        return Terms(*row) if row else None

    return rule_for


def _participation(venue, day: date) -> tuple[bool, list[str]]:
    """R-OP-2, R-VN-5, R-MN-4: whether the venue gets participants' conditions, and why."""
    from monitoring.selectors import venue_excluded

    issued = venue.codes_first_issued_at
    if issued is None or timezone.localdate(issued) > day:
        return False, [_("Not a participant of Ashyq: the conditions for others apply")]
    if venue.category.is_volunteer:
        return False, [_("Volunteer participant: no participants' preferences")]
    midnight = timezone.make_aware(datetime.combine(day, time.min))
    if venue_excluded(venue=venue, at=midnight):
        return False, [_("Excluded from the project: no participants' preferences")]
    if venue.in_test_mode_on(day):
        return True, [_("Participant of Ashyq (test mode)")]
    return True, [_("Participant of Ashyq")]


def conditions_for(venue, day: date) -> Conditions:
    """What `venue` may do on local `day` (R-OP-2), with the reasons. A few queries: the
    zone, the exclusion, the leader status and one rule row."""
    zone, since = _zone_since(venue.region, day)
    if zone is None:
        return Conditions(
            *_values(DEFAULT_TERMS),
            zone=None,
            effective_zone=None,
            participant=False,
            leader=False,
            reasons=[_("No zone is set for the region: the default conditions apply")],
        )
    reasons = [
        _("Region in the %(zone)s since %(date)s") % {"zone": Zone(zone).label, "date": date_format(since, "j E Y")}
    ]
    participant, why = _participation(venue, day)
    reasons += why
    rule_for = _rule_for(venue.category, participant=participant)
    leader = participant and _is_leader(venue, day)
    if leader:
        terms, effective = leader_shift(rule_for, zone)
        if effective != zone:
            reasons.append(_("Leader Ashyq: works under the %(zone)s's conditions") % {"zone": Zone(effective).label})
        else:
            reasons.append(_("Leader Ashyq: 2 more working hours and 10 more points of occupancy"))
    else:
        terms, effective = rule_for(zone), zone
    if terms is None:
        terms = extend(DEFAULT_TERMS) if leader and effective == zone else DEFAULT_TERMS
        reasons.append(_("No rule for this category and zone in the table of conditions: the default applies"))
    if not terms.may_open:
        reasons.append(_("Venues of this category may not open in this zone"))
    return Conditions(
        *_values(terms), zone=zone, effective_zone=effective, participant=participant, leader=leader, reasons=reasons
    )


def _values(terms: Terms) -> tuple:
    if not terms.may_open:
        return False, None, None, 0
    return True, terms.opens_at, terms.closes_at, terms.occupancy_percent
