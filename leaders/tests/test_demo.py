"""seed_demo's Leader Ashyq: two closed periods, one decided with leaders current today,
Almaty's last list left to review with a flagged candidate; twice is once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from ashyq.accounts import demo as accounts_demo
from leaders import demo, rules
from leaders.models import Candidate, CandidateList, Decision, Leader, ListStatus
from leaders.selectors import current_leaders
from venues import demo as venues_demo
from venues.conditions import conditions_at
from venues.models import Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import kind_at
from visitors.models import Visit

pytestmark = pytest.mark.django_db

# Periods (R-LD-2): 10–24 May (before last), 24 May – 7 June (last closed), 7 June – now.
NOW = datetime(2021, 6, 16, 12, tzinfo=ZoneInfo("Asia/Almaty"))
BEFORE, LAST, CURRENT = date(2021, 5, 10), date(2021, 5, 24), date(2021, 6, 7)


def snapshot():
    return (
        Visit.objects.count(),
        Venue.objects.count(),
        sorted(CandidateList.objects.values_list("region__code", "period__starts_on", "status")),
        sorted(Candidate.objects.values_list("venue_id", "checkins", "struck")),
        Decision.objects.count(),
        Leader.objects.count(),
    )


@pytest.fixture
def seeded():
    with time_machine.travel(NOW, tick=False):
        accounts_demo.seed()
        venues_demo.seed()
        assert demo.seed() == []
        yield


def test_the_demo_is_idempotent(seeded):
    before = snapshot()
    demo.seed()
    assert snapshot() == before


def test_candidates_on_both_sides_of_each_threshold(seeded):  # R-LD-1
    venues = {v.name: v for v in Venue.objects.select_related("region", "category")}
    for period in (BEFORE, LAST):
        found = dict(
            Candidate.objects.filter(list__period__starts_on=period, venue__name__in=venues).values_list(
                "venue__name", "checkins"
            )
        )
        expected = {}
        for spec in demo.VENUES:
            venue = venues[spec.name]
            limit = rules.threshold(tier=venue.category.tier, region_kind=venue.region.kind)
            checkins = spec.checkins + spec.burst if period == LAST else spec.checkins * spec.before
            if period == LAST:  # both sides of every threshold in every demo region
                assert any(
                    s.region == spec.region
                    and venues[s.name].category.tier == venue.category.tier
                    and s.checkins + s.burst <= limit
                    for s in demo.VENUES
                ), spec.name
            if checkins > limit:
                expected[spec.name] = checkins
        demo_found = {name: n for name, n in found.items() if name.endswith("(демо лидеров)")}
        assert demo_found == expected
    # Exactly the threshold is not more than it.
    assert not Candidate.objects.filter(venue__name="Кинотеатр «Алатау» (демо лидеров)").exists()


def test_the_period_before_last_is_decided_and_its_leaders_are_current(seeded):  # R-LD-3, R-LD-5
    decision = Decision.objects.get()
    assert (decision.period.starts_on, decision.date) == (BEFORE, CURRENT)
    statuses = set(
        CandidateList.objects.filter(period__starts_on=BEFORE, candidates__isnull=False).values_list(
            "status", flat=True
        )
    )
    assert statuses == {ListStatus.FIXED}
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        leader = Venue.objects.get(name="Ресторан «Көктем» (демо лидеров)")
        assert kind_at(leader, NOW) == standing_rules.LEADER
        conditions = conditions_at(leader, NOW)
        assert conditions.leader and any("Leader Ashyq" in reason for reason in conditions.reasons)
        assert leader.pk in {row.venue_id for row in current_leaders(leader.region, NOW.date())}


def test_the_last_period_waits_for_almaty_with_a_flagged_candidate(seeded):
    lists = dict(CandidateList.objects.filter(period__starts_on=LAST).values_list("region__code", "status"))
    assert lists["almaty"] == ListStatus.COMPUTED
    assert lists[demo.SUBMITTED_NOW] == ListStatus.SUBMITTED
    karaoke = Candidate.objects.get(list__period__starts_on=LAST, venue__name="Караоке «Жұлдыз» (демо лидеров)")
    assert {flag["kind"] for flag in karaoke.flags} >= {"burst", "over_capacity"}
    burst = next(flag for flag in karaoke.flags if flag["kind"] == "burst")
    assert burst["day"] == "2021-06-02"  # the 10th day of the period


def test_no_demo_venue_looks_inactive(seeded):  # R-MN-2: a trickle every day since
    local = ZoneInfo("Asia/Almaty")
    for venue in Venue.objects.filter(name__endswith="(демо лидеров)"):
        moments = Visit.objects.filter(venue=venue).values_list("entered_at", flat=True)
        days = {moment.astimezone(local).date() for moment in moments}
        assert {date(2021, 6, d) for d in range(7, 16)} <= days
