"""R-VN-9 over random sequences of events: a venue's first issue of codes, check-ins,
violations (happened at one moment, confirmed at another), outages recorded late,
returns, appeals and leader decisions, over six weeks with the nightly inactivity flags
(R-MN-2). At every moment something happens, the standing history agrees with what
the codes (R-CI-7), the public list (R-VN-6) and the conditions (R-OP-2, R-LD-5) say;
at the end, with the candidate lists of the periods (R-LD-4) and with the facts it
follows from (manage.py standing_check); and no exclusion ever began while the venue
was already excluded (R-MN-3, R-MN-4)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.reference.models import Tier, Zone
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory, ZoneChangeFactory
from leaders import rules as leaders_rules
from leaders.models import Candidate, CandidateList, ListStatus, Period
from leaders.services import compute, review
from monitoring.models import InactivityFlag, Sanction, SanctionKind, SanctionState, ViolationKind
from monitoring.selectors import standing_disagreements
from monitoring.services import sanctions, violations
from monitoring.services.inactivity import inactivity_flag_all
from monitoring.services.outages import outage_record
from monitoring.tests.factories import AkimatFactory, InspectorFactory
from venues.codes.selectors import participants
from venues.codes.services import codes_issue
from venues.conditions import conditions_at
from venues.standing import rules as standing_rules
from venues.standing.selectors import history_of, kind_at, venue_ids_in_during
from venues.tests.factories import EntranceFactory, VenueFactory
from visitors.models import Colour, EntryMethod, Visit
from visitors.services.checkin import VenueRefused, refuse_unless_open
from visitors.services.counts import counts_rebuild

ALMATY = ZoneInfo("Asia/Almaty")
START = datetime(2021, 5, 3, 0, 0, tzinfo=ALMATY)  # a Monday
DAYS = 42
HOURS = DAYS * 24


def moment(hours: float) -> datetime:
    return START + timedelta(hours=hours)


events = st.lists(
    st.one_of(
        # happened at an hour, confirmed hours later
        st.tuples(st.just("violation"), st.integers(1, HOURS - 1), st.integers(0, 96), st.booleans()),
        # an outage from an hour for some hours, recorded hours after its end
        st.tuples(st.just("outage"), st.integers(1, HOURS - 30), st.integers(1, 30), st.integers(0, 120)),
        st.tuples(st.just("return"), st.integers(1, HOURS - 1)),
        st.tuples(st.just("appeal"), st.integers(1, HOURS - 1), st.booleans()),
        st.tuples(st.just("leader"), st.integers(1, HOURS - 1)),
    ),
    max_size=10,
)


class World:
    """The venue and the people who act on it; the events of one example."""

    def __init__(self, *, issued_hour: int, volunteer: bool):
        region = RegionFactory(city=False)
        ZoneChangeFactory(region=region, zone=Zone.GREEN, effective_from=date(2021, 1, 1))
        category = CategoryFactory(volunteer=True) if volunteer else CategoryFactory(tier=Tier.B)
        # Approved before the six weeks; its codes are issued as one of the events.
        self.venue = VenueFactory(region=region, category=category, created_at=START - timedelta(days=1))
        self.entrance = EntranceFactory(venue=self.venue)
        self.region = region
        self.inspectors = (InspectorFactory(region=region), InspectorFactory(region=region))
        self.akimat = AkimatFactory(region=region)
        self.operator = UserFactory(role=Role.OPERATOR)
        self.commission = UserFactory(role=Role.COMMISSION)
        self.decisions = 0

    def issue(self, at: datetime) -> None:
        with time_machine.travel(at, tick=False):
            codes_issue(venue=self.venue, actor=None, now=at)

    def check(self, at: datetime) -> None:
        """What the codes, the public list and the conditions say at `at` is what the
        standing history says."""
        kind = kind_at(self.venue, at)
        try:
            refuse_unless_open(venue=self.venue, entrance=self.entrance, now=at)
            works = True
        except VenueRefused:
            works = False
        assert works == (kind in standing_rules.WORKING), (at, kind)
        listed = participants(region=self.region, at=at).filter(pk=self.venue.pk).exists()
        assert listed == (kind in standing_rules.LISTED), (at, kind)
        conditions = conditions_at(self.venue, at)
        assert conditions.participant == (kind in standing_rules.PREFERENCES), (at, kind)
        assert conditions.leader == (kind == standing_rules.LEADER), (at, kind)

    def act(self, at: datetime, event: tuple) -> None:
        name, *args = event
        with time_machine.travel(at, tick=False):
            try:
                getattr(self, name)(at, *args)
            except ValidationError:
                pass  # refused, with nothing written: the next event goes on

    def violation(self, at, happened_hour, _delay, no_check):
        kind = ViolationKind.NO_STATUS_CHECK if no_check else ViolationKind.OVER_OCCUPANCY
        filed = violations.violation_file(
            inspector=self.inspectors[0],
            venue=self.venue,
            kind=kind,
            occurred_at=moment(happened_hour),
            description="—",
            photos=[],
            now=at,
        )
        violations.violation_decide(
            inspector=self.inspectors[1], violation=filed.violation, confirm=True, note="", now=at
        )

    def outage(self, at, start_hour, length, _delay):
        outage_record(
            operator=self.operator,
            starts_at=moment(start_hour),
            ends_at=moment(start_hour + length),
            kind="sms",
            note="",
            now=at,
        )

    def _latest(self):
        return Sanction.objects.filter(venue=self.venue).order_by("-starts_at", "-id").first()

    def return_(self, at):
        sanction = self._latest()
        if sanction is not None:
            sanctions.return_request(owner=self.venue.company.owner, sanction=sanction, now=at)

    def appeal(self, at, cancel):
        sanction = self._latest()
        if sanction is None or hasattr(sanction, "appeal"):
            return
        appeal = sanctions.appeal_file(owner=self.venue.company.owner, sanction=sanction, text="—", now=at)
        sanctions.appeal_decide(akimat=self.akimat, appeal=appeal, cancel=cancel, reason="—", now=at)

    def leader(self, at):
        """The commission fixes a list naming the venue (R-LD-3), dated today."""
        self.decisions += 1
        start = date(2020, 1, 6) + timedelta(days=14 * self.decisions)
        period = Period.objects.create(starts_on=start, ends_on=start + timedelta(days=14))
        the_list = CandidateList.objects.create(
            period=period, region=self.region, computed_at=at, status=ListStatus.SUBMITTED, submitted_at=at
        )
        Candidate.objects.create(list=the_list, venue=self.venue, checkins=1001, threshold=500)
        review.record_decision(
            period=period,
            number=f"P-{self.decisions}",
            date=at.astimezone(ALMATY).date(),
            actor=self.commission,
            now=at,
        )

    def checkins(self, at: datetime) -> None:
        """The day's visitors at noon, when the codes work (R-CI-7)."""
        if kind_at(self.venue, at) in standing_rules.WORKING:
            Visit.objects.bulk_create(
                Visit(
                    venue=self.venue,
                    method=EntryMethod.GUARD,
                    colour=Colour.GREEN,
                    entered_at=at + timedelta(seconds=n),
                )
                for n in range(50)
            )
            counts_rebuild(day=at.astimezone(ALMATY).date())  # as the rollup counts them


