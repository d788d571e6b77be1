"""A venue's standing over time (R-VN-9) as the sanctions, returns, appeals and leader
terms write it, each rule judging the past by it: the cases of the standing issue at
their exact boundaries (Almaty time, a frozen clock), and the operators' check."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ashyq.core.models import AuditEvent
from ashyq.reference.models import Tier, Zone
from ashyq.reference.tests.factories import CategoryFactory, RegionFactory, ZoneChangeFactory
from leaders import rules as leaders_rules
from leaders.models import Candidate
from leaders.services import compute
from leaders.tests.factories import add_visits, leader_term
from monitoring.models import Sanction, SanctionKind, SanctionState, Violation, ViolationKind
from monitoring.services import sanctions, violations
from monitoring.tests.factories import AkimatFactory, InspectorFactory, exclusion
from venues.models import Standing
from venues.standing import rules as standing_rules
from venues.standing.selectors import history_of, kind_at
from visitors.tests.factories import open_venue

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
MICRO = timedelta(microseconds=1)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


def confirm(venue, *, occurred_at: datetime, at: datetime, kind=ViolationKind.OVER_OCCUPANCY) -> Sanction | None:
    """An inspector files a violation that happened at `occurred_at`; another confirms
    it at `at` (R-MN-1)."""
    filer, checker = InspectorFactory(region=venue.region), InspectorFactory(region=venue.region)
    with time_machine.travel(at, tick=False):
        filed = violations.violation_file(
            inspector=filer, venue=venue, kind=kind, occurred_at=occurred_at, description="—", photos=[], now=at
        )
        return violations.violation_decide(inspector=checker, violation=filed.violation, confirm=True, note="", now=at)


# --- R-MN-3: judged by when it happened -------------------------------------------------------

ISSUED = local(2021, 6, 1, 23, 30)  # R-VN-5 Decided: test mode until 8 June 23:30
TEST_MODE_ENDS = local(2021, 6, 8, 23, 30)


@pytest.mark.parametrize(
    ("occurred_at", "kind"),
    [
        (local(2021, 6, 7, 15, 0), SanctionKind.WARNING),  # day 6 of test mode
        (TEST_MODE_ENDS - MICRO, SanctionKind.WARNING),  # its last moment
        (TEST_MODE_ENDS, SanctionKind.EXCLUSION),  # 7 × 24 h after the first issue
    ],
)
def test_r_mn_3_a_violation_is_judged_by_the_moment_it_happened_not_its_confirmation(occurred_at, kind):
    venue = open_venue(now=ISSUED)
    sanction = confirm(venue, occurred_at=occurred_at, at=local(2021, 6, 10, 11, 0))  # day 9
    assert sanction.kind == kind
    assert sanction.starts_at == local(2021, 6, 10, 11, 0)  # the sanction starts when confirmed


def test_r_mn_3_two_violations_of_one_inspection_confirmed_minutes_apart_make_one_exclusion():
    venue = open_venue(now=local(2021, 5, 1, 10))
    inspection = local(2021, 6, 1, 12, 0)
    first = confirm(venue, occurred_at=inspection, at=local(2021, 6, 2, 10, 0))
    second = confirm(venue, occurred_at=inspection + timedelta(minutes=5), at=local(2021, 6, 2, 10, 7))
    assert (first.kind, first.ends_at) == (SanctionKind.EXCLUSION, local(2021, 6, 16, 10, 0))
    assert second is None  # happened before the current sanction began: recorded, no sanction
    assert Violation.objects.filter(state="confirmed").count() == 2
    assert Sanction.objects.count() == 1
    assert AuditEvent.objects.filter(action="monitoring.sanction_none", details__reason="before_current_sanction")
    kinds = [interval.kind for interval in history_of(venue)]
    assert kinds == ["test_mode", "participant", "excluded", "awaiting_return"]


def test_r_mn_3_after_the_return_a_later_violation_is_two_months():
    venue = open_venue(now=local(2021, 5, 1, 10))
    first = confirm(venue, occurred_at=local(2021, 6, 1, 12), at=local(2021, 6, 2, 10))
    back = local(2021, 6, 16, 12)
    with time_machine.travel(back, tick=False):
        sanctions.return_request(owner=venue.company.owner, sanction=first, now=back)
    # One that happened before the return cannot be filed (the venue was out of Ashyq)…
    with pytest.raises(ValidationError):
        confirm(venue, occurred_at=back - MICRO, at=back + timedelta(hours=1))
    # …one a minute after it is a later violation: 2 calendar months.
    second = confirm(venue, occurred_at=back + timedelta(minutes=1), at=local(2021, 6, 17, 9))
    assert (second.kind, second.ends_at) == (SanctionKind.EXCLUSION, local(2021, 8, 17, 9))


# --- R-MN-4: excluded from its start until the return is accepted ----------------------------


def test_r_mn_4_the_owners_page_says_excluded_at_the_top_from_the_moment_of_exclusion(settings):
    region = RegionFactory()
    ZoneChangeFactory(region=region, zone=Zone.GREEN, effective_from=date(2021, 5, 1))
    venue = open_venue(now=local(2021, 5, 1, 10), region=region)
    at = local(2021, 6, 2, 10, 0)
    exclusion(venue, starts_at=at, ends_at=at + timedelta(days=14))
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(venue.company.owner)
    url = reverse("venues:venue_detail", args=[venue.pk])
    with time_machine.travel(at - timedelta(seconds=1), tick=False):
        before = client.get(url).content.decode()
    with time_machine.travel(at, tick=False):
        after = client.get(url).content.decode()
    assert 'data-standing="participant"' in before and "Participant of Ashyq" in before
    assert 'data-standing="excluded"' in after and "Excluded from Ashyq until 16 June 2021 10:00." in after
    assert after.index('data-standing="excluded"') < after.index("Conditions today")  # at the top
    assert "full participant" not in after
    assert "Excluded from the project: no participants&#x27; preferences" in after
    assert "Participant of Ashyq" not in after


def test_r_mn_4_after_the_term_the_venue_stays_excluded_until_its_return():
    venue = open_venue(now=local(2021, 5, 1, 10))
    sanction = confirm(venue, occurred_at=local(2021, 6, 1, 12), at=local(2021, 6, 2, 10))
    ends = sanction.ends_at
    assert kind_at(venue, ends - MICRO) == standing_rules.EXCLUDED
    assert kind_at(venue, ends) == standing_rules.AWAITING_RETURN
    assert kind_at(venue, ends + timedelta(days=30)) == standing_rules.AWAITING_RETURN
    back = ends + timedelta(days=3)
    with time_machine.travel(back, tick=False):
        with pytest.raises(ValidationError):
            sanctions.return_request(owner=venue.company.owner, sanction=sanction, now=ends - MICRO)
        sanctions.return_request(owner=venue.company.owner, sanction=sanction, now=back)
    assert kind_at(venue, back - MICRO) == standing_rules.AWAITING_RETURN
    assert kind_at(venue, back) == standing_rules.PARTICIPANT


# --- R-LD-4: awaiting the return during a period ---------------------------------------------

PERIOD = date(2021, 5, 24)  # a period of R-LD-2: 24 May – 7 June 2021
START = leaders_rules.period_bounds_utc(PERIOD)[0]


def candidate_venue():
    venue = open_venue(
        now=local(2021, 4, 1, 10), region=RegionFactory(city=False), category=CategoryFactory(tier=Tier.B)
    )
    add_visits(venue, 600, start=START)  # over the tier B oblast threshold, 500 (R-LD-1)
    return venue


@pytest.mark.parametrize(
    ("returned", "candidate"),
    [
        (START - MICRO, True),  # back the moment before the period began
        (START, True),  # back at its first moment: awaiting at no moment of it
        (START + timedelta(minutes=1), False),  # awaiting its return for the first minute
        (START + timedelta(days=3), False),  # the codes were refused for 3 days of the period
    ],
)
def test_r_ld_4_an_exclusion_ended_before_the_period_but_not_returned_from_excludes(returned, candidate):
    venue = candidate_venue()
    exclusion(
        venue,
        starts_at=START - timedelta(days=30),
        ends_at=START - timedelta(days=16),  # the term ended two weeks before the period
        returned_at=returned,
    )
    compute.leaders_compute(period_start=PERIOD, now=START + timedelta(days=15))
    assert Candidate.objects.filter(venue=venue).exists() is candidate


# --- R-LD-3, R-MN-4, R-MN-5: leader terms and exclusions ---------------------------------------


def test_r_mn_4_an_exclusion_ends_a_leader_term_and_the_return_does_not_bring_it_back():
    venue = open_venue(now=local(2021, 4, 1, 10))
    leader_term(venue, date(2021, 6, 1), date(2021, 6, 15))
    assert kind_at(venue, local(2021, 6, 2, 9)) == standing_rules.LEADER
    sanction = exclusion(venue, starts_at=local(2021, 6, 2, 10), ends_at=local(2021, 6, 3, 10))
    with time_machine.travel(local(2021, 6, 4, 10), tick=False):
        sanctions.return_request(owner=venue.company.owner, sanction=sanction, now=local(2021, 6, 4, 10))
    assert kind_at(venue, local(2021, 6, 5, 10)) == standing_rules.PARTICIPANT


def test_r_mn_5_an_exclusion_cancelled_on_appeal_gives_back_the_rest_of_the_leader_term():
    venue = open_venue(now=local(2021, 4, 1, 10))
    leader_term(venue, date(2021, 6, 1), date(2021, 6, 15))
    sanction = exclusion(venue, starts_at=local(2021, 6, 2, 10), ends_at=local(2021, 6, 16, 10))
    cancelled = local(2021, 6, 5, 16)
    with time_machine.travel(cancelled, tick=False):
        appeal = sanctions.appeal_file(owner=venue.company.owner, sanction=sanction, text="—", now=cancelled)
        akimat = AkimatFactory(region=venue.region)
        sanctions.appeal_decide(akimat=akimat, appeal=appeal, cancel=True, reason="—", now=cancelled)
    assert kind_at(venue, cancelled - MICRO) == standing_rules.EXCLUDED  # the past stays as it was
    assert kind_at(venue, cancelled) == standing_rules.LEADER
    assert kind_at(venue, local(2021, 6, 15, 0) - MICRO) == standing_rules.LEADER
    assert kind_at(venue, local(2021, 6, 15, 0)) == standing_rules.PARTICIPANT
    assert Sanction.objects.get().state == SanctionState.CANCELLED


# --- manage.py standing_check -----------------------------------------------------------------


def test_standing_check_finds_a_history_a_hand_fix_left_behind_and_rebuilds_it():
    venue = open_venue(now=local(2021, 5, 1, 10))
    other = open_venue(now=local(2021, 5, 1, 10))
    sanction = exclusion(venue, starts_at=local(2021, 6, 1, 10), ends_at=local(2021, 6, 15, 10))
    out = StringIO()
    call_command("standing_check", stdout=out)
    assert out.getvalue().strip().endswith("checked 2 venues: 0 disagree")

    # An operator cancels the sanction by hand in the admin, not through an appeal.
    Sanction.objects.filter(pk=sanction.pk).update(state=SanctionState.CANCELLED, lifted_at=local(2021, 6, 3, 10))
    out = StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("standing_check", stdout=out)
    assert exit_status.value.code == 1
    report = out.getvalue()
    assert f"venue {venue.pk}: stored" in report and f"venue {other.pk}" not in report
    assert "checked 2 venues: 1 disagree" in report

    call_command("standing_check", "--rebuild", stdout=StringIO())
    assert kind_at(venue, local(2021, 6, 3, 10)) == standing_rules.PARTICIPANT
    assert kind_at(venue, local(2021, 6, 3, 10) - MICRO) == standing_rules.EXCLUDED
    assert AuditEvent.objects.filter(action="venues.standing_rebuilt", object_id=str(venue.pk)).exists()
    out = StringIO()
    call_command("standing_check", "--venue", str(venue.pk), stdout=out)
    assert "checked 1 venues: 0 disagree" in out.getvalue()


def test_the_database_refuses_overlapping_intervals_on_postgresql():
    from django.db import IntegrityError, connection, transaction

    venue = open_venue(now=local(2021, 5, 1, 10))
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's; elsewhere the writer checks")
    with pytest.raises(IntegrityError), transaction.atomic():
        Standing.objects.create(
            venue=venue, kind="excluded", starts_at=local(2021, 5, 20), ends_at=local(2021, 5, 21), cause="sanction"
        )
