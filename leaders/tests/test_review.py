"""The review of the candidate lists (R-LD-3): the akimat strikes and submits, the
commission's decision fixes the submitted lists and makes leaders for 2 weeks."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from ashyq.reference.tests.factories import RegionFactory
from leaders.models import Candidate, CandidateList, Decision, Leader, ListStatus, Period
from leaders.services import review
from leaders.tests.factories import PERIOD
from venues.standing import rules as standing_rules
from venues.standing.selectors import history_of, kind_at
from venues.tests.factories import VenueFactory

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2021, 6, 1, 12, tzinfo=ALMATY)
PERIOD_END = PERIOD + timedelta(days=14)  # 24 May 2021, the first day after the period


def period_row(start: date = PERIOD) -> Period:
    return Period.objects.get_or_create(starts_on=start, defaults={"ends_on": start + timedelta(days=14)})[0]


def computed_list(region=None, *, candidates: int = 2, start: date = PERIOD, **venue_fields) -> CandidateList:
    """A region's list as the computation leaves it, with `candidates` venues over the
    threshold of a tier-A city venue (R-LD-1)."""
    region = region or RegionFactory(city=True)
    candidate_list = CandidateList.objects.create(period=period_row(start), region=region, computed_at=NOW)
    Candidate.objects.bulk_create(
        Candidate(
            list=candidate_list,
            venue=VenueFactory(region=region, **{"codes_first_issued_at": NOW - timedelta(days=60), **venue_fields}),
            checkins=2001 + n,
            threshold=2000,
        )
        for n in range(candidates)
    )
    return candidate_list


def akimat(region):
    return UserFactory(role=Role.AKIMAT, region=region)


@pytest.fixture
def commission():
    return UserFactory(role=Role.COMMISSION)


def submitted_list(region=None, **kwargs) -> CandidateList:
    candidate_list = computed_list(region, **kwargs)
    return review.submit(candidate_list, actor=akimat(candidate_list.region), now=NOW)


# --- Strike ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_striking_needs_a_reason(reason):  # R-LD-3 "giving a reason"
    candidate = computed_list().candidates.first()
    with translation.override("en"), pytest.raises(review.ReviewError, match="Give the reason"):
        review.strike(candidate, reason=reason, actor=akimat(candidate.list.region), now=NOW)
    candidate.refresh_from_db()
    assert (candidate.struck, candidate.strike_reason) == (False, "")
    assert not AuditEvent.objects.filter(action="leaders.strike").exists()


def test_strike_and_unstrike_are_recorded_and_audited():
    candidate = computed_list().candidates.first()
    user = akimat(candidate.list.region)

    review.strike(candidate, reason="  Счётчик накручен: одни и те же люди.  ", actor=user, now=NOW)
    candidate.refresh_from_db()
    assert (candidate.struck, candidate.strike_reason) == (True, "Счётчик накручен: одни и те же люди.")
    event = AuditEvent.objects.get(action="leaders.strike")
    assert (event.actor, event.object_id, event.region) == (user, str(candidate.pk), candidate.list.region)

    review.unstrike(candidate, actor=user, now=NOW)
    candidate.refresh_from_db()
    assert (candidate.struck, candidate.strike_reason) == (False, "")
    assert AuditEvent.objects.filter(action="leaders.unstrike", object_id=str(candidate.pk)).exists()


def test_a_submitted_list_can_no_longer_be_struck_or_restored():  # R-LD-3
    candidate_list = computed_list()
    first, second = candidate_list.candidates.order_by("pk")
    user = akimat(candidate_list.region)
    review.strike(second, reason="Дубли", actor=user, now=NOW)
    review.submit(candidate_list, actor=user, now=NOW)

    with translation.override("en"), pytest.raises(review.ReviewError, match="already submitted"):
        review.strike(first, reason="Поздно", actor=user, now=NOW)
    with pytest.raises(review.ReviewError):
        review.unstrike(second, actor=user, now=NOW)
    assert list(candidate_list.candidates.order_by("pk").values_list("struck", flat=True)) == [False, True]


# --- Submit ----------------------------------------------------------------------------------


def test_submit_records_who_and_when_once():
    candidate_list = computed_list()
    user = akimat(candidate_list.region)

    review.submit(candidate_list, actor=user, now=NOW)
    candidate_list.refresh_from_db()
    assert (candidate_list.status, candidate_list.submitted_at, candidate_list.submitted_by) == (
        ListStatus.SUBMITTED,
        NOW,
        user,
    )
    assert AuditEvent.objects.filter(action="leaders.submit", object_id=str(candidate_list.pk)).count() == 1

    with translation.override("en"), pytest.raises(review.ReviewError, match="already submitted"):
        review.submit(candidate_list, actor=user, now=NOW + timedelta(hours=1))
    candidate_list.refresh_from_db()
    assert candidate_list.submitted_at == NOW


# --- Decision --------------------------------------------------------------------------------


def test_the_decision_fixes_only_submitted_lists_and_makes_leaders_of_the_venues_not_struck(commission):
    submitted = computed_list(candidates=3)
    struck = submitted.candidates.order_by("pk").last()
    review.strike(struck, reason="Не подтверждено", actor=akimat(submitted.region), now=NOW)
    review.submit(submitted, actor=akimat(submitted.region), now=NOW)
    pending = computed_list(candidates=2)  # another region, not yet submitted

    decision = review.record_decision(
        period=period_row(), number=" 17 ", date=date(2021, 5, 28), actor=commission, now=NOW
    )

    assert (decision.number, decision.recorded_by, decision.recorded_at) == ("17", commission, NOW)
    submitted.refresh_from_db()
    pending.refresh_from_db()
    assert (submitted.status, submitted.decision) == (ListStatus.FIXED, decision)
    assert (pending.status, pending.decision) == (ListStatus.COMPUTED, None)
    leaders = set(Leader.objects.values_list("venue_id", flat=True))
    assert leaders == set(submitted.candidates.filter(struck=False).values_list("venue_id", flat=True))
    assert len(leaders) == 2 and struck.venue_id not in leaders
    assert AuditEvent.objects.filter(action="leaders.decide", object_id=str(decision.pk)).exists()


def test_leaders_hold_the_status_for_14_days_from_the_decision_date(commission):  # R-LD-3
    candidate_list = submitted_list(candidates=1)
    venue = candidate_list.candidates.get().venue
    decided = date(2021, 5, 28)

    review.record_decision(period=period_row(), number="3-Л", date=decided, actor=commission, now=NOW)

    leader = Leader.objects.get()
    assert (leader.starts_on, leader.ends_on) == (decided, decided + timedelta(days=14))
    # R-VN-9: a leader from the moment the decision was recorded (NOW, 1 June: the
    # days since its date, 28 May, were not lived as a leader's) to the end of its
    # 14th day.
    end = datetime(2021, 6, 11, 0, 0, tzinfo=ALMATY)
    assert kind_at(venue, NOW - timedelta(microseconds=1)) != standing_rules.LEADER
    assert kind_at(venue, NOW) == standing_rules.LEADER
    assert kind_at(venue, end - timedelta(microseconds=1)) == standing_rules.LEADER
    assert kind_at(venue, end) == standing_rules.PARTICIPANT
    assert [i.kind for i in history_of(venue)][-2:] == [standing_rules.LEADER, standing_rules.PARTICIPANT]


def test_a_decision_with_no_submitted_list_is_refused(commission):
    computed_list()
    with translation.override("en"), pytest.raises(review.ReviewError, match="nothing to fix"):
        review.record_decision(period=period_row(), number="1", date=PERIOD_END, actor=commission, now=NOW)
    assert not Decision.objects.exists()


def test_the_decision_is_dated_on_or_after_the_end_of_the_period(commission):
    submitted_list()
    with translation.override("en"), pytest.raises(review.ReviewError, match="before the period closed"):
        review.record_decision(
            period=period_row(), number="1", date=PERIOD_END - timedelta(days=1), actor=commission, now=NOW
        )
    assert not Decision.objects.exists() and not Leader.objects.exists()

    review.record_decision(period=period_row(), number="1", date=PERIOD_END, actor=commission, now=NOW)
    assert set(Leader.objects.values_list("starts_on", flat=True)) == {PERIOD_END}


def test_the_decision_cannot_be_dated_after_today_in_almaty(commission):
    submitted_list()
    # 00:30 on 1 June in Almaty is still 31 May in UTC: "today" is the local day.
    now = datetime(2021, 6, 1, 0, 30, tzinfo=ALMATY)
    with translation.override("en"), pytest.raises(review.ReviewError, match="in the future"):
        review.record_decision(period=period_row(), number="1", date=date(2021, 6, 2), actor=commission, now=now)
    assert not Decision.objects.exists()

    review.record_decision(period=period_row(), number="1", date=date(2021, 6, 1), actor=commission, now=now)
    assert Decision.objects.get().date == date(2021, 6, 1)


@pytest.mark.parametrize("number", ["", "   "])
def test_the_decision_needs_a_number(commission, number):
    submitted_list()
    with translation.override("en"), pytest.raises(review.ReviewError, match="Enter the number"):
        review.record_decision(period=period_row(), number=number, date=PERIOD_END, actor=commission, now=NOW)
    assert not Decision.objects.exists()


def test_a_duplicate_number_and_date_is_refused_and_nothing_is_half_written(commission):
    submitted_list()
    review.record_decision(period=period_row(), number="5", date=PERIOD_END, actor=commission, now=NOW)
    late = submitted_list()  # the same period, and the same number and date by mistake
    leaders = Leader.objects.count()

    with translation.override("en"), pytest.raises(review.ReviewError, match="already recorded"):
        review.record_decision(period=period_row(), number="5", date=PERIOD_END, actor=commission, now=NOW)

    late.refresh_from_db()
    assert (late.status, late.decision) == (ListStatus.SUBMITTED, None)
    assert (Decision.objects.count(), Leader.objects.count()) == (1, leaders)


def test_a_later_decision_fixes_the_lists_submitted_after_the_first(commission):  # R-LD-3
    early = submitted_list()
    period = period_row()
    first = review.record_decision(period=period, number="8", date=PERIOD_END, actor=commission, now=NOW)
    late = submitted_list()  # submitted after the first decision

    second = review.record_decision(
        period=period, number="9", date=PERIOD_END + timedelta(days=2), actor=commission, now=NOW
    )

    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.decision, late.decision) == (first, second)
    assert Leader.objects.filter(decision=first).count() == 2
    starts = set(Leader.objects.filter(decision=second).values_list("starts_on", flat=True))
    assert starts == {PERIOD_END + timedelta(days=2)}