def timeline(*, issued_hour: int, silent: set[int], happenings: list) -> list[tuple[datetime, int, tuple]]:
    steps = [(moment(issued_hour), 1, ("issue",))]
    for day in range(DAYS):
        steps.append((moment(day * 24 + 0.5), 0, ("nightly",)))
        if day not in silent and day * 24 + 12 > issued_hour:
            steps.append((moment(day * 24 + 12), 1, ("checkins",)))
    for event in happenings:
        name = event[0]
        if name == "violation":
            happened, delay = event[1], event[2]
            steps.append((moment(happened + delay), 2, event))
        elif name == "outage":
            start, length, delay = event[1], event[2], event[3]
            steps.append((moment(start + length + delay), 2, event))
        else:
            steps.append((moment(event[1]), 2, (name if name != "return" else "return_", *event[2:])))
    return sorted((step for step in steps if step[0] < moment(HOURS)), key=lambda step: (step[0], step[1]))


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    issued_hour=st.integers(0, 24 * 10),
    volunteer=st.booleans(),
    silent=st.sets(st.integers(0, DAYS - 1), max_size=DAYS),
    happenings=events,
)
def test_r_vn_9_the_history_agrees_with_every_rule_that_reads_it(issued_hour, volunteer, silent, happenings):
    with transaction.atomic():
        world = World(issued_hour=issued_hour, volunteer=volunteer)
        for at, _order, event in timeline(issued_hour=issued_hour, silent=silent, happenings=happenings):
            name = event[0]
            if name == "nightly":
                with time_machine.travel(at, tick=False):
                    inactivity_flag_all(now=at)
            elif name == "checkins":
                world.checkins(at)
            elif name == "issue":
                world.issue(at)
            else:
                world.act(at, event)
            world.check(at)
        _check_the_end(world)
        transaction.set_rollback(True)


def _check_the_end(world: World) -> None:
    venue = world.venue
    history = history_of(venue)
    standing_rules.check(history)
    # manage.py standing_check: the history is what its facts make.
    assert standing_disagreements([venue.pk]) == {}
    # R-MN-3, R-MN-4: no exclusion began while the venue was already excluded; each
    # trigger happened while its codes worked, and was a warning exactly when in test mode.
    for sanction in Sanction.objects.filter(venue=venue).select_related("violation", "inactivity_flag"):
        if sanction.kind == SanctionKind.EXCLUSION:
            assert kind_at(venue, sanction.starts_at - timedelta(microseconds=1)) not in standing_rules.EXCLUDED_KINDS
        happened = sanctions.occurred_at(violation=sanction.violation, inactivity_flag=sanction.inactivity_flag)
        then = kind_at(venue, happened)
        if happened == sanction.starts_at and sanction.kind == SanctionKind.EXCLUSION:
            # confirmed the moment it happened: what it was before its own exclusion
            then = kind_at(venue, happened - timedelta(microseconds=1))
        if sanction.violation_id:
            assert then in standing_rules.WORKING
        assert (sanction.kind == SanctionKind.WARNING) == (then == standing_rules.TEST_MODE_KIND)
        if sanction.state == SanctionState.ACTIVE and sanction.kind == SanctionKind.EXCLUSION:
            assert sanction.lifted_at is None
    # R-MN-2: no live flag counted a day the codes did not work all day.
    for flag in InactivityFlag.objects.filter(venue=venue, withdrawn_at__isnull=True):
        assert standing_rules.on_day(history, flag.first_day).codes_worked_all_day
        assert standing_rules.on_day(history, flag.last_day).codes_worked_all_day
    # R-LD-4: a candidate of a closed period was never excluded, awaiting or a volunteer in it.
    end = moment(HOURS)
    first = leaders_rules.period_containing(START.date())[1]
    while first + timedelta(days=14) <= end.date():
        with time_machine.travel(end, tick=False):
            compute.leaders_compute(period_start=first, now=end)
        start, stop = leaders_rules.period_bounds_utc(first)
        barred = venue_ids_in_during(standing_rules.EXCLUDED_KINDS | {standing_rules.VOLUNTEER}, start, stop).filter(
            venue_id=venue.pk
        )
        counted = Visit.objects.filter(venue=venue, entered_at__gte=start, entered_at__lt=stop).count()
        is_candidate = Candidate.objects.filter(venue=venue, list__period__starts_on=first).exists()
        assert is_candidate == (counted > 500 and not barred.exists() and not volunteer_category(venue))
        first += timedelta(days=14)


def volunteer_category(venue) -> bool:
    return venue.category.is_volunteer
